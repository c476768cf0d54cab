"""Point this process's Celery app at another broker for the length of a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery

from adolf.celery import app as celery_app


def _drop_connections(app: Celery) -> None:
    # Only forget them: kombu keeps pools in a registry by broker URL and hands the same
    # pool out again when the app switches back, so closing it here would break that.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def use_broker(url: str) -> Iterator[Celery]:
    """Send every task (and control message) of this process through `url`, then switch back.

    For tests whose broker is a server of their own: what the code under test enqueues
    in-process (a webhook view, a sweep) must reach that test's worker.
    """
    previous = celery_app.conf.broker_url
    _drop_connections(celery_app)
    celery_app.conf.broker_url = url
    try:
        yield celery_app
    finally:
        _drop_connections(celery_app)
        celery_app.conf.broker_url = previous
