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
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from shop.woocommerce.config import StoreConfig
from simulator.errors import ApiError
from simulator.mcp import ADAPTER_PATH, LEGACY_PATH
from simulator.replies import Reply
from simulator.routes import NOT_FOUND_HTML, Router
from simulator.store import Fault, SimulatedStore
from simulator.webhooks import WebhookHub

# What one request is for: the store, its router, and the path below the store's own URL.
Site = tuple[SimulatedStore, Router, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        site = owner.resolve(self.path)
        if site is None:
            # No store lives at this path: the host's own 404 page.
            self._send(Reply(404, NOT_FOUND_HTML, {"Content-Type": "text/html; charset=UTF-8"}), NOT_FOUND_HTML)
            return
        if site[2].startswith("/_simulator"):
            self._answer(site, body)
            return
        with owner.counting(site[2]):
            self._answer(site, body)

    def _answer(self, site: Site, body: bytes) -> None:
        store, router, path = site
        control = path.startswith("/_simulator")
        if store.redirect_to and not control:
            # A host that sends every visitor elsewhere (https://www.…), path and query kept.
            self._send(Reply(301, b"", {"Location": store.redirect_to + path}), b"", store)
            return
        fault = store.take_fault(path) if not control else None
        if fault and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        reply = _fault_reply(fault) if fault and fault.kind in ("status", "rate_limit", "unauthorized") else None
        if reply is None:
            headers = {name: value for name, value in self.headers.items()}
            if store.strips_authorization and not control:
                # Apache with PHP as CGI/FastCGI drops the header unless told to pass it on.
                headers = {name: value for name, value in headers.items() if name.lower() != "authorization"}
            target = _without_offset(path) if fault and fault.kind == "ignore_offset" else path
            reply = router.dispatch(self.command, target, headers, body)
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
        self._send(reply, payload, store, truncate=bool(fault and fault.kind == "truncate"))

    def _send(
        self, reply: Reply, payload: bytes, store: SimulatedStore | None = None, *, truncate: bool = False
    ) -> None:
        declared = len(payload)
        if truncate:
            payload = payload[: len(payload) // 2]
        try:
            self.send_response_only(reply.status)
            # The store's clock; the host's own for a path no store lives at.
            if store is None or store.sends_date:
                clock = store.now() if store is not None else datetime.now(UTC).replace(microsecond=0)
                self.send_header("Date", email.utils.format_datetime(clock, usegmt=True))
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
    # Many stores' polls may connect at once; the default backlog of 5 refuses some.
    request_queue_size = 128
    owner: Listener
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


class Listener:
    """The socket and its serving thread; subclasses say which store a request is for."""

    verbose = False

    def __init__(self, host: str, port: int, *, certfile: str | None = None, keyfile: str | None = None) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        if certfile:
            self._server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server.tls.load_cert_chain(certfile, keyfile)
        bound_host, bound_port = self._server.server_address[:2]
        scheme = "https" if certfile else "http"
        self.host_url = f"{scheme}://{bound_host}:{bound_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="simulated-store", daemon=True
        )

    def resolve(self, target: str) -> Site | None:
        """Return the store a request target is for, its router and the path below the store; None if none."""
        raise NotImplementedError

    @contextmanager
    def counting(self, path: str) -> Iterator[None]:
        """Count one request to a store while it is served (`path` below the store); a fleet counts none."""
        yield

    def start(self) -> Self:
        """Start serving in a background thread; return the listener."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():  # shutdown() waits for a serve_forever() that never ran otherwise
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def store_config(store: SimulatedStore, api: str = "rest", *, read_only: bool = False, **options: Any) -> StoreConfig:
    """Return a StoreConfig for a simulated store's keys (the application password for "mcp-adapter")."""
    if api == "mcp-adapter":
        user, password = next(iter(store.app_passwords.items()))
        key, secret = user, password
    else:
        pair = store.read_key if read_only else store.rw_key
        key, secret = pair.key, pair.secret
    key, secret = options.pop("key", key), options.pop("secret", secret)
    options.setdefault("allow_http", True)
    options.setdefault("name", "simulated-shop")
    if store.https and not store.base_url.startswith("https://"):
        # The simulator stands in for an https store behind a TLS-terminating proxy (REST,
        # and an MCP store's REST keys, authenticate with Basic auth there).
        options.setdefault("auth", "basic")
    return StoreConfig(base_url=store.base_url, key=key, secret=secret, api=api, **options)


class StoreServer(Listener):
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
        super().__init__(host, port, certfile=certfile, keyfile=keyfile)
        self.store = store or SimulatedStore()
        self.verbose = verbose
        if certfile:
            self.store.https = True
        self.store.base_url = self.host_url
        self.hub = WebhookHub(self.store, **hub_options)
        self.router = Router(self.store, self.hub, stats=self.stats)
        # What was asked of the store (not counting /_simulator/): paths in order, and the
        # most requests it was serving at once.
        self.requests: list[str] = []
        self.queries: list[dict[str, str]] = []  # each request's query parameters, beside `requests`
        self.in_flight = 0
        self.max_in_flight = 0
        self._count_lock = threading.Lock()

    @property
    def url(self) -> str:
        """The store's base URL (http://127.0.0.1:<port>)."""
        return self.store.base_url

    def resolve(self, target: str) -> Site | None:
        """Every request is for the one store."""
        return self.store, self.router, target

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
        """The legacy MCP endpoint (WooCommerce's own) of this store."""
        return self.router.mcp["legacy"]

    @property
    def adapter_mcp(self):
        """The MCP adapter endpoint (WordPress's abilities) of this store."""
        return self.router.mcp["adapter"]

    def config(self, api: str = "rest", *, read_only: bool = False, **options: Any) -> StoreConfig:
        """Return a StoreConfig for this store's keys (the application password for "mcp-adapter")."""
        return store_config(self.store, api, read_only=read_only, **options)

    def stop(self) -> None:
        """Stop serving and stop the store's webhook deliveries."""
        super().stop()
        self.hub.close()


__all__ = ["ADAPTER_PATH", "LEGACY_PATH", "StoreServer", "store_config"]
