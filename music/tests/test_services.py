"""library_sync against the fake Spotify over HTTP, real PostgreSQL, Redis and MongoDB-wire."""

from __future__ import annotations

import copy
import json
import logging
import sys
import threading
import types

import pytest
import redis
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from music.history import history_client_reset, sync_history_for_user
from music.models import Artist, HistoryOutbox, SyncState, Track, UserArtist, UserTrack
from music.selectors import TIME_RANGES, top_cache_key
from music.services import history_outbox_flush, library_sync
from music.services.sync import ALREADY_SYNCING
from music.services.sync_lock import sync_lock_key
from personalify.testing.fakehttp import Reply

from .conftest import make_spotify_user

pytestmark = pytest.mark.django_db


def _ranking(user, time_range, model=UserArtist, field="artist_id"):
    rows = model.objects.filter(user=user, time_range=time_range).order_by("rank")
    return list(rows.values_list(field, flat=True))


def _raw_redis():
    return redis.Redis.from_url(settings.REDIS_URL)


def test_library_sync_stores_every_range_in_rank_order_when_spotify_answers(
    spotify_user, fake_spotify
):
    result = library_sync(user=spotify_user)
    assert result.status == "synced" and result.synced_ranges == list(TIME_RANGES)
    for time_range in TIME_RANGES:
        expected = [a["id"] for a in fake_spotify.catalogue.ranking("artists", time_range)]
        assert _ranking(spotify_user, time_range) == expected
        expected = [t["id"] for t in fake_spotify.catalogue.ranking("tracks", time_range)]
        assert _ranking(spotify_user, time_range, UserTrack, "track_id") == expected
    assert set(SyncState.objects.filter(user=spotify_user).values_list("status", flat=True)) == {
        "ok"
    }


def test_library_sync_fetches_the_six_lists_with_limit_50_when_run(spotify_user, fake_spotify):
    library_sync(user=spotify_user)
    asked = {
        (r.path.rsplit("/", 1)[1], r.query["time_range"], r.query["limit"])
        for r in fake_spotify.requests
        if r.path.startswith("/v1/me/top/")
    }
    assert asked == {(k, t, "50") for k in ("artists", "tracks") for t in TIME_RANGES}


def test_library_sync_keeps_the_seed_sql_examples_working_when_synced(spotify_user):
    library_sync(user=spotify_user)
    with connection.cursor() as cursor:
        for table in ("users", "artists", "tracks", "user_tracks", "user_artists"):
            cursor.execute(f"SELECT * FROM {table}")
            assert cursor.fetchall(), table
        cursor.execute(
            "SELECT a.name FROM user_artists ua JOIN artists a ON a.id = ua.artist_id "
            "WHERE ua.spotify_id = %s AND ua.time_range = 'short_term' ORDER BY ua.rank LIMIT 1",
            [spotify_user.spotify_id],
        )
        assert cursor.fetchone()[0]


def test_library_sync_stores_track_album_and_credits_when_synced(spotify_user, fake_spotify):
    library_sync(user=spotify_user)
    data = fake_spotify.catalogue.ranking("tracks", "short_term")[0]
    track = Track.objects.get(id=data["id"])
    assert track.album_name == data["album"]["name"]
    assert track.album_type == data["album"]["album_type"]
    assert track.album_release_date == data["album"]["release_date"]
    assert track.duration_ms == data["duration_ms"]
    credited = list(track.credits.order_by("position").values_list("artist_id", flat=True))
    assert credited == [a["id"] for a in data["artists"]]


def test_library_sync_query_count_does_not_grow_when_items_grow(fake_spotify_factory, db):
    counts = {}
    for n in (10, 50):
        fake = fake_spotify_factory(n_items=n, user_id=f"user{n}")
        user = make_spotify_user(fake)
        with CaptureQueriesContext(connection) as queries:
            assert library_sync(user=user).ok
        counts[n] = len(queries)
    assert counts[10] == counts[50]


