"""library_sync's lock and progress record: one sync per user, progress that ends, a lock
that frees itself."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from music.models import SyncState
from music.services import library_sync
from music.services.sync import ALREADY_SYNCING
from music.services.sync_lock import sync_lock_key
from music.spotify import TimeRange
from personalify.testing.fakehttp import Reply
from personalify.testing.users import spotify_user_make

from .sync_helpers import ranking, raw_redis, top_page

pytestmark = pytest.mark.django_db


def test_library_sync_records_a_failed_sync_and_frees_the_lock_when_saving_fails_unexpectedly(
    spotify_user, fake_spotify
):
    from music.selectors import sync_progress_get

    library_sync(user=spotify_user)
    before = {r: ranking(spotify_user, r) for r in TimeRange.values}
    page = top_page(fake_spotify, "tracks")
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
    assert {r: ranking(spotify_user, r) for r in TimeRange.values} == before
    assert raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


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
    assert raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


def test_library_sync_lock_expires_when_a_sync_dies(spotify_user):
    from music.services.sync_lock import sync_lock_acquire, sync_lock_ttl

    sync_lock_acquire(spotify_user.spotify_id)
    ttl = raw_redis().ttl(sync_lock_key(spotify_id=spotify_user.spotify_id))
    assert 0 < ttl <= sync_lock_ttl()


@pytest.mark.django_db(transaction=True)
def test_library_sync_runs_once_when_two_syncs_start_together(fake_spotify):
    user = spotify_user_make(fake_spotify)
    # The first sync holds the lock while one of its Spotify requests is held open.
    gate, first, results = _first_sync_held(user, fake_spotify)
    try:
        results["second"] = library_sync(user=user)
    finally:
        gate.release.set()
        first.join(timeout=30)
    assert results["first"].status == "synced"
    assert results["second"].status == "skipped"
    assert results["second"].reason == ALREADY_SYNCING


def _first_sync_held(user, fake_spotify):
    """Start a sync of ``user`` whose Spotify request is held open; returns (gate, thread,
    results)."""
    gate = fake_spotify.hold("/v1/me/top/tracks")
    results = {}

    def run_first():
        try:
            results["first"] = library_sync(user=user)
        finally:
            connections.close_all()  # this thread's own database connection

    first = threading.Thread(target=run_first)
    first.start()
    assert gate.entered.wait(30), "the first sync never reached Spotify"
    return gate, first, results


@pytest.mark.django_db(transaction=True)
def test_the_lock_of_a_running_sync_is_renewed_so_a_second_sync_is_refused_after_its_life(
    fake_spotify, settings
):
    settings.SYNC_LOCK_TTL = 1  # renewed every third of a second
    user = spotify_user_make(fake_spotify)
    gate, first, results = _first_sync_held(user, fake_spotify)
    try:
        time.sleep(2.5)  # more than twice the lock's life: unrenewed, it would have expired
        results["second"] = library_sync(user=user)
        assert raw_redis().get(sync_lock_key(spotify_id=user.spotify_id)) is not None
    finally:
        gate.release.set()
        first.join(timeout=30)
    assert results["second"].status == "skipped"
    assert results["second"].reason == ALREADY_SYNCING
    assert results["first"].status == "synced"
    assert raw_redis().get(sync_lock_key(spotify_id=user.spotify_id)) is None


@pytest.mark.django_db(transaction=True)
def test_a_sync_whose_lock_was_taken_over_does_not_release_the_new_holders_lock(
    fake_spotify, settings
):
    from django.core.cache import cache

    user = spotify_user_make(fake_spotify)
    key = sync_lock_key(spotify_id=user.spotify_id)
    gate, first, results = _first_sync_held(user, fake_spotify)
    try:
        # The first sync's lock expired (a long outage, say) and another sync took it.
        cache.set(key, "another-holders-token", 60)
    finally:
        gate.release.set()
        first.join(timeout=30)
    assert results["first"].status == "synced"
    assert cache.get(key) == "another-holders-token"
