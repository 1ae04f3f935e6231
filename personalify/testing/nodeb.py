"""A throw-away second PostgreSQL server ("node B") for the test session and the benchmark.

``initdb`` into a temporary directory and ``pg_ctl`` on a free local port, trust authentication,
listening on 127.0.0.1 only. PostgreSQL refuses to run as root, so when the suite runs as root
(CI on a clean machine) the server runs as the ``postgres`` system user (``runuser``).
Durability is switched off: this data lives as long as the test session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bindir() -> Path:
    """The directory of initdb/pg_ctl: on PATH, else Debian's versioned directory."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise RuntimeError("initdb not found: install PostgreSQL's server package")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NodeB:
    """``NodeB().start()``; ``.url``; ``.stop()`` then ``.start()`` again (same port and data);
    ``.destroy()`` stops it and removes its files."""

    def __init__(self, *, port: int | None = None):
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.user = "postgres"
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="personalify-nodeb-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        self._initialised = False
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def _init(self) -> None:
        if self._as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        try:
            self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8")
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.strip()}") from exc
        self._initialised = True

    def start(self) -> NodeB:
        if not self._initialised:
            self._init()
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={self.host} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50 -c shared_buffers=64MB"
        )
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                      "-t", "60", "start")  # fmt: skip
        except subprocess.CalledProcessError as exc:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"node B did not start: {exc.stderr.strip()}\n{tail}") from exc
        self.running = True
        return self

    def stop(self, *, mode: str = "fast") -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        self.running = False

    def destroy(self) -> None:
        self.stop(mode="fast")  # waits until every server process is gone
        for _ in range(5):  # a straggling process may still create a file while it exits
            shutil.rmtree(self.root, ignore_errors=True)
            if not self.root.exists():
                return
            time.sleep(0.2)


def node_b_attach(settings, url: str, *, database: str) -> dict:
    """Add node B as the ``archive`` database alias (its test database named ``database``) and
    point the FDW_REMOTE_* settings at that database, as node A's server reaches it."""
    import environ
    from django.db import connections

    config = environ.Env.db_url_config(url)
    config.update(CONN_MAX_AGE=0, OPTIONS={"connect_timeout": 3}, TEST={"NAME": database})
    settings.DATABASES["archive"] = config
    # The connection handler reads DATABASES once; make it read them again, and drop an
    # ``archive`` connection made for an earlier node B (a second benchmark in one process).
    connections.__dict__.pop("settings", None)
    connections._settings = None
    old = getattr(connections._connections, "archive", None)
    if old is not None:
        old.close()
        delattr(connections._connections, "archive")
    settings.ARCHIVE_DATABASE = "archive"
    settings.FDW_REMOTE_HOST = config["HOST"]
    settings.FDW_REMOTE_PORT = int(config["PORT"])
    settings.FDW_REMOTE_DB = database
    settings.FDW_REMOTE_USER = config["USER"]
    settings.FDW_REMOTE_PASSWORD = config.get("PASSWORD") or ""
    return config