def test_library_sync_runs_the_same_queries_again_when_repeated(spotify_user):
    library_sync(user=spotify_user)
    with CaptureQueriesContext(connection) as first:
        library_sync(user=spotify_user)
    with CaptureQueriesContext(connection) as second:
        library_sync(user=spotify_user)
    assert len(first) == len(second)


def test_library_sync_is_idempotent_when_run_twice(spotify_user):
    library_sync(user=spotify_user)
    before = (Artist.objects.count(), Track.objects.count(), UserArtist.objects.count())
    ranking = _ranking(spotify_user, "medium_term")
    library_sync(user=spotify_user)
    assert (Artist.objects.count(), Track.objects.count(), UserArtist.objects.count()) == before
    assert _ranking(spotify_user, "medium_term") == ranking


def test_library_sync_leaves_the_previous_ranking_when_spotify_fails(spotify_user, fake_spotify):
    library_sync(user=spotify_user)
    before = {r: _ranking(spotify_user, r) for r in TIME_RANGES}
    synced_at = dict(SyncState.objects.values_list("time_range", "synced_at"))
    fake_spotify.fail_5xx("/v1/me/top/tracks", times=None)
    result = library_sync(user=spotify_user)
    assert result.status == "failed"
    assert {r: _ranking(spotify_user, r) for r in TIME_RANGES} == before
    states = SyncState.objects.filter(user=spotify_user)
    assert {s.status for s in states} == {"failed"}
    assert {s.time_range: s.synced_at for s in states} == synced_at


def test_library_sync_replaces_only_fetched_ranges_when_some_fail(spotify_user, fake_spotify):
    result = library_sync(user=spotify_user, time_ranges=["long_term"])
    assert result.synced_ranges == ["long_term"]
    assert not UserArtist.objects.filter(time_range="short_term").exists()
    assert UserArtist.objects.filter(time_range="long_term").exists()


def test_library_sync_weights_genres_by_rank_when_spotify_sends_genres(spotify_user):
    library_sync(user=spotify_user)
    payload = json.loads(
        _raw_redis().get(top_cache_key(spotify_id=spotify_user.spotify_id, time_range="short_term"))
    )
    weights = [g["weight"] for g in payload["genres"]]
    assert payload["genres_available"] is True
    assert weights == sorted(weights, reverse=True)
    assert sum(weights) == pytest.approx(1, abs=0.01)
    top = payload["artists"][0]
    # Rank 1 counts n times as much as rank n: the top artist's genres are listed first.
    assert top["name"] in payload["genres"][0]["artists"] or not top["genres"]


def test_library_sync_says_genres_are_unavailable_when_spotify_is_in_dev_mode(
    fake_spotify_factory, db
):
    fake = fake_spotify_factory(dev_mode=True)
    user = make_spotify_user(fake)
    assert library_sync(user=user).ok
    payload = json.loads(
        _raw_redis().get(top_cache_key(spotify_id=user.spotify_id, time_range="short_term"))
    )
    assert payload["genres"] == [] and payload["genres_available"] is False
    assert payload["artists"][0]["popularity"] is None
    assert payload["tracks"][0]["popularity"] is None
    assert SyncState.objects.filter(user=user, genres_available=False).count() == 3
    assert Artist.objects.filter(genres__isnull=True).exists()


def _top_page(fake, kind: str) -> dict:
    """A top-list answer in Spotify's shape, to edit before injecting it into the fake."""
    items = copy.deepcopy(fake.catalogue.ranking(kind, "short_term"))
    return {"items": items, "total": len(items), "limit": 50, "offset": 0, "next": None}


