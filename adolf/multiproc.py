"""Point prometheus_client at the shared multiprocess directory before anything imports it.

prometheus_client decides at import time whether values live in process memory or in
mmap files that every process of the deployment (gunicorn workers, Celery's prefork
children) writes and /metrics merges. This module must not import prometheus_client.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client splits file names on "_".
_HOST = socket.gethostname().replace("_", "-")


def configure() -> Path:
    """Set PROMETHEUS_MULTIPROC_DIR (default: ADOLF_DATA_DIR/prometheus), create it, and return it."""
    path = os.environ.get(ENV)
    if not path:
        data_dir = os.environ.get("ADOLF_DATA_DIR") or "var"
        path = str(Path(__file__).resolve().parent.parent / data_dir / "prometheus")
        os.environ[ENV] = path
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def host_prefix() -> str:
    """Return how the identifiers of this host's processes begin."""
    return f"{_HOST}-"


def process_identifier(pid: int | None = None) -> str:
    """Name this process's metric files: host and pid, so containers sharing the directory never collide."""
    return f"{_HOST}-{pid if pid is not None else os.getpid()}"
