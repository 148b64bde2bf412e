"""A Redis connection that keeps many commands in flight: the delivery ledger's transport.

redis-py sends each command with its own write and its own per-command machinery; for the two
commands of every delivery that cost the web process more CPU than Redis's own work. This
client pipelines every command of the process over one connection, coalescing writes, and
parses replies with hiredis. It does only what the ledger needs: no retries, no pub/sub, no
cluster; it connects wherever a redis-py client's URL says.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, cast

import hiredis
import redis.asyncio as aioredis
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection

_Opener = Callable[
    [Callable[[], "_Replies"]],
    Coroutine[Any, Any, tuple[asyncio.BaseTransport, "_Replies"]],
]


class PipelinedRedis:
    """One connection to Redis that keeps many commands in flight, replies in order.

    Commands issued within `WRITE_WINDOW_SECONDS` of each other leave in one write, and one
    read may answer several: under load, concurrent deliveries share their round trips (on
    loopback TCP each write and read cost the web process more CPU than redis-py's own work).
    A command that gets no reply within the socket timeout fails, with every other command
    in flight on that connection (their replies could no longer be told apart), and the next
    command reconnects. Errors are `OSError` (connection, timeout) or `hiredis.HiredisError`
    (an error reply); nothing is retried, since the ledger fails open.
    """

    def __init__(
        self,
        open_connection: _Opener,
        *,
        handshake: list[tuple[str | int, ...]],
        timeout: float,
        connect_timeout: float,
    ) -> None:
        self._open = open_connection
        self._handshake = handshake
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._connection: _Replies | None = None
        self._connecting: asyncio.Task[_Replies] | None = None

    @classmethod
    def like(cls, client: aioredis.Redis) -> PipelinedRedis:
        """Connect where `client` connects (TCP, TLS or Unix socket), with its settings."""
        pool = client.connection_pool
        options = pool.connection_kwargs
        loop_call: _Opener
        if issubclass(pool.connection_class, UnixDomainSocketConnection):
            path = options["path"]

            def loop_call(factory: Callable[[], _Replies]) -> Any:
                return asyncio.get_running_loop().create_unix_connection(factory, path)

        elif issubclass(pool.connection_class, Connection):
            host, port = options.get("host", "localhost"), options.get("port", 6379)
            # redis-py builds the TLS context from the URL's ssl_* options; reuse it.
            tls = (
                pool.connection_class(**options).ssl_context.get()
                if issubclass(pool.connection_class, SSLConnection)
                else None
            )

            def loop_call(factory: Callable[[], _Replies]) -> Any:
                return asyncio.get_running_loop().create_connection(factory, host, port, ssl=tls)

        else:
            raise TypeError(f"unsupported Redis connection {pool.connection_class.__name__}")
        handshake: list[tuple[str | int, ...]] = []
        if options.get("password"):
            user = options.get("username")
            handshake.append(
                ("AUTH", user, options["password"]) if user else ("AUTH", options["password"])
            )
        if options.get("db"):
            handshake.append(("SELECT", int(options["db"])))
        timeout = options.get("socket_timeout") or _DEFAULT_TIMEOUT_SECONDS
        return cls(
            loop_call,
            handshake=handshake,
            timeout=timeout,
            connect_timeout=options.get("socket_connect_timeout") or timeout,
        )

    async def execute(self, *args: str | int) -> object:
        """Send one command and return its reply (None for a nil reply)."""
        connection = self._connection
        if connection is None or connection.closed:
            connection = await self._connected()
        return await connection.request(args)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.abort(ConnectionError("the ledger was closed"))
            self._connection = None

    async def _connected(self) -> _Replies:
        # Concurrent callers share one attempt, so an unreachable Redis costs each of them
        # one connect timeout, not one per caller queued before it.
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
            self._connecting.add_done_callback(self._connected_or_failed)
        return await asyncio.shield(self._connecting)

    def _connected_or_failed(self, attempt: asyncio.Task[_Replies]) -> None:
        self._connecting = None
        if not attempt.cancelled() and attempt.exception() is None:
            self._connection = attempt.result()

    async def _connect(self) -> _Replies:
        async with asyncio.timeout(self._connect_timeout):
            _, protocol = await self._open(lambda: _Replies(self._timeout))
            try:
                for command in self._handshake:
                    await protocol.request(command)
            except BaseException:
                protocol.abort(ConnectionError("handshake failed"))
                raise
        return protocol


_DEFAULT_TIMEOUT_SECONDS = 5.0
# Measured under bench.receiver: a 2 ms window cut the web process's CPU per delivery by
# about 8% (fewer writes, reads and wake-ups). It applies only while other commands are in
# flight (the process is busy): a command on an idle connection is written at once.
WRITE_WINDOW_SECONDS = 0.002


class _Replies(asyncio.Protocol):
    """One Redis connection: writes coalesced per loop turn, replies matched in order."""

    def __init__(self, reply_timeout: float) -> None:
        self._reply_timeout = reply_timeout
        self._parser = hiredis.Reader()
        self._waiters: deque[asyncio.Future[object]] = deque()
        self._outgoing: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not subclass asyncio.Transport, so no isinstance).
        self._transport = cast("asyncio.Transport", transport)

    async def request(self, args: tuple[str | int, ...]) -> object:
        if self.closed:
            raise ConnectionError("the Redis connection is closed")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[object] = loop.create_future()
        idle = not self._waiters
        if not self._outgoing and not idle:
            loop.call_later(WRITE_WINDOW_SECONDS, self._flush)
        # hiredis's stub types the argument as a one-element tuple; any tuple is accepted.
        self._outgoing.append(hiredis.pack_command(args))  # type: ignore[arg-type]
        self._waiters.append(waiter)
        if idle:
            self._flush()
        timer = loop.call_later(self._reply_timeout, self._expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()

    def _flush(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        if outgoing and self._transport is not None and not self.closed:
            self._transport.write(b"".join(outgoing))

    def _expire(self, waiter: asyncio.Future[object]) -> None:
        if not waiter.done():
            self.abort(TimeoutError(f"Redis did not answer within {self._reply_timeout:g} s"))

    def data_received(self, data: bytes) -> None:
        self._parser.feed(data)
        try:
            while (reply := self._parser.gets()) is not False:
                waiter = self._waiters.popleft()
                if waiter.done():  # its caller was cancelled; the reply is consumed all the same
                    continue
                if isinstance(reply, hiredis.ReplyError):
                    waiter.set_exception(reply)
                else:
                    waiter.set_result(reply)
        except (hiredis.ProtocolError, IndexError):
            self.abort(ConnectionError("Redis sent something that is not a reply"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail_waiters(ConnectionError("the Redis connection was lost"))

    def abort(self, error: OSError) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.abort()
        self._fail_waiters(error)

    def _fail_waiters(self, error: OSError) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(error)
