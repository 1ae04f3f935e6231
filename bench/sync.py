"""The library sync against a fake Spotify that adds 100 ms to every request.

Prints the wall time of a full sync (3 ranges x artists and tracks, 50 items each) with the
lists fetched concurrently beside a one-request-at-a-time run (medians), both as a multiple of
one request's latency (target: concurrent < 2.5x), and the SQL queries per sync for 10 and 50
items (target: equal). Uses its own throwaway PostgreSQL database and MongoDB-wire server.
"""

from __future__ import annotations

import os
import statistics
import time

LATENCY = 0.1
RUNS = 5


def _median_seconds(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from music import history
    from music.services import library_sync, sync_fetch
    from music.spotify import SpotifyClient
    from personalify.celery import app as celery_app
    from personalify.localmongo import LocalMongo
    from personalify.testing.spotify import FakeSpotify

    # As in production, the mood analysis a sync queues goes to a broker for a worker (here an
    # in-memory one nobody consumes): it is not part of the sync's time or queries.
    saved_celery = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="memory://")
    connection.settings_dict["TEST"]["NAME"] = f"bench_personalify_sync_{os.getpid()}"
    mongo = LocalMongo().start()
    settings.MONGO_URI = mongo.uri
    history.history_client_reset()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    fakes: list[FakeSpotify] = []
    try:
        users = get_user_model().objects

        def setup(n_items: int, latency: float, user_id: str):
            fake = FakeSpotify(latency=latency, n_items=n_items, user_id=user_id).start()
            fakes.append(fake)
            client = SpotifyClient(access_token=fake.access_token, base_url=fake.api_url)
            user = users.create(username=user_id, spotify_id=user_id)
            return fake, client, user

        fake, client, user = setup(50, LATENCY, "bench-latency")
        one_request = _median_seconds(
            lambda: client.top_artists(time_range="short_term", limit=50), runs=7
        )

        def sync_once():
            result = library_sync(user=user, client=client)
            assert result.ok, result.reason

        sync_once()  # warm up connections and the catalogue rows
        concurrent = _median_seconds(sync_once)
        sync_fetch.FETCH_WORKERS = 1
        try:
            sequential = _median_seconds(sync_once)
        finally:
            sync_fetch.FETCH_WORKERS = 6

        queries = {}
        for n_items in (10, 50):
            _, q_client, q_user = setup(n_items, 0.0, f"bench-queries-{n_items}")
            with CaptureQueriesContext(connection) as captured:
                assert library_sync(user=q_user, client=q_client).ok
            queries[n_items] = len(captured)

        print(f"fake Spotify latency per request: {LATENCY * 1000:.0f} ms added")
        print(f"one request (top artists, 50 items), median: {one_request * 1000:7.1f} ms")
        print(
            f"full sync, 6 lists fetched concurrently, median of {RUNS}: "
            f"{concurrent * 1000:7.1f} ms = {concurrent / one_request:.2f}x one request "
            f"(target < 2.5x: {'met' if concurrent < 2.5 * one_request else 'NOT met'})"
        )
        print(
            f"full sync, one request at a time,       median of {RUNS}: "
            f"{sequential * 1000:7.1f} ms = {sequential / one_request:.2f}x one request"
        )
        print(f"speed-up of the concurrent fetch: {sequential / concurrent:.2f}x")
        print(
            f"SQL queries per sync: {queries[10]} for 10 items, {queries[50]} for 50 items "
            f"({'constant' if queries[10] == queries[50] else 'GROWS with items'})"
        )
    finally:
        for fake in fakes:
            fake.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        history.history_client_reset()
        mongo.stop()
        celery_app.conf.update(saved_celery)
        cache.clear()  # the benchmarks' own Redis database (see bench/__main__.py)
