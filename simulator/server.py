"""The simulated store on a socket: a threaded HTTP/1.1 server on 127.0.0.1.

    with StoreServer() as server:          # port 0: a free port
        server.store.create_order(status="processing")
        client = build_client(server.config())

Without a certificate it speaks plain http and stands in for an https store behind a
TLS-terminating proxy; given `certfile` / `keyfile` (PEM) it serves real TLS with them,
so clients meet self-signed, expired or wrong-host certificates as they would in the field.

Faults injected into the store are served here, at the HTTP level, so the clients meet
them as they would meet a failing host: status codes, slowness, garbage, cut-off bodies,
dropped connections; and so are the host's habits (`SimulatedStore.strips_authorization`,
`redirect_to`).
"""

from __future__ import annotations

import email.utils
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from shop.woocommerce.config import StoreConfig
from simulator.errors import ApiError
from simulator.mcp import ADAPTER_PATH, LEGACY_PATH
from simulator.replies import Reply
from simulator.routes import Router
from simulator.store import Fault, SimulatedStore
from simulator.webhooks import WebhookHub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        simulated = self.server.owner
        if self.path.startswith("/_simulator"):
            self._answer()
            return
        with simulated.counting(self.path):
            self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        simulated = self.server.owner
        control = self.path.startswith("/_simulator")
        if simulated.store.redirect_to and not control:
            # A host that sends every visitor elsewhere (https://www.…), path and query kept.
            self._send(Reply(301, b"", {"Location": simulated.store.redirect_to + self.path}), b"")
            return
        fault = simulated.store.take_fault(self.path) if not control else None
        if fault and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        reply = _fault_reply(fault) if fault and fault.kind in ("status", "rate_limit", "unauthorized") else None
        if reply is None:
            headers = {name: value for name, value in self.headers.items()}
            if simulated.store.strips_authorization and not control:
                # Apache with PHP as CGI/FastCGI drops the header unless told to pass it on.
                headers = {name: value for name, value in headers.items() if name.lower() != "authorization"}
            target = _without_offset(self.path) if fault and fault.kind == "ignore_offset" else self.path
            reply = simulated.router.dispatch(self.command, target, headers, body)
        payload = reply.encoded()
        if fault and fault.kind == "malformed":
            # A PHP warning printed ahead of the JSON, the commonest way real stores break it.
            payload = b"<br />\n<b>Warning</b>: Undefined array key 1 in functions.php on line 12<br />\n" + payload
        if fault and fault.kind == "short_page" and reply.is_list_page:
            payload = json.dumps(reply.body[: max(0, len(reply.body) - fault.drop)]).encode()
        if fault and fault.kind == "bad_item" and reply.is_list_page:
            payload = json.dumps([{"status": "pending", "total": "1.00"}, *reply.body]).encode()
        if fault and fault.kind in ("no_totals", "wrong_totals", "high_totals"):
            # A proxy that passes only the headers it knows; a caching plugin that counts another query.
            for name in ("X-WP-Total", "X-WP-TotalPages"):
                if fault.kind == "no_totals":
                    reply.headers.pop(name, None)
                elif name in reply.headers:
                    reply.headers[name] = "1" if fault.kind == "wrong_totals" else "1000"
        self._send(reply, payload, truncate=bool(fault and fault.kind == "truncate"))

    def _send(self, reply: Reply, payload: bytes, *, truncate: bool = False) -> None:
        declared = len(payload)
        if truncate:
            payload = payload[: len(payload) // 2]
        try:
            self.send_response_only(reply.status)
            self.send_header("Date", email.utils.format_datetime(self.server.owner.store.now(), usegmt=True))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(declared))
            if truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)


def _without_offset(target: str) -> str:
    """Drop `offset` from a request, as a store whose order query ignores it would."""
    parts = urlsplit(target)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != "offset"]
    return parts._replace(query=urlencode(query)).geturl()


def _fault_reply(fault: Fault) -> Reply:
    if fault.kind == "rate_limit":
        headers = {"Retry-After": fault.retry_after or "30", "Content-Type": "text/plain"}
        return Reply(429, b"Too Many Requests", headers)
    if fault.kind == "unauthorized":
        return Reply(401, ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.").body())
    headers = {"Content-Type": "text/html"}
    if fault.retry_after:
        headers["Retry-After"] = fault.retry_after
    return Reply(fault.status, f"<html><body><h1>{fault.status}</h1></body></html>".encode(), headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: StoreServer
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.tls is None:
            return sock, address
        # The handshake runs in the request's thread (finish_request), so a client that
        # stalls or refuses the certificate never holds up the accepting loop.
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(10)
                request.do_handshake()
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return  # the client refused our certificate, as a test may want it to
        super().finish_request(request, client_address)


class StoreServer:
    """A running simulated store; a context manager that starts and stops it."""

    def __init__(
        self,
        store: SimulatedStore | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
        certfile: str | None = None,
        keyfile: str | None = None,
        **hub_options: Any,
    ) -> None:
        self.store = store or SimulatedStore()
        self.verbose = verbose
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        if certfile:
            self._server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server.tls.load_cert_chain(certfile, keyfile)
            self.store.https = True
        bound_host, bound_port = self._server.server_address[:2]
        scheme = "https" if certfile else "http"
        self.store.base_url = f"{scheme}://{bound_host}:{bound_port}"
        self.hub = WebhookHub(self.store, **hub_options)
        self.router = Router(self.store, self.hub, stats=self.stats)
        # What was asked of the store (not counting /_simulator/): paths in order, and the
        # most requests it was serving at once.
        self.requests: list[str] = []
        self.queries: list[dict[str, str]] = []  # each request's query parameters, beside `requests`
        self.in_flight = 0
        self.max_in_flight = 0
        self._count_lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="simulated-store", daemon=True
        )

    @property
    def url(self) -> str:
        return self.store.base_url

    def stats(self) -> dict[str, int]:
        """Requests the store served so far, and the most it served at once."""
        with self._count_lock:
            return {"requests": len(self.requests), "max_in_flight": self.max_in_flight}

    @contextmanager
    def counting(self, path: str) -> Iterator[None]:
        """Count one request to the store while it is served."""
        with self._count_lock:
            self.requests.append(urlsplit(path).path)
            self.queries.append(dict(parse_qsl(urlsplit(path).query, keep_blank_values=True)))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._count_lock:
                self.in_flight -= 1

    @property
    def legacy_mcp(self):
        return self.router.mcp["legacy"]

    @property
    def adapter_mcp(self):
        return self.router.mcp["adapter"]

    def config(self, api: str = "rest", *, read_only: bool = False, **options: Any) -> StoreConfig:
        """Return a StoreConfig for this store's keys (the application password for "mcp-adapter")."""
        if api == "mcp-adapter":
            user, password = next(iter(self.store.app_passwords.items()))
            key, secret = user, password
        else:
            pair = self.store.read_key if read_only else self.store.rw_key
            key, secret = pair.key, pair.secret
        key, secret = options.pop("key", key), options.pop("secret", secret)
        options.setdefault("allow_http", True)
        if self.store.https and not self.url.startswith("https://"):
            # The simulator stands in for an https store behind a TLS-terminating proxy (REST,
            # and an MCP store's REST keys, authenticate with Basic auth there).
            options.setdefault("auth", "basic")
        return StoreConfig(base_url=self.url, key=key, secret=secret, api=api, name="simulated-shop", **options)

    def start(self) -> StoreServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.hub.close()

    def __enter__(self) -> StoreServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["ADAPTER_PATH", "LEGACY_PATH", "StoreServer"]
