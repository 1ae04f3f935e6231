"""A TCP proxy on a free port of 127.0.0.1 that a test can pause: a service that stops answering
in the middle of a conversation (between two writes of one delivery, say), then goes on.

While paused, bytes read from either side are held, not forwarded; ``resume`` forwards them.
Used to stop the application at a chosen point with the real server behind the proxy.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class PausableProxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._server.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self.forwarded = 0  # chunks passed on, so a test can tell traffic happened
        self._thread = threading.Thread(target=self._accept, name="proxy", daemon=True)

    def pause(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self._open.wait()
            try:
                dst.sendall(data)
            except OSError:
                break
            self.forwarded += 1
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> PausableProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed.set()
        self._open.set()
        self._server.close()
        for sock in self._sockets:
            sock.close()
        self._thread.join(timeout=5)
