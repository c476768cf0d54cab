"""Run the production web server (gunicorn) on loopback from a test, with an environment of its choosing."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from tests.support.processes import PROJECT_ROOT, ProcessHandle, child_env, free_port, wait_for


def start_web(log_dir: Path, **env: str) -> tuple[ProcessHandle, str]:
    """Start gunicorn on the WSGI app and wait until /health/live answers; return it and its URL."""
    port = free_port()
    log_path = log_dir / f"web-{uuid.uuid4().hex[:8]}.log"
    command = [
        sys.executable, "-m", "gunicorn", "adolf.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--timeout", "30",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=child_env(**env), stdout=log, stderr=subprocess.STDOUT
        )
    handle = ProcessHandle(process, "web", log_path)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{handle.log()[-3000:]}")
        try:
            return httpx.get(f"{url}/health/live", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(answers, timeout=60, what="gunicorn to answer")
    except BaseException:
        handle.stop()
        raise
    return handle, url
