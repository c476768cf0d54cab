"""What the benchmarks read of the machine: CPU seconds of a process tree, database connections, load."""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces; every field after its closing ")" is plain.
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, those reaped included."""
    try:
        fields = _stat(pid)
    except FileNotFoundError:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17; after the name they are 12-15 (1-based 3).
    own = sum(int(value) for value in fields[11:15]) / TICKS
    return own + sum(cpu_seconds(child) for child in _children(pid))


def load_average() -> float:
    return os.getloadavg()[0]


class ConnectionSampler:
    """Count the database's connections every half second in a thread of its own; keep the peak."""

    def __init__(self, dsn: dict, database: str) -> None:
        self.dsn, self.database = dsn, database
        self.peak = 0
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="connection-sampler", daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(**self.dsn, autocommit=True, connect_timeout=5) as conn:
            while not self._stop.wait(0.5):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchone()
                self.samples.append(count)
                self.peak = max(self.peak, count)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
