"""A real worker for the benchmarks, started as the deployment starts one."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def worker(*, queues: tuple[str, ...], concurrency: int = 2, **env: str):
    from tests.support.processes import purge_queues, settle, start_worker

    purge_queues()
    handle = start_worker(Path(tempfile.mkdtemp(prefix="bench-worker-")), queues=queues, concurrency=concurrency, **env)
    try:
        yield handle
    finally:
        settle(handle, timeout=5)
        handle.stop()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