def test_library_sync_skips_and_counts_items_without_id_or_name_when_spotify_sends_some(
    spotify_user, fake_spotify, caplog
):
    page = _top_page(fake_spotify, "tracks")
    page["items"][0]["name"] = None
    page["items"][1]["id"] = ""
    fake_spotify.inject("/v1/me/top/tracks", Reply(json=page), times=3)  # every range
    caplog.set_level(logging.WARNING, logger="music.services.sync")
    result = library_sync(user=spotify_user)
    assert result.ok and result.skipped == 6
    expected = [t["id"] for t in page["items"][2:]]
    for time_range in TIME_RANGES:
        assert _ranking(spotify_user, time_range, UserTrack, "track_id") == expected
    assert set(SyncState.objects.values_list("status", flat=True)) == {"ok"}
    logged = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(logged) == 1 and "6" in logged[0].getMessage()


def test_library_sync_records_a_failed_sync_and_frees_the_lock_when_saving_fails_unexpectedly(
    spotify_user, fake_spotify
):
    from music.selectors import sync_progress_get

    library_sync(user=spotify_user)
    before = {r: _ranking(spotify_user, r) for r in TIME_RANGES}
    page = _top_page(fake_spotify, "tracks")
    # Passes the parser but not PostgreSQL (album_release_date is varchar(10)): stands for any
    # error nobody foresaw while saving.
    page["items"][0]["album"]["release_date"] = "2024-01-01T00:00:00.000Z"
    fake_spotify.inject("/v1/me/top/tracks", Reply(json=page), times=3)
    result = library_sync(user=spotify_user)
    assert result.status == "failed" and "unexpectedly" in result.reason
    progress = sync_progress_get(user=spotify_user)
    assert (progress["state"], progress["error"]) == ("failed", result.reason)
    states = SyncState.objects.filter(user=spotify_user)
    assert {(s.status, s.error) for s in states} == {("failed", result.reason)}
    assert {r: _ranking(spotify_user, r) for r in TIME_RANGES} == before
    assert _raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


# The refresh saves the new token from a fetch thread: rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_library_sync_refreshes_the_token_once_when_spotify_answers_401(spotify_user, fake_spotify):
    fake_spotify.expire_access_tokens()
    result = library_sync(user=spotify_user)
    assert result.ok
    assert len(fake_spotify.token_requests("refresh_token")) == 1


# The refresh saves the new token from a fetch thread: rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_library_sync_says_log_in_again_when_the_token_is_rejected_after_refresh(
    spotify_user, fake_spotify
):
    fake_spotify.fail_401(times=None)
    result = library_sync(user=spotify_user)
    assert result.status == "failed"
    assert "log in again" in result.reason
    assert "log in again" in SyncState.objects.get(time_range="short_term").error


def test_library_sync_says_when_it_can_retry_when_spotify_rate_limits(spotify_user, fake_spotify):
    fake_spotify.fail_429(retry_after=120, times=None)
    result = library_sync(user=spotify_user)
    assert result.status == "failed" and result.retry_after == 120
    assert "rate-limiting" in result.reason and "UTC (in 2 min)" in result.reason


def test_library_sync_waits_retry_after_when_spotify_rate_limits_briefly(
    spotify_user, fake_spotify, settings
):
    settings.SPOTIFY_RETRY_BACKOFF = 0
    fake_spotify.fail_429("/v1/me/top/artists", retry_after=0, times=2)
    assert library_sync(user=spotify_user).ok


def test_library_sync_says_spotify_is_down_when_it_answers_5xx(
    spotify_user, fake_spotify, settings
):
    settings.SPOTIFY_RETRY_BACKOFF = 0
    fake_spotify.fail_5xx(times=None)
    result = library_sync(user=spotify_user)
    assert result.status == "failed" and "not answering" in result.reason


def test_library_sync_explains_the_allow_list_when_the_user_is_not_registered(
    spotify_user, fake_spotify
):
    fake_spotify.not_allow_listed()
    result = library_sync(user=spotify_user)
    assert result.status == "failed" and "allow-list" in result.reason


def test_library_sync_writes_progress_done_when_it_succeeds(spotify_user):
    from music.selectors import sync_progress_get

    library_sync(user=spotify_user)
    progress = sync_progress_get(user=spotify_user)
    assert progress["state"] == "done" and progress["done"] == progress["total"] == 8
    assert progress["error"] is None


