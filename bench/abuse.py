"""What one visitor's worst pastes cost everyone else: /about/ while they run.

gunicorn with the project's gunicorn.conf.py (2 processes x 4 threads) on the test settings and
a throwaway database. One logged-in user (rate limit lifted for the benchmark) posts the worst
paste (5,000 characters of one-letter stanzas) from 4 connections at once, over and over, while
a fifth connection reads /about/. Figures: /about/ median and p95 meanwhile, as a ratio to
/about/ alone measured first in the same run (the floor), and the same with gunicorn's sync
workers (the image's server before; `--threads 1`, since more threads turn sync into gthread)
for comparison. Target: /about/ p95 < 100 ms under load.
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DURATION = 10.0
PASTERS = 4
BENCH_DB = f"bench_personalify_abuse_{os.getpid()}"
ROOT = Path(__file__).resolve().parent.parent
CRAFTED = ("w\n\n" * 2500)[:5000]
CSRF = "a" * 32  # an unmasked CSRF secret: accepted as both cookie and header


def _request(
    port: int, method: str, path: str, cookie: str, body: bytes = b""
) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie}
    if method == "POST":
        headers.update({"Content-Type": "application/json", "X-CSRFToken": CSRF})
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def _about_latencies(port: int, until: float, limit: int = 10_000) -> list[float]:
    out = []
    while time.perf_counter() < until and len(out) < limit:
        status, seconds = _request(port, "GET", "/about/", "")
        assert status == 200, f"/about/ answered {status}"
        out.append(seconds * 1000)
    return out


def _measure(port: int, cookie: str) -> dict:
    import json

    body = json.dumps({"text": CRAFTED}).encode()
    for _ in range(2 * PASTERS):  # load the model in both processes before timing anything
        status, _ = _request(port, "POST", "/analytics/emotions/analyse.json", cookie, body)
        assert status == 200, f"the paste answered {status}"
    floor = _about_latencies(port, time.perf_counter() + 60, limit=300)
    until = time.perf_counter() + DURATION
    pastes: list[float] = []
    codes: list[int] = []

    def paster() -> None:
        while time.perf_counter() < until:
            status, seconds = _request(
                port, "POST", "/analytics/emotions/analyse.json", cookie, body
            )
            codes.append(status)
            pastes.append(seconds * 1000)

    threads = [threading.Thread(target=paster) for _ in range(PASTERS)]
    for thread in threads:
        thread.start()
    loaded = _about_latencies(port, until)
    for thread in threads:
        thread.join()
    return {
        "floor_p50": statistics.median(floor),
        "floor_p95": _p95(floor),
        "p50": statistics.median(loaded),
        "p95": _p95(loaded),
        "about": len(loaded),
        "pastes": len(pastes),
        "paste_p50": statistics.median(pastes) if pastes else float("nan"),
        "paste_errors": sum(code != 200 for code in codes),
    }


def run() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection

    from accounts.sessions import SessionStore
    from personalify.localmongo import free_port

    connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings_dir = tempfile.mkdtemp(prefix="bench-abuse-")
    server = None
    try:
        user = get_user_model().objects.create(
            username="bench-abuse", spotify_id="bench-abuse", display_name="Bench"
        )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={CSRF}"
        db = settings.DATABASES["default"]
        Path(settings_dir, "bench_abuse_settings.py").write_text(
            "from personalify.settings.test import *  # noqa\n"
            "DATABASES['default']['CONN_MAX_AGE'] = 60\n"
            "EMOTION_RATE_LIMIT = EMOTION_RATE_LIMIT_PER_ADDRESS = 1_000_000\n"
        )
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [settings_dir, os.environ.get("PYTHONPATH")])
            ),
            "DJANGO_SETTINGS_MODULE": "bench_abuse_settings",
            "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "TEST_REDIS_URL": settings.REDIS_URL,
        }
        results = {}
        for label, extra in (
            ("gthread", []),
            ("sync", ["--worker-class", "sync", "--threads", "1"]),
        ):
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "personalify.wsgi:application"]
            command += ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            command += ["--log-level", "warning", "--access-logfile", "/dev/null", *extra]
            server = subprocess.Popen(command, cwd=ROOT, env=env)
            deadline = time.monotonic() + 30
            while True:
                try:
                    _request(port, "GET", "/about/", "")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.2)
            results[label] = _measure(port, cookie)
            server.terminate()
            server.wait(timeout=15)
        print(
            f"{PASTERS} connections post the worst paste (5,000 chars of one-letter stanzas) "
            f"for {DURATION:.0f} s while one reads /about/; gunicorn 2 workers"
        )
        for label, r in results.items():
            print(
                f"{label:8s} /about/ alone (floor): median {r['floor_p50']:.1f} ms, p95 "
                f"{r['floor_p95']:.1f} ms | meanwhile: median {r['p50']:.1f} ms, p95 "
                f"{r['p95']:.1f} ms = {r['p95'] / r['floor_p95']:.1f}x the floor's p95 "
                f"({r['about']} reads) | pastes: {r['pastes']} done, median "
                f"{r['paste_p50']:.0f} ms, {r['paste_errors']} not 200"
            )
        g, s = results["gthread"], results["sync"]
        print(
            f"/about/ p95 under the pastes: gthread {g['p95']:.1f} ms (target < 100 ms), "
            f"sync workers {s['p95']:.1f} ms = {s['p95'] / g['p95']:.1f}x gthread"
        )
    finally:
        if server and server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        cache.clear()
        shutil.rmtree(settings_dir, ignore_errors=True)
