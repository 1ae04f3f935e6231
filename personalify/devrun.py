"""`make run`: bring the whole site up on this machine, and take it down on Ctrl-C.

With nothing configured it uses the embedded defaults (SQLite, local-memory cache, tasks
in-process) and starts a local MongoDB-wire server with its data under var/mongo. Whatever is
set in the environment or .env (DATABASE_URL, REDIS_URL, MONGO_URI, CELERY_BROKER_URL) is used
instead; with a broker configured, a Celery worker (with beat) is started too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PYTHON = sys.executable
MANAGE = [PYTHON, str(BASE_DIR / "manage.py")]


def _configured(name: str) -> str:
    env = environ.Env()
    if (BASE_DIR / ".env").exists():
        environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    return env.str(name, default="")


def _say(message: str) -> None:
    print(f"[personalify] {message}", flush=True)


def secret_key_ensure(path: Path) -> str:
    """The random SECRET_KEY kept in ``path`` (created on first use, readable by its owner only)."""
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    import secrets

    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def main() -> int:
    from personalify.localmongo import LocalMongo, free_port

    VAR_DIR.mkdir(exist_ok=True)
    if not _configured("SECRET_KEY"):
        # Settings refuse to load without a key; a local run gets its own, kept across runs.
        os.environ["SECRET_KEY"] = secret_key_ensure(VAR_DIR / "secret_key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalify.settings.base")
    started: list[subprocess.Popen] = []
    mongo = None
    try:
        if not (_configured("MONGO_URI") or _configured("MONGO_HOST")):
            port = 27018
            try:
                import socket

                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    port = free_port()  # 27018 is taken by something else
            except OSError:
                pass
            log = open(VAR_DIR / "mongo.log", "ab")  # noqa: SIM115 - lives as long as the server
            _say(f"starting the local MongoDB-wire server (SecantusDB) on 127.0.0.1:{port}")
            mongo = LocalMongo(storage=VAR_DIR / "mongo", port=port, log=log).start()
            os.environ["MONGO_URI"] = mongo.uri
        subprocess.run([*MANAGE, "migrate", "--noinput"], check=True)
        subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v", "0"], check=True)
        import django
        from django.core.management import get_commands

        django.setup()
        if "load_demo" in get_commands():
            subprocess.run([*MANAGE, "load_demo"], check=False)
        if _configured("CELERY_BROKER_URL"):
            _say("starting a Celery worker with beat")
            started.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "personalify",
                        "worker",
                        "-B",
                        "--loglevel",
                        "INFO",
                        "--concurrency",
                        "2",
                    ],
                    start_new_session=True,
                )
            )
        _say("serving http://127.0.0.1:8000  (Ctrl-C stops everything)")
        # Children get their own session: Ctrl-C reaches only this script, which stops them in
        # order (a SIGINT racing through every process left tracebacks behind).
        server = subprocess.Popen(
            [*MANAGE, "runserver", "--noreload", "127.0.0.1:8000"], start_new_session=True
        )
        started.append(server)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as exc:
        _say(f"set-up step failed: {' '.join(map(str, exc.cmd[1:]))}")
        return exc.returncode or 1
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if mongo:
            mongo.stop()
        _say("stopped")


if __name__ == "__main__":
    sys.exit(main())
