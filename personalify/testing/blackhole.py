"""A TCP server that accepts connections and never answers: a hung Redis or PostgreSQL.

A stopped server refuses connections at once; a hung one (a full backlog, a frozen process, a
black-holed route) lets the client connect and then waits forever. This stands in for the second
kind, on a free port of 127.0.0.1, and counts the connections it was sent.
"""

from __future__ import annotations

import socket
import threading


class BlackHole:
    def __init__(self):
        self._server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self._server.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="blackhole", daemon=True)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)  # kept open, never read from, never written to

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed.set()
        self._server.close()
        for conn in self._held:
            conn.close()
        self._thread.join(timeout=5)
