"""The import of Spotify's export into node B, and the year's statistics page over it.

Starts its own node B and a throwaway database on node A, then prints:
- the import of a generated 200,000-play extended-history export (a zip of 14 files, as Spotify
  sends it) through the real job (``play_import_run``: streaming parse, normalisation,
  catalogue rows from names, overlap check, COPY into node B and its summaries' triggers,
  checkpoints; with the writer thread, ``PLAY_IMPORT_PIPELINE``, as in production): plays/s (target
  >= 20,000/s) beside two floors measured in the same run, parsing the same zip alone and
  storing the same plays alone (``plays_store``), as ratios of their times;
- the peak memory of the import process (resident set sampled every 20 ms, above what it was
  before the import) for a 50,000-play and the 200,000-play export: bounded memory means the
  two peaks are alike, not 4x apart;
- the statistics page of the year of those 200,000 plays (``/analytics/listening/``, the full
  Django request), cold (cache dropped before each request) and warm: p95 of RUNS requests each
  (targets: cold < 500 ms, warm < 30 ms), with the p95 of a static page (``/about/``) through
  the same client as the floor.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

N_PLAYS = 200_000
N_SMALL = 50_000
N_FILES = 14
RUNS = 21
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
STEP = timedelta(days=365) / N_PLAYS  # the 200,000 plays fill one year


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class PeakRSS:
    """The highest resident set size seen while the block runs (sampled by a thread)."""

    def __enter__(self):
        self.before = self.peak = _rss_kb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_kb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_kb())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 1024


def _export_zip(path: Path, count: int, *, start: datetime, seed: int) -> Path:
    from personalify.testing.spotify_export import EXTENDED_FOLDER, extended_items, write_zip

    per_file = -(-count // N_FILES)
    files = {}
    for n in range(N_FILES):
        first = n * per_file
        size = max(0, min(per_file, count - first))
        files[f"{EXTENDED_FOLDER}/Streaming_History_Audio_{n}.json"] = extended_items(
            size, start=start + STEP * first, step=STEP, tracks=8_000, seed=seed + n
        )
    return write_zip(path, files)


def _import(user, zip_path: Path, root: Path):
    """One import job over ``zip_path``, run in this process as the worker runs it."""
    from music.models import PlayImport
    from music.services.plays_import import play_import_claim, play_import_run

    upload = root / uuid.uuid4().hex / "0000"
    upload.mkdir(parents=True)
    shutil.copy(zip_path, upload / "my_spotify_data.zip")
    job = PlayImport.objects.create(
        user=user, upload_dir=str(upload.parent), upload_names=["my_spotify_data.zip"]
    )
    attempt = play_import_claim(import_id=job.pk)
    return play_import_run(import_id=job.pk, attempt=attempt)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.test import Client

    from analytics.receivers import listening_stats_forget
    from fdw.services import fdw_setup
    from music.services.export_files import CountingReader, export_files, history_items
    from music.services.export_plays import play_from_item
    from music.services.plays import plays_store
    from personalify.testing.nodeb import NodeB, node_b_attach

    node_b = NodeB().start()
    suffix = os.getpid()
    node_b_attach(settings, node_b.url, database=f"bench_listening_{suffix}")
    connection.settings_dict["TEST"]["NAME"] = f"bench_personalify_listening_{suffix}"
    work = Path(tempfile.mkdtemp(prefix="personalify-bench-listening-"))
    settings.PLAY_IMPORT_DIR = str(work / "imports")
    # As production runs it (the test settings write in the caller's thread, for transactions).
    settings.PLAY_IMPORT_PIPELINE = True
    created = []
    try:
        for alias in ("default", "archive"):
            conn = connections[alias]
            created.append((conn, conn.creation.create_test_db(verbosity=0, autoclobber=True)))
        fdw_setup()
        users = [
            get_user_model().objects.create(username=f"bench{i}", spotify_id=f"bench-{i}")
            for i in range(3)
        ]

        big = _export_zip(work / "big.zip", N_PLAYS, start=YEAR_START, seed=1)
        small = _export_zip(work / "small.zip", N_SMALL, start=YEAR_START, seed=2)
        print(
            f"export: {N_PLAYS:,} plays in {N_FILES} files, zip {big.stat().st_size / 2**20:.0f} "
            f"MB ({sum(f.size for f in export_files([big])) / 2**20:.0f} MB of JSON)"
        )

        # --- the import job (first: nothing held in memory before it) ---------------------
        with PeakRSS() as small_peak:
            small_job = _import(users[1], small, work / "imports")
        assert small_job.imported == N_SMALL, small_job.imported
        with PeakRSS() as big_peak:
            started = time.perf_counter()
            job = _import(users[0], big, work / "imports")
            import_s = time.perf_counter() - started
        assert (job.imported, job.plays_read) == (N_PLAYS, N_PLAYS), (job.imported, job.plays_read)
        # --- floors: parse the zip alone; store the same plays alone ------------------------
        started = time.perf_counter()
        rows = []
        for export_file in export_files([big]):
            with export_file.open() as raw:
                for item in history_items(CountingReader(raw)):
                    rows.append(
                        play_from_item(
                            item, kind=export_file.kind, spotify_id=users[2].spotify_id
                        ).row
                    )
        parse_s = time.perf_counter() - started
        started = time.perf_counter()
        stored = plays_store(plays=rows)
        store_s = time.perf_counter() - started
        assert stored.inserted == N_PLAYS, stored
        del rows

        rate = N_PLAYS / import_s
        print(
            f"import of {N_PLAYS:,} plays into node B: {import_s:.1f}s = {rate:,.0f} plays/s "
            f"(target >= 20,000/s: {'met' if rate >= 20_000 else 'NOT met'}); floors in this run: "
            f"parse alone {N_PLAYS / parse_s:,.0f}/s, store alone {N_PLAYS / store_s:,.0f}/s; "
            f"import time = {import_s / parse_s:.2f}x parse, {import_s / store_s:.2f}x store, "
            f"{import_s / (parse_s + store_s):.2f}x parse + store"
        )
        print(
            f"peak memory of the import (resident, above the start): {N_SMALL:,} plays "
            f"{small_peak.growth_mb:.0f} MB, {N_PLAYS:,} plays {big_peak.growth_mb:.0f} MB "
            f"(ratio {big_peak.growth_mb / max(small_peak.growth_mb, 0.1):.2f} for 4x the "
            f"plays)"
        )
        with connections["archive"].cursor() as cursor:
            # As autovacuum would, before reading: the plays and their summaries (the import
            # filled both; without statistics node B's planner takes a year's 96,000 month x
            # track rows for one and sorts them on disk instead of hashing).
            cursor.execute("VACUUM ANALYZE")

        # --- the year's statistics page -------------------------------------------------------
        client = Client()
        client.force_login(users[0])
        url = "/analytics/listening/?period=custom&from=2025-01-01&to=2025-12-31"

        def timed(path: str, *, cold: bool) -> float:
            if cold:  # as when new plays arrive: the statistics and the kept page both go
                listening_stats_forget(sender=None, spotify_ids=[users[0].spotify_id])
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            return elapsed

        page = client.get(url).content.decode()
        assert f'id="total-plays">{N_PLAYS}<' in page
        cold, warm, floor = [], [], []
        for _ in range(RUNS):  # interleaved, so noise on the shared machine hits all three
            cold.append(timed(url, cold=True))
            warm.append(timed(url, cold=False))
            floor.append(timed("/about/", cold=False))
        cold_p, warm_p, floor_p = _p95(cold), _p95(warm), _p95(floor)
        print(
            f"year statistics page ({N_PLAYS:,} plays on node B), p95 of {RUNS}: cold "
            f"{cold_p * 1000:.0f} ms (target < 500: {'met' if cold_p < 0.5 else 'NOT met'}), "
            f"warm {warm_p * 1000:.1f} ms (target < 30: {'met' if warm_p < 0.03 else 'NOT met'}); "
            f"floor (static page) {floor_p * 1000:.1f} ms: cold {cold_p / floor_p:.1f}x, warm "
            f"{warm_p / floor_p:.2f}x the floor; medians cold {statistics.median(cold) * 1000:.0f}"
            f" ms, warm {statistics.median(warm) * 1000:.1f} ms"
        )
    finally:
        connections.close_all()  # node A's session holds postgres_fdw's connection to node B
        for conn, old_name in reversed(created):
            conn.creation.destroy_test_db(old_name, verbosity=0)
        node_b.destroy()
        shutil.rmtree(work, ignore_errors=True)
