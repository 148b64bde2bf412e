"""`--profile`: where persist time goes, by wrapping GraphWriter calls and the resolver with timers.

Monkeypatching only, for the benchmark's process: the indexer's code is not changed.
"""

from __future__ import annotations

import cProfile
import functools
import inspect
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from activities.codegraph import indexer as indexer_module
from activities.codegraph.branch_resolution import BranchResolution
from activities.codegraph.graph_writer import GraphWriter


class CallTimer:
    """Wall time per GraphWriter method (awaits included) and per resolver / packing call,
    and for each Cypher statement the time Neo4j reports spending on it (`server`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.server: dict[str, float] = defaultdict(float)
        self.statement_wall: dict[str, float] = defaultdict(float)
        self._current = ""
        self._undo: list[tuple[Any, str, Any]] = []

    def _timed_run(self) -> Callable[..., Any]:
        timer = self

        async def _run(writer: Any, query: str, **params: Any) -> list[dict[str, Any]]:
            started = time.perf_counter()
            records, summary, _ = await writer._driver.execute_query(
                query, params, database_=writer._database
            )
            label = f"{timer._current}: {_statement(query)}"
            timer.statement_wall[label] += time.perf_counter() - started
            server_ms = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
            timer.server[label] += server_ms / 1000
            counters = summary.counters
            writer.changes += (
                counters.nodes_created + counters.nodes_deleted + counters.relationships_created
                + counters.relationships_deleted + counters.properties_set
                + counters.labels_added + counters.labels_removed
            )  # fmt: skip
            return [record.data() for record in records]

        return _run

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                self._current = label
                try:
                    return await original(*args, **kwargs)
                finally:
                    self._add(label, started)

            wrapper: Callable[..., Any] = timed_async
        else:

            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self._add(label, started)

            wrapper = timed
        self._undo.append((owner, name, original))
        setattr(owner, name, wrapper)

    def _add(self, label: str, started: float) -> None:
        self.seconds[label] += time.perf_counter() - started
        self.calls[label] += 1

    def install(self) -> None:
        for name, member in vars(GraphWriter).items():
            if inspect.iscoroutinefunction(member) and name != "_run":
                self._wrap(GraphWriter, name, f"GraphWriter.{name}")
        self._undo.append((GraphWriter, "_run", GraphWriter._run))
        GraphWriter._run = self._timed_run()  # type: ignore[method-assign]
        # prepare_chunk runs in a thread, overlapping the writes: its time is not additive.
        for name in ("prepare_chunk", "edges_digest"):
            self._wrap(indexer_module, name, f"indexer.{name}")
        # Building a branch's resolution afresh, updating a kept one, resolving the edges.
        for name in ("__init__", "update", "edges"):
            self._wrap(BranchResolution, name, f"BranchResolution.{name}")

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def report(self, title: str, total: float, phase: str = "persist") -> str:
        """The calls since the last report, which ended the phase before this one."""
        lines = [f"{title}: {total:.2f}s in {phase}, by call (wall, awaits included)"]
        for label, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            share = 100 * seconds / total if total else 0.0
            lines.append(f"  {label:<34} {seconds:8.2f}s {share:5.1f}%  x{self.calls[label]}")
        lines.append("  per statement: client wall / Neo4j-reported execution time")
        for label, wall in sorted(self.statement_wall.items(), key=lambda kv: -kv[1])[:12]:
            lines.append(f"  {wall:7.2f}s / {self.server[label]:6.2f}s  {label}")
        for table in (self.seconds, self.calls, self.server, self.statement_wall):
            table.clear()
        return "\n".join(lines)


def _statement(query: str) -> str:
    """The distinctive line of a statement, for labels."""
    lines = [line.strip() for line in query.strip().splitlines()]
    body = [line for line in lines if not line.startswith(("UNWIND", "WITH", "RETURN"))]
    return " ".join(body[:2])[:90]


def cprofile_report(profile: cProfile.Profile, limit: int = 20) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(limit)
    return out.getvalue()
