"""Every page against the floors of the same stack, measured in the same run.

gunicorn (gunicorn.conf.py: the production server settings) with the test settings plus
persistent database connections as in production, on PostgreSQL and Redis. A user is synced
(50 artists and tracks per range, through the real sync against the fake Spotify) into a
throwaway database, with vibes, a few thousand plays and a lyrics lookup. The load comes from a
second process sending a browser's Accept-Encoding: wrk (Debian's `wrk`, 1 thread, 4
connections, keep-alive) when installed, else a small multi-process Python client (4 processes,
one connection per request); the tool is printed.

Floors (all on the same server):
- trivial view, anonymous: ``/_bench/floor/`` (bench/_urls.py: every middleware, a view that
  does nothing);
- trivial view with the session: ``/_bench/floor-user/`` (reads request.user);
- anonymous page: ``/about/`` (the stack's floor for a page);
- authenticated page: ``/about/`` with the user's session (the floor pages are held to).
Then each page, cached, as req/s, median and p95 and its ratio to the authenticated floor
(targets: authenticated floor >= 0.6 of the anonymous one; cached pages >= 0.8 of the
authenticated floor). Then the dashboard's misses, one client at a time, against the cached
median (target <= 3x): the rendered page not cached (PAGE_CACHE off: the data still in Redis),
and nothing cached at all (Django's DummyCache: everything from PostgreSQL).
Every floor and page is the median of 5 interleaved rounds (see ``rounds_measure``).
BENCH_SECONDS (default 5) sets the length of each measurement (a round: 2/5 of it).
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
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = 5
RETRIES = 5
REMEASURED: dict[str, int] = {}  # label -> rounds measured again (all connections in one process)
ROUND_SECONDS = max(1, DURATION * 2 // 5)  # 2 s by default
CONN_MAX_AGE = int(os.environ.get("BENCH_CONN_MAX_AGE", "60"))
BENCH_DB = f"bench_personalify_dashboard_{os.getpid()}"
ROOT = Path(__file__).resolve().parent.parent
# What a browser sends (Chromium's): kept pages are served gzip to such a client.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
LYRICS = "Blue waves under a paper moon\nWe kept the lights on for the tide\n" * 12
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
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": ACCEPT_ENCODING})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def _body(port: int, path: str, cookie: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    body = conn.getresponse().read().decode()
    conn.close()
    return body


def _client_worker(port: int, path: str, cookie: str, until: float, out) -> None:
    latencies, errors = [], 0
    while time.perf_counter() < until:
        status, seconds = _get(port, path, cookie)
        latencies.append(seconds)
        errors += status != 200
    out.put((latencies, errors))


def _python_load(
    port: int, path: str, cookie: str, connections: int = 4, duration: int = DURATION
) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    until = time.perf_counter() + duration
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
        "rps": len(latencies) / duration,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
        "requests": len(latencies),
    }


def _connections_per_process(port: int) -> list[int] | None:
    """How the server's established connections on ``port`` sit in its processes (``ss``, from
    iproute2), or None where ``ss`` cannot tell."""
    if not shutil.which("ss"):
        return None
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    pids = [
        line.split("pid=", 1)[1].split(",", 1)[0] for line in out.splitlines() if "pid=" in line
    ]
    if not pids:
        return None
    return sorted(Counter(pids).values())


def _wrk_load(
    port: int, path: str, cookie: str, connections: int = 4, duration: int = DURATION
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        wrk = subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                "-H",
                f"Accept-Encoding: {ACCEPT_ENCODING}",
                f"http://127.0.0.1:{port}{path}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(min(0.5, duration / 4))
        split = _connections_per_process(port)
        out, err = wrk.communicate(timeout=duration + 30)
        if wrk.returncode:
            raise RuntimeError(f"wrk failed ({wrk.returncode}): {err}")
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
        "split": split,
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
    # The production server settings (gunicorn.conf.py), without the access log (one line per
    # request would be measured too). BENCH_GUNICORN_ARGS adds options (bench/serving.py).
    command = [sys.executable, "-m", "gunicorn", "personalify.wsgi:application"]
    command += ["-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["--access-logfile", "/dev/null"]
    command += env.get("BENCH_GUNICORN_ARGS", "").split()
    return subprocess.Popen(command, cwd=ROOT, env=env)


class Stack:
    """A synced user in a throwaway database, and the settings modules the servers run with."""

    def __enter__(self) -> Stack:
        from django.conf import settings
        from django.db import connection

        from music import history
        from personalify.localmongo import LocalMongo

        connection.settings_dict["TEST"]["NAME"] = BENCH_DB
        # The listening archive in the main database (no node B: the page is measured, not
        # postgres_fdw), in this process and in the servers' settings below.
        settings.ARCHIVE_DATABASE = "default"
        self.mongo = LocalMongo().start()
        settings.MONGO_URI = self.mongo.uri
        history.history_client_reset()
        self.old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        self.fake = self.lrclib = None
        self.settings_dir = tempfile.mkdtemp(prefix="bench-pages-")
        self.servers: list[subprocess.Popen] = []
        try:
            self._fill()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _fill(self) -> None:
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import get_user_model

        from analytics.models import Vibe
        from music import selectors
        from music.models import Track
        from music.services import library_sync
        from music.services.export_plays import EXTENDED, play_from_item
        from music.services.plays import plays_store
        from music.spotify import SpotifyClient
        from personalify.testing.lrclib import FakeLRCLib
        from personalify.testing.spotify import FakeSpotify
        from personalify.testing.spotify_export import extended_items

        self.fake = FakeSpotify(n_items=50, user_id="bench-dashboard").start()
        user = get_user_model().objects.create(
            username="bench-dashboard", spotify_id="bench-dashboard", display_name="Bench"
        )
        client = SpotifyClient(access_token=self.fake.access_token, base_url=self.fake.api_url)
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
        # Four weeks of plays, one every 8 minutes (the statistics page's default period).
        start = datetime.now(UTC) - timedelta(days=27)
        items = extended_items(5000, start=start, step=timedelta(minutes=8), tracks=300)
        rows = [play_from_item(i, kind=EXTENDED, spotify_id=user.spotify_id).row for i in items]
        plays_store(plays=[row for row in rows if row is not None])
        self.track_id = selectors.top_get(user=user, time_range="short_term")["tracks"][0]["id"]
        # The lyrics page shows real lyrics: LRCLib (a local fake) has the top track's.
        track = Track.objects.prefetch_related("credits__artist").get(id=self.track_id)
        artist = min(track.credits.all(), key=lambda credit: credit.position).artist.name
        self.lrclib = FakeLRCLib().start()
        self.lrclib.add(
            track.name, artist, track.album_name, track.duration_ms / 1000, plain=LYRICS
        )

        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "accounts.backends.SpotifyOAuth2"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

        db = settings.DATABASES["default"]
        db_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        # The test settings, with persistent database connections as in production
        # (DB_CONN_MAX_AGE defaults to 60 s; the test settings use 0 to keep tests isolated),
        # the bench's URLconf (the trivial view) and no debug-only static file finders.
        Path(self.settings_dir, "bench_pages_settings.py").write_text(
            "from personalify.settings.test import *  # noqa\n"
            f"DATABASES['default']['CONN_MAX_AGE'] = {CONN_MAX_AGE}\n"
            "ROOT_URLCONF = 'bench._urls'\n"
            "ARCHIVE_DATABASE = 'default'\n"
            f"LRCLIB_URL = {self.lrclib.url!r}\n"
        )
        # The rendered pages are not kept (the data they show still are).
        Path(self.settings_dir, "bench_pages_nopage_settings.py").write_text(
            "from bench_pages_settings import *  # noqa\nPAGE_CACHE = False\n"
        )
        # Nothing is ever found in the cache, nothing kept: every page from PostgreSQL.
        Path(self.settings_dir, "bench_pages_nocache_settings.py").write_text(
            "from bench_pages_settings import *  # noqa\n"
            "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}}\n"
        )
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [self.settings_dir, str(ROOT), os.environ.get("PYTHONPATH")])
            ),
            "TEST_DATABASE_URL": db_url,
            "TEST_REDIS_URL": settings.REDIS_URL,
            "TEST_MONGO_URI": self.mongo.uri,
        }

    def serve(self, module: str, **env) -> int:
        port = _free_port()
        server = _gunicorn(port, {**self.env, "DJANGO_SETTINGS_MODULE": module, **env})
        self.servers.append(server)
        _wait_for(port, server)
        return port

    def stop_servers(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=15)
        self.servers.clear()

    def __exit__(self, *exc) -> None:
        from django.core.cache import cache
        from django.db import connection

        from music import history

        self.stop_servers()
        for fake in (self.fake, self.lrclib):
            if fake:
                fake.stop()
        connection.creation.destroy_test_db(self.old_name, verbosity=0)
        history.history_client_reset()
        self.mongo.stop()
        cache.clear()  # the benchmarks' own Redis database (see bench/__main__.py)
        shutil.rmtree(self.settings_dir, ignore_errors=True)


def measure(
    port: int, path: str, cookie: str, connections: int = 4, seconds: int | None = None
) -> dict:
    status, _ = _get(port, path, cookie)
    assert status == 200, f"{path} answered {status}"
    for _ in range(20):  # warm every worker (imports, templates, cache entries)
        _get(port, path, cookie)
    load = _wrk_load if shutil.which("wrk") else _python_load
    return load(port, path, cookie, connections, seconds or DURATION)


def _line(label: str, figures: dict, ratios: str) -> str:
    rounds = figures.get("rounds")
    return (
        f"{label:<44} {figures['rps']:7.0f} req/s  median {figures['p50']:6.1f} ms  "
        f"p95 {figures['p95']:6.1f} ms  {ratios}"
        + (f" (rounds: {' / '.join(str(r) for r in rounds)} req/s)" if rounds else "")
    )


def _record(name: str, figures: dict) -> None:
    from bench._results import record

    record("pages", f"{name} req/s", figures["rps"], "req/s", "higher")
    record("pages", f"{name} median", figures["p50"], "ms", "lower")
    record("pages", f"{name} p95", figures["p95"], "ms", "lower")


FLOORS = (
    ("floor: trivial view, anonymous", "/_bench/floor/", False),
    ("floor: trivial view, with the session", "/_bench/floor-user/", True),
    ("floor: anonymous page /about/", "/about/", False),
    ("floor: authenticated page /about/", "/about/", True),
)


def pages(track_id: str) -> list[tuple[str, str]]:
    return [
        ("dashboard, short term", "/dashboard/?range=short_term"),
        ("dashboard, medium term", "/dashboard/?range=medium_term"),
        ("dashboard, long term", "/dashboard/?range=long_term"),
        ("dashboard status (polled)", "/dashboard/status/"),
        ("history", "/dashboard/history/"),
        ("mood", "/analytics/mood/"),
        ("listening statistics, 4 weeks", "/analytics/listening/"),
        ("lyrics of a top track", f"/lyrics/track/{track_id}/"),
    ]


def _combined(parts: list[dict]) -> dict:
    """Rounds of one measurement as one: requests over the total time, medians of the rounds."""
    total = sum(p["requests"] for p in parts)
    return {
        "tool": parts[0]["tool"],
        "rps": statistics.median(p["rps"] for p in parts),
        "p50": statistics.median(p["p50"] for p in parts),
        "p95": statistics.median(p["p95"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
        "requests": total,
        "rounds": [round(p["rps"]) for p in parts],
    }


def _one_process(figures: dict, connections: int) -> bool:
    split = figures.get("split")
    return connections > 1 and split is not None and len(split) == 1


def rounds_measure(port: int, targets: list[tuple[str, str, str]], rounds: int = ROUNDS) -> dict:
    """Every ``(label, path, cookie)`` in ``rounds`` interleaved rounds of ROUND_SECONDS (noise
    on a shared machine then hits all of them alike), each the median of its rounds.

    gthread keeps a keep-alive connection in the process that accepted it, and often one
    process accepts all four of wrk's connections while the other idles (1 run in 8 on an idle
    machine, more than half of them on a busy one): that run measures one core, at about half
    the rate, whatever the page costs (seen with `ss`: 4-0 splits measured 318-358 req/s where
    2-2 and 3-1 splits of the same page measured 613-1,089). So each round checks, with `ss`,
    how its connections sit, and a round whose connections all sit in one process is measured
    again (up to RETRIES times; the count is printed)."""
    parts: dict[str, list[dict]] = {label: [] for label, _, _ in targets}
    for _ in range(rounds):
        for label, path, cookie in targets:
            figures = measure(port, path, cookie, seconds=ROUND_SECONDS)
            for _retry in range(RETRIES):
                if not _one_process(figures, 4):
                    break
                REMEASURED[label] = REMEASURED.get(label, 0) + 1
                figures = measure(port, path, cookie, seconds=ROUND_SECONDS)
            parts[label].append(figures)
    return {label: _combined(p) for label, p in parts.items()}


def run() -> None:
    from bench._results import record

    with Stack() as stack:
        tool = "wrk -t1 -c4 (keep-alive)" if shutil.which("wrk") else "python client, 4 processes"
        print(
            "server: gunicorn.conf.py (the production server settings), test settings with "
            f"CONN_MAX_AGE {CONN_MAX_AGE} s, PostgreSQL + Redis; load: {tool}, {DURATION} s each "
            f"(every floor and page: the median of {ROUNDS} interleaved rounds of "
            f"{ROUND_SECONDS} s); load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        port = stack.serve("bench_pages_settings")
        targets = [
            (label, path, stack.cookie if with_session else "")
            for label, path, with_session in FLOORS
        ]
        targets += [(label, path, stack.cookie) for label, path in pages(stack.track_id)]
        lyrics = _body(port, f"/lyrics/track/{stack.track_id}/", stack.cookie)
        assert LYRICS.splitlines()[0] in lyrics, "the lyrics page shows no lyrics"
        measured = rounds_measure(port, targets)
        floors = {label: measured[label] for label, _, _ in FLOORS}
        anonymous = floors["floor: anonymous page /about/"]
        authenticated = floors["floor: authenticated page /about/"]
        for label, figures in floors.items():
            print(
                _line(
                    label,
                    figures,
                    f"= {figures['rps'] / anonymous['rps']:.2f} of the anonymous floor, "
                    f"{figures['rps'] / authenticated['rps']:.2f} of the authenticated floor",
                )
            )
            _record(label, figures)
        ratio = authenticated["rps"] / anonymous["rps"]
        record("pages", "authenticated floor / anonymous floor", ratio, "ratio")
        trivial = (
            floors["floor: trivial view, with the session"]["rps"]
            / floors["floor: trivial view, anonymous"]["rps"]
        )
        record("pages", "trivial view: with the session / anonymous", trivial, "ratio")
        print(
            f"authenticated floor / anonymous floor: {ratio:.2f} "
            f"(target >= 0.6: {'met' if ratio >= 0.6 else 'NOT met'}); trivial view with the "
            f"session / anonymous: {trivial:.2f}"
        )
        cached = {}
        for label, _path in pages(stack.track_id):
            figures = cached[label] = measured[label]
            share = figures["rps"] / authenticated["rps"]
            verdict = "met" if share >= 0.8 else "NOT met"
            print(
                _line(
                    label,
                    figures,
                    f"= {share:.2f} of the authenticated floor (target >= 0.8: {verdict})",
                )
            )
            _record(label, figures)
            record("pages", f"{label} / authenticated floor", share, "ratio")
            if figures["errors"]:
                print(f"   ({figures['errors']} errors of {figures['requests']} requests)")
        again = sum(REMEASURED.values())
        detail = ", ".join(f"{label} {n}" for label, n in REMEASURED.items())
        print(
            f"rounds whose 4 connections all sat in one gunicorn process, measured again: "
            f"{again} of {ROUNDS * len(targets)}" + (f" ({detail})" if detail else "")
        )
        record("pages", "one-process rounds measured again", again, "count", "lower")

        # Misses, one client at a time (what a user waits for), against the cached page
        # measured the same way on the same server.
        dashboard = "/dashboard/?range=short_term"
        base = measure(port, dashboard, stack.cookie, connections=1)
        print(_line("dashboard, cached, 1 client", base, "(the misses' reference)"))
        _record("dashboard, cached, 1 client", base)
        stack.stop_servers()
        for label, module in (
            ("dashboard, rendered page not cached", "bench_pages_nopage_settings"),
            ("dashboard, nothing cached (DummyCache)", "bench_pages_nocache_settings"),
        ):
            port = stack.serve(module)
            figures = measure(port, dashboard, stack.cookie, connections=1)
            times = figures["p50"] / base["p50"]
            # The target is the page cache's miss (what follows a sync, data in Redis);
            # without any cache (Redis lost) everything comes from PostgreSQL: for reference.
            verdict = (
                f"target <= 3x: {'met' if times <= 3 else 'NOT met'}"
                if module == "bench_pages_nopage_settings"
                else "no cache at all: for reference"
            )
            print(
                _line(
                    label + ", 1 client",
                    figures,
                    f"median = {times:.1f}x the cached median ({verdict})",
                )
            )
            _record(label, figures)
            record("pages", f"{label} median / cached median", times, "x", "lower")
            stack.stop_servers()
