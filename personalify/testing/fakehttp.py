"""A small real HTTP server on 127.0.0.1 for standing in for Spotify, Genius and Hugging Face.

Tests (and the demo and the benchmark) register replies per route; the real client code then
talks to it over HTTP. Every request is recorded so tests can assert on what was sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    json: object = None
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (latency, timeouts)

    def encode(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.json).encode(), headers
        body = self.body.encode() if isinstance(self.body, str) else self.body
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        return body, headers


Handler = Callable[[Recorded], Reply] | Reply | list


class FakeHTTPServer:
    """Routes are (method, path) with an exact path or a regex starting with '^'.

    A handler is a Reply, a callable(Recorded) -> Reply, or a list of those consumed one
    per request (the last one repeats).
    """

    def __init__(self, latency: float = 0.0, port: int = 0):
        self.latency = latency
        self.requests: list[Recorded] = []
        self._routes: list[tuple[str, str | re.Pattern, Handler]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        pattern: str | re.Pattern = re.compile(path) if path.startswith("^") else path
        with self._lock:
            # Newest registration wins, so a test can override a default route.
            self._routes.insert(0, (method.upper(), pattern, handler))

    def requests_to(self, path: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.path == path and (not method or r.method == method)]

    def start(self) -> FakeHTTPServer:
        # A short poll interval: stop() returns in ~50 ms instead of the default 0.5 s.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeHTTPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _dispatch(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            for method, pattern, handler in self._routes:
                if method != recorded.method:
                    continue
                if isinstance(pattern, re.Pattern):
                    if not pattern.fullmatch(recorded.path):
                        continue
                elif pattern != recorded.path:
                    continue
                if isinstance(handler, list):
                    handler = handler.pop(0) if len(handler) > 1 else handler[0]
                break
            else:
                return Reply(404, json={"error": {"status": 404, "message": "Not found (fake)"}})
        return handler(recorded) if callable(handler) else handler

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: without TCP_NODELAY the body waits for
            # the client's delayed ACK (~40 ms a request), which no real service adds.
            disable_nagle_algorithm = True

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server._dispatch(recorded)
                if server.latency or reply.delay:
                    time.sleep(server.latency + reply.delay)
                body, headers = reply.encode()
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format, *args):  # noqa: A002 - quiet test output
                pass

        return _Handler
