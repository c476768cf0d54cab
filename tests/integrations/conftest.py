"""Fixtures of the microservice task tests: services, a stand-in microservice, Redis, a stock worker."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.states import READY_STATES
from django.conf import settings
from django_celery_results.models import TaskResult

from integrations.models import Service
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import ProcessHandle, start_worker, wait_for

# The producer client talks to Redis whatever ADOLF's own broker is; in the embedded mode
# the tests use the machine's Redis with queue names nobody else uses.
PRODUCER_REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/0"


def make_service(name: str = "auth", base_url: str = "http://127.0.0.1:9", **fields) -> Service:
    """Create a registered, enabled service."""
    fields.setdefault("token", f"callback-token-of-{name}")
    return Service.objects.create(name=name, base_url=base_url, **fields)


def wait_for_result(task_id: str, timeout: float = 60) -> TaskResult:
    """Wait until a worker stored the task's final state (SUCCESS or FAILURE) and return it."""
    return wait_for(
        lambda: TaskResult.objects.filter(task_id=task_id, status__in=READY_STATES).first(),
        timeout=timeout,
        what=f"the result of task {task_id}",
    )


@pytest.fixture
def microservice() -> Iterator[LoopbackServer]:
    """A stand-in microservice on loopback that answers every callback 200 {"ok": true}."""
    with LoopbackServer(default=Reply(200, {"ok": True})) as server:
        yield server


@pytest.fixture
def producer_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(PRODUCER_REDIS_URL, socket_timeout=5)
    yield client
    client.close()


@pytest.fixture
def unique_queue(producer_redis: redis.Redis) -> Iterator[str]:
    """A queue name no worker consumes, emptied afterwards (every priority list)."""
    queue = f"test-capture-{uuid.uuid4().hex[:12]}"
    yield queue
    keys = producer_redis.keys(f"*{queue}*")
    if keys:
        producer_redis.delete(*keys)


STOCK_APP = textwrap.dedent(
    '''
    """A stock Celery app that knows nothing of ADOLF: only a task of the same name."""
    import os

    from celery import Celery

    app = Celery("stock", broker=os.environ["STOCK_REDIS_URL"], backend=os.environ["STOCK_REDIS_URL"])
    app.conf.result_expires = 600
    app.conf.result_extended = True  # so the result records the task name it ran


    @app.task(name="auth.send_verification_email")
    def send_verification_email(user_id, email, verification_link):
        return {"user_id": user_id, "email": email, "verification_link": verification_link}
    '''
)


@pytest.fixture(scope="session")
def stock_worker(tmp_path_factory) -> Iterator[tuple[str, Celery]]:
    """A plain `celery worker` of a minimal app on Redis, consuming one queue of its own.

    Yields the queue and a Celery app that reads the stock worker's results.
    """
    folder: Path = tmp_path_factory.mktemp("stock")
    (folder / "stockapp.py").write_text(STOCK_APP)
    queue = f"test-stock-{uuid.uuid4().hex[:12]}"
    name = f"stock-{uuid.uuid4().hex[:8]}@localhost"
    log_path = folder / "worker.log"
    env = {"PATH": str(Path(sys.executable).parent), "STOCK_REDIS_URL": PRODUCER_REDIS_URL, "PYTHONPATH": str(folder)}
    command = [
        sys.executable, "-m", "celery", "-A", "stockapp", "worker", "--queues", queue, "--pool", "solo",
        "--hostname", name, "--without-mingle", "--without-gossip", "--loglevel", "INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    handle = ProcessHandle(process, name, log_path)
    reader = Celery("stock-reader", broker=PRODUCER_REDIS_URL, backend=PRODUCER_REDIS_URL, set_as_current=False)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"stock worker exited with {process.returncode}:\n{handle.log()[-3000:]}")
        return bool(reader.control.ping(destination=[name], timeout=0.5))

    try:
        wait_for(answers, timeout=60, what="the stock worker to answer a ping")
        yield queue, reader
    finally:
        handle.stop()
        reader.close()


@pytest.fixture
def adolf_worker_on_redis(request, tmp_path_factory, transactional_db) -> Iterator[tuple[str, ProcessHandle]]:
    """An ADOLF worker on the producer client's Redis, consuming one queue of its own.

    Its own queue keeps it from taking other runs' messages when Redis is shared. Yields
    the queue and the worker.
    """
    queue = f"test-adolf-{uuid.uuid4().hex[:12]}"
    control = Celery("control", broker=PRODUCER_REDIS_URL, set_as_current=False)
    worker = start_worker(
        tmp_path_factory.mktemp("adolf-on-redis"),
        queues=(queue,),
        control=control,
        CELERY_BROKER_URL=PRODUCER_REDIS_URL,
    )
    yield queue, worker
    worker.stop()
    control.close()


def submit(client, token: str | None, payload, **headers):
    """POST a submission to the API the way a microservice does."""
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post("/api/tasks/", data=body, content_type="application/json", headers=headers)


def task_status(client, token: str | None, task_id: str):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(f"/api/tasks/{task_id}", headers=headers)
