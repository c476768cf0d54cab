"""Serve a worker's or beat's own metrics on a port of its own (METRICS_LISTEN), for Prometheus to scrape.

The web serves its instance's values on /metrics; a Celery worker (its pool children's
values merged) and beat have no web server, so their main process runs this small HTTP
server in a thread: `GET /metrics` in the Prometheus text format, `GET /health/live` for a
probe that needs no broker. The same access rules as the web's /metrics apply
(METRICS_ALLOWED_NETWORKS, and the bearer METRICS_TOKEN when set).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from adolf import metrics, multiproc

logger = logging.getLogger(__name__)


def refusal(remote_addr: str, authorization: str) -> int | None:
    """Return 403 for a scraper outside METRICS_ALLOWED_NETWORKS, 401 without the token, None if allowed."""
    try:
        client = ipaddress.ip_address(remote_addr)
    except ValueError:
        return 403
    if not any(client in network for network in settings.METRICS_ALLOWED_NETWORKS):
        return 403
    if not settings.METRICS_TOKEN:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode()):
        return None
    return 401


def exposition() -> bytes:
    """This instance's recorded values in the Prometheus text format."""
    metrics.sweep_dead_processes()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(multiproc.directory()))
    return generate_latest(registry)


REFUSALS = {
    403: ("403 Forbidden", b"Forbidden: this network may not scrape (METRICS_ALLOWED_NETWORKS).\n", []),
    401: (
        "401 Unauthorized",
        b"Send 'Authorization: Bearer <METRICS_TOKEN>'.\n",
        [("WWW-Authenticate", 'Bearer realm="metrics"')],
    ),
}


def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    """The WSGI app: /metrics for allowed scrapers, /health/live for anyone."""
    path = environ.get("PATH_INFO", "")
    if path == "/health/live":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "alive"}']
    if path != "/metrics" or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found: GET /metrics or /health/live.\n"]
    status = refusal(environ.get("REMOTE_ADDR", ""), environ.get("HTTP_AUTHORIZATION", ""))
    if status is not None:
        line, body, headers = REFUSALS[status]
        start_response(line, [("Content-Type", "text/plain"), *headers])
        return [body]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [exposition()]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every 15 s is not news


def parse_listen(listen: str) -> tuple[str, int] | None:
    """ "host:port" (or ":port", all addresses) as (host, port); None for "" (off)."""
    if not listen:
        return None
    host, _, port = listen.rpartition(":")
    return (host.strip("[]") or "0.0.0.0"), int(port)  # noqa: S104 - containers are scraped from outside


def serve(listen: str | None = None) -> WSGIServer | None:
    """Start serving this instance's metrics in a daemon thread; None when off or the port is taken."""
    address = parse_listen(settings.METRICS_LISTEN if listen is None else listen)
    if address is None:
        return None
    try:
        server = make_server(*address, application, server_class=_Server, handler_class=_QuietHandler)
    except OSError as exc:
        # Metrics are not worth a worker that will not start: say so and carry on.
        logger.warning("metrics: cannot listen on %s:%s (%s); this process's metrics are not served", *address, exc)
        return None
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    logger.info("metrics: serving /metrics on %s:%s", *server.server_address[:2])
    return server
