"""A scriptable HTTP server on 127.0.0.1 standing in for any remote peer in tests."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """One scripted answer: status, headers, body, and an optional delay before it."""

    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict | list):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            return self.body.encode(), headers
        return self.body, headers


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class LoopbackServer:
    """Answer requests from a script of replies (then a default) and record every request.

    `handler`, when given, computes the reply from the request instead of the script.
    `most_in_flight` is the most requests it was answering at one time.
    """

    def __init__(self, default: Reply | None = None, handler: Callable[[Received], Reply] | None = None):
        self.default = default or Reply(200, b"ok")
        self.handler = handler
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                # Counted in flight until the answer starts: a client that has it may send the
                # next request before this thread would otherwise get to count this one done.
                server._count(+1)
                try:
                    reply = server._reply_for(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    server._count(-1)
                body, headers = reply.encoded()
                try:
                    # send_response_only: a scripted Date header must be the only one.
                    self.send_response_only(reply.status)
                    headers.setdefault("Date", self.date_time_string())
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test wants

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval lets a test stop the server without waiting half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _count(self, change: int) -> None:
        with self._lock:
            self.in_flight += change
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            if self.handler is not None:
                return self.handler(request)
            return self.script.popleft() if self.script else self.default

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def then(self, *replies: Reply) -> LoopbackServer:
        """Queue replies, answered in order before falling back to the default."""
        self.script.extend(replies)
        return self

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
