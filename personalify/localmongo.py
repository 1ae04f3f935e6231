"""Start and stop a local MongoDB-wire server (SecantusDB) as a separate process.

The embedded default of `make run` when no MONGO_URI is configured, and the test session's
server. It waits for the server to accept connections; it never talks MongoDB itself (only
``music.history`` does).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalMongo:
    def __init__(self, storage: str | Path = ":memory:", port: int | None = None, log=None):
        self.port = port or free_port()
        self.storage = str(storage)
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, wait: float = 30.0) -> LocalMongo:
        if self.storage != ":memory:":
            Path(self.storage).mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "secantus",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--storage-path",
            self.storage,
            "--log-level",
            "WARNING",
        ]
        self.process = subprocess.Popen(
            cmd,
            stdout=self.log or subprocess.DEVNULL,
            stderr=self.log or subprocess.STDOUT,
            start_new_session=True,  # stopped by stop(), not by the terminal's Ctrl-C
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SecantusDB exited with code {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.3).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"SecantusDB did not answer on port {self.port} within {wait:.0f}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
