"""Give each instance of ADOLF's processes a metrics directory of its own, before prometheus_client loads.

prometheus_client's multiprocess mode keeps every process's values in mmap files in
PROMETHEUS_MULTIPROC_DIR, and whoever serves them merges that directory. An *instance* is a
process and the processes it forks: a Celery worker and its pool children, a gunicorn
master's workers, beat. Each instance gets `ADOLF_DATA_DIR/prometheus/<role>-<host>-<pid>`
(pid of the process that owns it) and serves it itself — the web on /metrics, a worker and
beat on METRICS_LISTEN (adolf.metrics_server) — so no directory is shared between
instances, containers or machines, and Prometheus scrapes every instance.

This module must not import prometheus_client.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sys
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
# "<role>:<pid>" of the process whose directory ENV names; a child forked by it keeps it.
OWNER_ENV = "ADOLF_METRICS_OWNER"
# prometheus_client splits file names on "_".
_HOST = socket.gethostname().replace("_", "-")


def role(argv: list[str] | None = None) -> str:
    """Which of ADOLF's processes this is, from its command line: web, worker, beat, flower or cli."""
    argv = sys.argv if argv is None else argv
    program = Path(argv[0]).name if argv else ""
    words = set(argv[1:])
    if program.startswith("gunicorn") or "runserver" in words:
        return "web"
    if program == "celery" or (argv and argv[0].endswith(os.path.join("celery", "__main__.py"))):
        for name in ("worker", "beat", "flower"):
            if name in words:
                return name
    return "cli"


def base() -> Path:
    """Return the directory holding every process's metrics directory: <ADOLF_DATA_DIR or var>/prometheus."""
    data_dir = os.environ.get("ADOLF_DATA_DIR") or "var"
    return Path(__file__).resolve().parent.parent / data_dir / "prometheus"


def configure(argv: list[str] | None = None) -> Path:
    """Point PROMETHEUS_MULTIPROC_DIR at this instance's directory (creating it) and return it."""
    kind = role(argv)
    inherited = os.environ.get(ENV)
    if inherited and os.environ.get(OWNER_ENV) in (f"{kind}:{os.getppid()}", f"{kind}:{os.getpid()}"):
        directory = Path(inherited)  # a child of the instance (or configure() called again)
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    # A gunicorn worker belongs to its master's instance; everything else owns one.
    owner = os.getppid() if kind == "web" and Path(sys.argv[0]).name.startswith("gunicorn") else os.getpid()
    directory = base() / f"{kind}-{_HOST}-{owner}"
    os.environ[ENV], os.environ[OWNER_ENV] = str(directory), f"{kind}:{owner}"
    if owner == os.getpid():
        # Files under this name are a dead process's that had our pid (a restarted container).
        shutil.rmtree(directory, ignore_errors=True)
        if kind == "cli":
            atexit.register(shutil.rmtree, directory, True)
    _sweep_dead_instances()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def directory() -> Path:
    """This instance's metrics directory."""
    return Path(os.environ[ENV])


def _sweep_dead_instances() -> None:
    """Remove the directories this host's dead instances left (their values died with them)."""
    for path in base().glob(f"*-{_HOST}-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def alive(pid: int) -> bool:
    """Return whether process `pid` exists (signal 0); another user's process counts as alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def host_prefix() -> str:
    """Return how the identifiers of this host's processes begin."""
    return f"{_HOST}-"


def process_identifier(pid: int | None = None) -> str:
    """Name a process's metric files: host and pid."""
    return f"{_HOST}-{pid if pid is not None else os.getpid()}"
