"""A real ``celery -A personalify worker`` process for tests, on the test broker and database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def database_url(db: dict) -> str:
    """A URL for the database Django is connected to (the test database, by its real name)."""
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{db['NAME']}"


def celery_worker_start(
    *, queue: str, broker: str, db: dict, redis_url: str, mongo_uri: str, fake_spotify, **env
) -> subprocess.Popen:
    """Start a solo-pool worker consuming ``queue``; ``env`` adds variables (e.g. shorter
    SYNC_LOCK_TTL or CELERY_VISIBILITY_TIMEOUT)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "personalify.settings.test",
        "TEST_DATABASE_URL": database_url(db),
        "TEST_REDIS_URL": redis_url,
        "TEST_MONGO_URI": mongo_uri,
        "TEST_SPOTIFY_ACCOUNTS_URL": fake_spotify.accounts_url,
        "TEST_SPOTIFY_API_URL": fake_spotify.api_url,
        "CELERY_RESULT_BACKEND": broker,
        **{key: str(value) for key, value in env.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "personalify", "-b", broker, "worker",
         "--pool", "solo", "-Q", queue, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def celery_worker_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
