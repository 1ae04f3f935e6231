"""The listening archive on node B, read from node A through postgres_fdw.

Starts its own node B (a second PostgreSQL on a free port) and a throwaway database on node A,
writes 1,000,000 generated plays of 5 users through the application's write path, then prints:
- the write rate into node B (rows/s) beside a COPY of the same rows (the floor), as a ratio;
- one user's top tracks of the year through FDW against the same statement on a local copy of
  the data on node A (medians, ratio; target <= 1.5x);
- the rows node B sends with the aggregate pushed down against without it (EXPLAIN ANALYZE
  VERBOSE of the naive statement that joins before grouping), and their median times;
- the rows estimated for one user's week with and without use_remote_estimate (actual beside);
- a scan of one user's year with fetch_size 100 (postgres_fdw's default) against the setting.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

N_PLAYS = 1_000_000
N_USERS = 5
N_TRACKS = 5_000
N_ARTISTS = 1_000
RUNS = 9
YEAR_START = datetime(2025, 12, 1, tzinfo=UTC)
YEAR_END = YEAR_START + timedelta(days=365)

# The naive statement: node A joins its catalogue first and groups after, so node B can only
# filter; every play of the user's year crosses the network.
NAIVE_TOP_TRACKS = """
SELECT t.id, t.name, count(*) AS plays, sum(p.ms_played) AS ms_played
FROM archive.plays p
JOIN tracks t ON t.id = p.track_id
WHERE p.spotify_id = (SELECT spotify_id FROM users WHERE id = %s)
  AND p.played_at >= %s AND p.played_at < %s
