"""The parse processes: a Ctrl-C in the worker's terminal reaches them too (one process group),
and the worker shuts down gracefully, so they must finish the files they are parsing."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time

from activities.codegraph.parse_worker import parse_files, parse_pool
from tests.codegraph.test_broken_input import KOTLIN_STALL


def test_a_ctrl_c_does_not_stop_a_parse_in_progress() -> None:
    others = {child.pid for child in multiprocessing.active_children()}  # other tests' pools
    pool = parse_pool(1)
    try:
        pool.submit(parse_files, [], None).result(timeout=60)  # spawned and ready
        (child,) = [c for c in multiprocessing.active_children() if c.pid not in others]
        assert child.pid is not None
        future = pool.submit(parse_files, [(["Stall.kt"], "sha", "kotlin", KOTLIN_STALL)], 60.0)
        interrupts = 0
        while not future.done():  # about 3 s of parse: interrupted all along
            time.sleep(0.2)
            os.kill(child.pid, signal.SIGINT)
            interrupts += 1
        ((reason, line),) = future.result()
        assert interrupts >= 3
        assert reason is None
        assert json.loads(line)["extraction"] is not None
        assert child.is_alive()
    finally:
        pool.shutdown()
