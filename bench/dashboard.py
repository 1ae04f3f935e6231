"""The dashboard under load: gunicorn (gunicorn.conf.py, test settings) on PostgreSQL and Redis.

A user is synced (50 artists and tracks per range, through the real sync against the fake
Spotify) into a throwaway database. Then, from a second process:
- cached: wrk (Debian) for 10 s, or a small multi-process Python client when wrk is missing;
  requests/s, median and p95 latency (targets: >= 300 req/s, p95 < 30 ms);
- cache miss: a second gunicorn whose cache is Django's DummyCache, so
  every request rebuilds the page from PostgreSQL; requests/s, median and p95 (target: < 60 ms).
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DURATION = 10
CONN_MAX_AGE = int(os.environ.get("BENCH_CONN_MAX_AGE", "60"))
BENCH_DB = f"bench_personalify_dashboard_{os.getpid()}"
ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %d %d %d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.timeout))
end
"""


def _free_port() -> int:
    from personalify.localmongo import free_port

    return free_port()


def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def _client_worker(port: int, path: str, cookie: str, until: float, out) -> None:
    latencies, errors = [], 0
    while time.perf_counter() < until:
        status, seconds = _get(port, path, cookie)
        latencies.append(seconds)
        errors += status != 200
    out.put((latencies, errors))


def _python_load(port: int, path: str, cookie: str, connections: int = 4) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    until = time.perf_counter() + DURATION
    workers = [
        multiprocessing.Process(target=_client_worker, args=(port, path, cookie, until, queue))
        for _ in range(connections)
    ]
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        part, part_errors = queue.get()
        latencies += part
        errors += part_errors
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "tool": f"python client, {connections} processes",
        "rps": len(latencies) / DURATION,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def _wrk_load(port: int, path: str, cookie: str, connections: int = 4) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{DURATION}s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=DURATION + 30,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, seconds, p50, p95, errors = line.split()[1:]
    return {
        "tool": f"wrk -t1 -c{connections}",
        "rps": int(requests) / float(seconds),
        "p50": int(p50) / 1000,
        "p95": int(p95) / 1000,
        "errors": int(errors),
        "requests": int(requests),
    }


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            _get(port, "/about/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _gunicorn(port: int, env: dict) -> subprocess.Popen:
    # The production server settings (gunicorn.conf.py: 2 processes x 4 threads), without the
    # access log (one line per request would be measured too).
    command = [sys.executable, "-m", "gunicorn", "personalify.wsgi:application"]
    command += ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["--access-logfile", "/dev/null"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def run() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection

    from accounts.sessions import SessionStore
    from analytics.models import Vibe
    from music import history
    from music.services import library_sync
    from music.spotify import SpotifyClient
    from personalify.localmongo import LocalMongo
    from personalify.testing.spotify import FakeSpotify

    connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    mongo = LocalMongo().start()
    settings.MONGO_URI = mongo.uri
    history.history_client_reset()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    fake = FakeSpotify(n_items=50, user_id="bench-dashboard").start()
    server = None
    settings_dir = None
    try:
        user = get_user_model().objects.create(
            username="bench-dashboard", spotify_id="bench-dashboard", display_name="Bench"
        )
        client = SpotifyClient(access_token=fake.access_token, base_url=fake.api_url)
        assert library_sync(user=user, client=client).ok
        for time_range in ("short_term", "medium_term", "long_term"):
            Vibe.objects.update_or_create(
                user=user,
                time_range=time_range,
                defaults={
                    "sentence": "Shades of soft sadness, tender love and quiet longing",
                    "top": [["sadness", 0.31], ["love", 0.22], ["desire", 0.12]],
                    "fine": {"sadness": 0.31, "love": 0.22, "desire": 0.12},
                    "coarse": {"sadness": 0.5, "joy": 0.2},
                    "confidence": 0.6,
                    "confidence_level": "medium",
                    "analysed_count": 50,
                    "skipped_count": 0,
                    "backends": {"local": 50},
                },
            )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

        db_url = f"postgres://{settings.DATABASES['default']['USER']}@" + (
            f"{settings.DATABASES['default']['HOST']}:{settings.DATABASES['default']['PORT']}/"
            f"{settings.DATABASES['default']['NAME']}"
        )
        # The test settings, with persistent database connections as in production
        # (DB_CONN_MAX_AGE defaults to 60 s; the test settings use 0 to keep tests isolated).
        settings_dir = tempfile.mkdtemp(prefix="bench-dashboard-")
        Path(settings_dir, "bench_dashboard_settings.py").write_text(
            "from personalify.settings.test import *  # noqa\n"
            f"DATABASES['default']['CONN_MAX_AGE'] = {CONN_MAX_AGE}\n"
        )
        # The cache-miss server: nothing is ever found in its cache, nothing kept.
        Path(settings_dir, "bench_dashboard_miss_settings.py").write_text(
            "from bench_dashboard_settings import *  # noqa\n"
            "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}}\n"
        )
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [settings_dir, os.environ.get("PYTHONPATH")])
            ),
            "TEST_DATABASE_URL": db_url,
            "TEST_REDIS_URL": settings.REDIS_URL,
        }
        path = "/dashboard/?range=short_term"
        results = {}
        # The miss is measured twice: one client at a time (what a user waits for a cold
        # page) and four at once (throughput, with queueing on the 2 workers).
        for label, module, connections in (
            ("cached", "bench_dashboard_settings", 4),
            ("miss", "bench_dashboard_miss_settings", 1),
            ("miss4", "bench_dashboard_miss_settings", 4),
        ):
            port = _free_port()
            server = _gunicorn(port, {**env, "DJANGO_SETTINGS_MODULE": module})
            _wait_for(port, server)
            status, _ = _get(port, path, cookie)
            assert status == 200, f"dashboard answered {status}"
            for _ in range(20):  # warm both workers (imports, templates, cache entries)
                _get(port, path, cookie)
            load = _wrk_load if shutil.which("wrk") else _python_load
            results[label] = load(port, path, cookie, connections)
            server.terminate()
            server.wait(timeout=15)
        cached, miss, miss4 = results["cached"], results["miss"], results["miss4"]

        print(
            "server: gunicorn.conf.py (2 processes x 4 threads), test settings (CONN_MAX_AGE "
            f"{CONN_MAX_AGE} s), PostgreSQL + Redis; 50 items per range"
        )
        print(
            f"cached dashboard ({cached['tool']}, {DURATION} s): "
            f"{cached['rps']:.0f} req/s, median {cached['p50']:.1f} ms, p95 {cached['p95']:.1f} ms"
            f" ({cached['requests']} requests, {cached['errors']} errors)"
            f"   targets: >= 300 req/s, p95 < 30 ms"
        )
        print(
            f"cache miss, every page rebuilt from PostgreSQL ({miss['tool']}, {DURATION} s): "
            f"{miss['rps']:.0f} req/s, median {miss['p50']:.1f} ms, p95 {miss['p95']:.1f} ms"
            f" ({miss['requests']} requests, {miss['errors']} errors)   target: < 60 ms"
        )
        print(
            f"cache miss under load ({miss4['tool']}, {DURATION} s): {miss4['rps']:.0f} req/s, "
            f"median {miss4['p50']:.1f} ms, p95 {miss4['p95']:.1f} ms"
        )
        print(f"miss / cached median: {miss['p50'] / cached['p50']:.1f}x")
    finally:
        if server and server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        fake.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        mongo.stop()
        cache.clear()  # the benchmarks' own Redis database (see bench/__main__.py)
        if settings_dir:
            shutil.rmtree(settings_dir, ignore_errors=True)
