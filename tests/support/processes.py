"""Start and stop the project's real processes (Celery worker, beat) from tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import kombu.exceptions
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from adolf import beat_lock
from adolf.celery import QUEUES
from adolf.celery import app as celery_app

PROJECT_ROOT = Path(settings.BASE_DIR)
T = TypeVar("T")


def wait_for(probe: Callable[[], T], *, timeout: float, interval: float = 0.2, what: str = "condition") -> T:
    """Call `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def database_url_of_tests() -> str:
    """Return a DATABASE_URL naming the database the tests use (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: ours, pointed at the test database."""
    # Metrics not served unless a test asks (METRICS_LISTEN=…): workers of parallel tests
    # would take each other's port.
    env = dict(os.environ, DATABASE_URL=database_url_of_tests(), PYTHONUNBUFFERED="1", METRICS_LISTEN="")
    env.update(overrides)
    return env


@dataclass
class ProcessHandle:
    process: subprocess.Popen
    name: str
    log_path: Path
    # Where the process serves its own metrics (a worker's, beat's), if it does.
    metrics_url: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_worker(
    log_dir: Path,
    *,
    queues: tuple[str, ...] = QUEUES,
    concurrency: int = 1,
    control: Celery | None = None,
    **env: str,
) -> ProcessHandle:
    """Start `celery worker` as the deployment does and wait until it answers a ping.

    `control` is the app the ping goes through; give one when `env` moves the worker to
    another broker.
    """
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{name.split('@')[0]}.log"
    port = free_port()
    env = {"METRICS_LISTEN": f"127.0.0.1:{port}", **env}
    command = [
        sys.executable, "-m", "celery", "-A", "adolf", "worker",
        "--queues", ",".join(queues), "--concurrency", str(concurrency), "--hostname", name,
        "--without-mingle", "--without-gossip", "--loglevel", "INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=child_env(**env), stdout=log, stderr=subprocess.STDOUT
        )
    handle = ProcessHandle(process, name, log_path, metrics_url=f"http://127.0.0.1:{port}/metrics")

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}:\n{handle.log()[-3000:]}")
        try:
            return bool((control or celery_app).control.ping(destination=[name], timeout=0.5))
        except (OSError, redis.RedisError, kombu.exceptions.OperationalError):
            return False  # a pooled connection to a broker that was just restarted: ask again

    try:
        wait_for(answers, timeout=60, what=f"worker {name} to answer a ping")
    except BaseException:
        handle.stop()
        raise
    return handle


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def purge_queues() -> None:
    """Drop messages a previous run may have left on the broker's queues, and the marks that stand for them.

    The webhook inbox's nudge flag (shop.inbox) and the deliveries' queued-batch mark
    (notifications.outbox) each say "a task is on its way": with that task purged, a flag
    left behind would hold back the next test's task until it expires.
    """
    from django.core.cache import cache

    from notifications import outbox
    from shop import inbox

    with celery_app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)
    cache.delete(inbox.NUDGE_KEY)
    outbox.taking()  # clears the queued-batch mark


def start_beat(log_dir: Path, *, scheduler: str | None = None, fresh_lock: bool = True, **env: str) -> ProcessHandle:
    """Start `celery beat` on the test database, with the settings' scheduler or `scheduler`.

    `fresh_lock`: first delete a leader lock left on the broker's Redis by a beat that died
    unclean in an earlier test (adolf.beat_lock), which would keep this one standing by.
    """
    if fresh_lock:
        _delete_beat_lock(env.get("CELERY_BROKER_URL") or env.get("REDIS_URL") or settings.REDIS_URL)
    log_path = log_dir / f"beat-{uuid.uuid4().hex[:8]}.log"
    command = [sys.executable, "-m", "celery", "-A", "adolf", "beat", "--loglevel", "INFO"]
    if scheduler:
        command += ["--scheduler", scheduler]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=child_env(**env), stdout=log, stderr=subprocess.STDOUT
        )
    handle = ProcessHandle(process, "beat", log_path)
    try:
        wait_for(lambda: "beat: Starting" in handle.log(), timeout=60, what="beat to start")
    except BaseException:
        handle.stop()
        raise
    return handle


def pool_children(handle: ProcessHandle) -> list[int]:
    """Return the pids of a prefork worker's pool processes."""
    children = Path(f"/proc/{handle.process.pid}/task/{handle.process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def queued_messages() -> int:
    """Count the messages waiting on the project's queues."""
    with celery_app.connection_for_write() as conn:
        # Not passive: Redis forgets an empty queue, and a passive declare of it fails.
        return sum(conn.default_channel.queue_declare(queue).message_count for queue in QUEUES)


def settle(worker: ProcessHandle, *, timeout: float = 30) -> None:
    """Wait until the worker is idle and the queues are empty; then drop what is still left.

    Tasks waiting on a countdown (retries) are revoked rather than waited for.
    """
    inspect = celery_app.control.inspect(destination=[worker.name], timeout=1)

    def idle() -> bool:
        busy = [inspect.active(), inspect.reserved()]
        return all(not (reply or {}).get(worker.name) for reply in busy) and queued_messages() == 0

    try:
        wait_for(idle, timeout=timeout, interval=0.3, what="the worker to finish the test's tasks")
    except TimeoutError:
        purge_queues()
    scheduled = (inspect.scheduled() or {}).get(worker.name) or []
    if scheduled:
        celery_app.control.revoke([entry["request"]["id"] for entry in scheduled])


def _delete_beat_lock(url: str) -> None:
    if not url.startswith(("redis://", "rediss://")):
        return  # the embedded broker: beat takes no lock
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.delete(beat_lock.KEY)
    finally:
        client.close()