def test_library_sync_writes_progress_with_retry_time_when_rate_limited(spotify_user, fake_spotify):
    from music.selectors import sync_progress_get

    fake_spotify.fail_429(retry_after=300, times=None)
    library_sync(user=spotify_user)
    progress = sync_progress_get(user=spotify_user)
    assert progress["state"] == "failed" and progress["retry_at"]
    assert "rate-limiting" in progress["error"]


def test_library_sync_says_already_syncing_when_the_lock_is_held(spotify_user, fake_spotify):
    from django.core.cache import cache

    cache.set(sync_lock_key(spotify_id=spotify_user.spotify_id), "other", 60)
    result = library_sync(user=spotify_user)
    assert result.status == "skipped" and result.reason == ALREADY_SYNCING
    assert not fake_spotify.requests


def test_library_sync_frees_the_lock_when_it_ends(spotify_user):
    library_sync(user=spotify_user)
    assert _raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


def test_library_sync_lock_expires_when_a_sync_dies(spotify_user):
    from music.services.sync_lock import LOCK_TTL, sync_lock_acquire

    sync_lock_acquire(spotify_user.spotify_id)
    ttl = _raw_redis().ttl(sync_lock_key(spotify_id=spotify_user.spotify_id))
    assert 0 < ttl <= LOCK_TTL


@pytest.mark.django_db(transaction=True)
def test_library_sync_runs_once_when_two_syncs_start_together(fake_spotify):
    user = make_spotify_user(fake_spotify)
    # The first sync holds the lock while one of its Spotify requests is held open.
    gate = fake_spotify.hold("/v1/me/top/tracks")
    results = {}

    def run_first():
        try:
            results["first"] = library_sync(user=user)
        finally:
            connections.close_all()  # this thread's own database connection

    first = threading.Thread(target=run_first)
    first.start()
    try:
        assert gate.entered.wait(30), "the first sync never reached Spotify"
        results["second"] = library_sync(user=user)
    finally:
        gate.release.set()
        first.join(timeout=30)
    assert results["first"].status == "synced"
    assert results["second"].status == "skipped"
    assert results["second"].reason == ALREADY_SYNCING


def test_library_sync_records_history_in_mongodb_when_it_succeeds(spotify_user):
    result = library_sync(user=spotify_user)
    documents = sync_history_for_user(spotify_id=spotify_user.spotify_id)
    assert [d["time_range"] for d in documents] == sorted(TIME_RANGES)
    assert all(d["sync_id"] == result.sync_id for d in documents)
    assert all(len(d["history"]) == 1 for d in documents)
    assert not HistoryOutbox.objects.exists()


def test_library_sync_appends_history_when_synced_again(spotify_user):
    library_sync(user=spotify_user)
    library_sync(user=spotify_user)
    for document in sync_history_for_user(spotify_id=spotify_user.spotify_id):
        assert len(document["history"]) == 2
        assert document["history"][0]["counts"] == {"artists": 20, "tracks": 20}
        assert len(document["history"][0]["top_artists"]) == 5


def test_library_sync_keeps_history_in_the_outbox_when_mongodb_is_down(
    spotify_user, settings, mongo_server
):
    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        result = library_sync(user=spotify_user)
        assert result.ok  # the sync does not depend on MongoDB
        outbox = HistoryOutbox.objects.filter(user=spotify_user)
        assert outbox.count() == 3 and all(row.attempts == 1 for row in outbox)
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
    assert sync_history_for_user(spotify_id=spotify_user.spotify_id) == []
    flushed = history_outbox_flush()
    assert (flushed.delivered, flushed.pending, flushed.error) == (3, 0, None)
    documents = sync_history_for_user(spotify_id=spotify_user.spotify_id)
    assert len(documents) == 3
    assert all(d["sync_id"] == result.sync_id and len(d["history"]) == 1 for d in documents)