GROUP BY t.id, t.name
ORDER BY plays DESC, ms_played DESC, t.id
LIMIT %s
"""


def _median(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _foreign_rows(plan: list[str]) -> int:
    """Rows the Foreign Scan nodes returned (what crossed the network), from EXPLAIN ANALYZE."""
    total = 0
    for i, line in enumerate(plan):
        if "Foreign Scan" in line:
            match = re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)", line)
            if match:
                total += int(match.group(1)) * int(match.group(2))
            del i
    return total


def _estimated_rows(plan: list[str]) -> int:
    match = re.search(r"rows=(\d+)", plan[0])
    return int(match.group(1)) if match else -1


def _generate(users: list, track_ids: list[str]):
    from music.services.plays import PlayRow

    rng = random.Random(10)  # noqa: S311 - reproducible test data, not secrets
    # A few favourites and a long tail, as real listening has.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(track_ids))]
    per_user = N_PLAYS // len(users)
    step = (YEAR_END - YEAR_START) / per_user
    for user in users:
        picks = rng.choices(track_ids, weights=weights, k=per_user)
        for i, track_id in enumerate(picks):
            yield PlayRow(
                spotify_id=user.spotify_id,
                played_at=YEAR_START + step * i + timedelta(microseconds=rng.randrange(1000)),
                track_id=track_id,
                ms_played=rng.randrange(30_000, 300_000),
            )


def run() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, connections, transaction

    from fdw.services import fdw_setup
    from music.archive import selectors
    from music.models import Artist, Track, TrackArtist
    from music.services.plays import COLUMNS, plays_store
    from personalify.testing.nodeb import NodeB, node_b_attach

    node_b = NodeB().start()
    suffix = os.getpid()
    node_b_attach(settings, node_b.url, database=f"bench_archive_{suffix}")
    connection.settings_dict["TEST"]["NAME"] = f"bench_personalify_archive_{suffix}"
    created = []
    try:
        for alias in ("default", "archive"):
            conn = connections[alias]
            created.append((conn, conn.creation.create_test_db(verbosity=0, autoclobber=True)))
        fdw_setup()

        artists = [Artist(id=f"a{i}", name=f"Artist {i}") for i in range(N_ARTISTS)]
        Artist.objects.bulk_create(artists)
        tracks = [Track(id=f"t{i}", name=f"Track {i}") for i in range(N_TRACKS)]
        Track.objects.bulk_create(tracks)
        TrackArtist.objects.bulk_create(
            TrackArtist(track_id=f"t{i}", artist_id=f"a{i % N_ARTISTS}") for i in range(N_TRACKS)
        )
        users = [
            get_user_model().objects.create(username=f"bench{i}", spotify_id=f"bench-user-{i}")
            for i in range(N_USERS)
        ]
        rows = list(_generate(users, [t.id for t in tracks]))

        # --- write rate: the write path against COPY of the same rows into a scratch table --
        started = time.perf_counter()
        stored = plays_store(plays=rows)
        write_s = time.perf_counter() - started
        assert stored.inserted == N_PLAYS, stored
        raw = connections["archive"].connection  # psycopg's own connection, for COPY
        with raw.cursor() as cursor:
            cursor.execute("CREATE TABLE plays_copy (LIKE plays INCLUDING ALL)")
            started = time.perf_counter()
            with cursor.copy(f"COPY plays_copy ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([getattr(row, column) for column in COLUMNS])
            raw.commit()
            copy_s = time.perf_counter() - started
            cursor.execute("DROP TABLE plays_copy")
            raw.commit()
        connections["archive"].close()
        with connections["archive"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE plays")  # as autovacuum would, before reading
        print(
            f"write path into node B: {N_PLAYS:,} plays in {write_s:.1f}s = "
            f"{N_PLAYS / write_s:,.0f} rows/s; COPY floor {N_PLAYS / copy_s:,.0f} rows/s; "
            f"ratio {write_s / copy_s:.2f}x the floor's time"
        )

        # --- a local copy of the same data on node A -------------------------------------
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plays (LIKE archive.plays)")
            cursor.execute("INSERT INTO bench_plays SELECT * FROM archive.plays")
            cursor.execute(
                "ALTER TABLE bench_plays ADD PRIMARY KEY (spotify_id, played_at, track_id)"
            )
            cursor.execute("VACUUM ANALYZE bench_plays")
            cursor.execute("SELECT count(*) FROM bench_plays")
            assert cursor.fetchone()[0] == N_PLAYS

        user = users[2]
        params = [user.pk, YEAR_START, YEAR_END, 50]
        fdw_sql = selectors.TOP_TRACKS_SQL.format(plays="archive.plays")
        local_sql = selectors.TOP_TRACKS_SQL.format(plays="bench_plays")

        def query(sql: str, args=params) -> list:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                return cursor.fetchall()

        def explain(sql: str, args=params) -> list[str]:
            return [row[0] for row in query("EXPLAIN (ANALYZE, VERBOSE) " + sql, args)]

        assert query(fdw_sql) == query(local_sql)
        assert [r[0] for r in query(NAIVE_TOP_TRACKS)] == [r[0] for r in query(fdw_sql)]
        query(fdw_sql), query(local_sql)  # warm caches on both nodes
        fdw_s, local_s, naive_s = [], [], []
        for _ in range(RUNS):  # interleaved, so noise on the shared machine hits all three
            fdw_s.append(_median(lambda: query(fdw_sql), runs=1))
            local_s.append(_median(lambda: query(local_sql), runs=1))
            naive_s.append(_median(lambda: query(NAIVE_TOP_TRACKS), runs=1))
        fdw_m, local_m, naive_m = map(statistics.median, (fdw_s, local_s, naive_s))
        print(
            f"top 50 tracks of the year for one user ({N_PLAYS // N_USERS:,} plays): through FDW "
            f"{fdw_m * 1000:.0f} ms, local copy (floor) {local_m * 1000:.0f} ms: "
            f"ratio {fdw_m / local_m:.2f}x (target <= 1.5x)"
        )
        pushed = _foreign_rows(explain(fdw_sql))
        naive = _foreign_rows(explain(NAIVE_TOP_TRACKS))
        print(
            f"rows from node B: {pushed:,} with the GROUP BY pushed down, {naive:,} without "
            f"({naive / max(pushed, 1):.0f}x fewer); time without push-down "
            f"{naive_m * 1000:.0f} ms = {naive_m / fdw_m:.2f}x the pushed-down statement"
        )

        # --- plays per day: node B cannot estimate the day buckets (see selectors) ----------
        from zoneinfo import ZoneInfo

        zone = ZoneInfo("Europe/Paris")
        days = selectors._days(YEAR_START, YEAR_END, zone)
        midnights = [datetime.combine(d, datetime.min.time(), tzinfo=zone) for d in days[1:]]
        day_sql = selectors.PER_DAY_SQL.format(plays="archive.plays")
        day_args = [midnights, user.pk, YEAR_START, YEAR_END]

        def explain_days(steer: bool) -> list[str]:
            with transaction.atomic(), connection.cursor() as cursor:
                if steer:
                    cursor.execute(selectors._PUSH_DOWN_GROUPING)
                cursor.execute("EXPLAIN (ANALYZE, VERBOSE) " + day_sql, day_args)
                return [row[0] for row in cursor.fetchall()]

        print(
            f"plays per day of one user's year: {_foreign_rows(explain_days(True)):,} rows from "
            f"node B with hash aggregation off on node A (as the selector runs it), "
            f"{_foreign_rows(explain_days(False)):,} with the planner's default"
        )

        # --- use_remote_estimate: one user's last week -------------------------------------
        week = [user.spotify_id, YEAR_END - timedelta(days=7), YEAR_END]
        scan = (
            "SELECT * FROM archive.plays "
            "WHERE spotify_id = %s AND played_at >= %s AND played_at < %s"
        )
        actual = len(query(scan, week))
        with_estimate = _estimated_rows([r[0] for r in query("EXPLAIN " + scan, week)])
        with connection.cursor() as cursor:
            cursor.execute("ALTER SERVER archive_node OPTIONS (SET use_remote_estimate 'false')")
        without_estimate = _estimated_rows([r[0] for r in query("EXPLAIN " + scan, week)])
        with connection.cursor() as cursor:
            cursor.execute("ALTER SERVER archive_node OPTIONS (SET use_remote_estimate 'true')")
        print(
            f"one user's week, {actual:,} rows: estimated {with_estimate:,} with "
            f"use_remote_estimate, {without_estimate:,} without"
        )

        # --- fetch_size: an unaggregated scan of one user's year ---------------------------
        year = [user.spotify_id, YEAR_START, YEAR_END]
        # OFFSET 0 keeps the count on node A: every row crosses, none goes to Python.
        full = (
            "SELECT count(*) FROM (SELECT played_at, track_id, ms_played FROM archive.plays "
            "WHERE spotify_id = %s AND played_at >= %s AND played_at < %s OFFSET 0) s"
        )
        chosen = _median(lambda: query(full, year), runs=5)
        with connection.cursor() as cursor:
            cursor.execute("ALTER SERVER archive_node OPTIONS (SET fetch_size '100')")
        default = _median(lambda: query(full, year), runs=5)
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER SERVER archive_node OPTIONS (SET fetch_size '{settings.FDW_FETCH_SIZE}')"
            )
        print(
            f"scan of one user's year ({N_PLAYS // N_USERS:,} rows): fetch_size "
            f"{settings.FDW_FETCH_SIZE} {chosen * 1000:.0f} ms, 100 (postgres_fdw's default) "
            f"{default * 1000:.0f} ms: ratio {default / chosen:.2f}x"
        )
    finally:
        for conn, old_name in reversed(created):
            conn.close()
            conn.creation.destroy_test_db(old_name, verbosity=0)
        node_b.destroy()