def test_history_outbox_flush_delivers_once_when_a_record_is_delivered_twice(spotify_user):
    result = library_sync(user=spotify_user)
    # A crash after MongoDB stored a record but before its outbox row was deleted:
    row = {
        "sync_id": result.sync_id,
        "user": spotify_user,
        "time_range": "short_term",
    }
    from music.selectors import top_get

    payload = top_get(user=spotify_user, time_range="short_term")
    HistoryOutbox.objects.create(**row, payload=payload)
    assert history_outbox_flush().delivered == 1
    document = next(
        d
        for d in sync_history_for_user(spotify_id=spotify_user.spotify_id)
        if d["time_range"] == "short_term"
    )
    assert [h["sync_id"] for h in document["history"]] == [result.sync_id]
    assert not HistoryOutbox.objects.exists()


def _cache_down(settings):
    """Point the cache at a closed local port, as when Redis is down."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}
    }


def _analytics_hook(monkeypatch, hook):
    module = types.ModuleType("analytics.services")
    module.vibe_refresh_request = hook
    monkeypatch.setitem(sys.modules, "analytics.services", module)


# Transactional: the sync's commit really happens, so its on-commit work really runs.
@pytest.mark.django_db(transaction=True)
def test_library_sync_succeeds_from_postgresql_when_redis_is_down(spotify_user, settings):
    _cache_down(settings)
    result = library_sync(user=spotify_user)
    assert result.ok
    assert UserArtist.objects.filter(user=spotify_user).count() == 60
    assert set(SyncState.objects.values_list("status", flat=True)) == {"ok"}
    # The history was delivered after the commit: the sync got that far.
    assert not HistoryOutbox.objects.exists()
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3


@pytest.mark.django_db(transaction=True)
def test_library_sync_finishes_when_the_mood_refresh_fails_after_commit(spotify_user, monkeypatch):
    from music.selectors import sync_progress_get

    def broken(*, user):
        raise RuntimeError("the analytics app is broken")

    _analytics_hook(monkeypatch, broken)
    result = library_sync(user=spotify_user)
    assert result.ok
    assert sync_progress_get(user=spotify_user)["state"] == "done"
    key = top_cache_key(spotify_id=spotify_user.spotify_id, time_range="short_term")
    assert _raw_redis().get(key) is not None
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3
    assert _raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


def test_library_sync_calls_the_vibe_refresh_on_commit_when_analytics_provides_it(
    spotify_user, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    _analytics_hook(monkeypatch, lambda *, user: calls.append(user.pk))
    with django_capture_on_commit_callbacks(execute=True):
        library_sync(user=spotify_user)
    assert calls == [spotify_user.pk]


def test_library_sync_skips_the_demo_user_when_no_bundled_client_is_given(django_user_model):
    from accounts.models import DEMO_SPOTIFY_ID

    demo = django_user_model.objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    result = library_sync(user=demo)
    assert result.status == "skipped" and "demo" in result.reason


def test_library_sync_skips_an_account_without_spotify_when_asked(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    result = library_sync(user=staff)
    assert result.status == "skipped" and "not linked to Spotify" in result.reason
    assert not _raw_redis().keys("sync:*")


def test_library_sync_gives_the_mood_analysis_every_synced_track_when_it_runs(
    spotify_user, fake_spotify, django_assert_max_num_queries
):
    from analytics.rankings import ranking_tracks
    from analytics.selectors import vibe_get
    from analytics.services import moods_analyse

    library_sync(user=spotify_user)
    expected = _ranking(spotify_user, "short_term", UserTrack, "track_id")
    with django_assert_max_num_queries(1):
        tracks = ranking_tracks(user=spotify_user, time_range="short_term")
    assert [t.track_id for t in tracks] == expected
    assert all(t.title for t in tracks)
    moods_analyse(user=spotify_user)
    vibe = vibe_get(user=spotify_user, time_range="short_term")
    assert vibe["analysed"] + vibe["skipped"] == len(expected) > 0
