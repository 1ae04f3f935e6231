"""Deleting an account wins every race: each test stops the other side at its critical point
(with real PostgreSQL locks and a real MongoDB-wire server behind a pausable proxy)."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections, transaction

from accounts.services import account_delete
from music.history import history_client_reset, sync_history_for_user
from music.models import HistoryOutbox, Track, TrackArtist, UserArtist, UserTrack
from music.services import history_outbox_flush, library_sync
from music.services.client import spotify_client_for
from music.services.sync_fetch import top_lists_fetch
from music.services.sync_lock import SyncProgress
from music.services.sync_save import catalogue_upsert, rankings_replace
from music.spotify import TimeRange
from personalify.testing.tcpproxy import PausableProxy
from personalify.testing.users import spotify_user_make

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "archive"])


def _waiting_on_a_lock(*, within: float = 30.0) -> bool:
    """True once another backend of this database waits for a row lock."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _in_thread(target, results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = target()
        except Exception as exc:  # the test reads the outcome
            results[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_pruning_the_catalogue_keeps_what_a_concurrent_sync_is_ranking(fake_spotify):
    alice = spotify_user_make(fake_spotify, spotify_id="alice")
    bob = spotify_user_make(fake_spotify, spotify_id="bob")
    assert library_sync(user=alice).ok
    fetched, errors = top_lists_fetch(
        spotify_client_for(user=bob), tuple(TimeRange.values), SyncProgress("bob", total=8)
    )
    assert not errors
    written, release = threading.Event(), threading.Event()
    results: dict = {}

    def bobs_sync_saving():
        # What the sync does in its transaction, held open before the commit.
        with transaction.atomic():
            catalogue_upsert(fetched)
            rankings_replace(bob, fetched)
            written.set()
            assert release.wait(30)
        return "committed"

    saving = _in_thread(bobs_sync_saving, results, "bob")
    assert written.wait(30)
    deleting = _in_thread(lambda: account_delete(user=alice), results, "delete")
    try:
        assert _waiting_on_a_lock(), "the deletion never waited for the sync's rows"
    finally:
        release.set()
        saving.join(30)
        deleting.join(30)
    assert results["bob"] == "committed"
    assert results["delete"] is None, results["delete"]  # it used to fail (or cascade)
    ranked = {
        "artists": UserArtist.objects.filter(user=bob).count(),
        "tracks": UserTrack.objects.filter(user=bob).count(),
    }
    assert ranked == {"artists": 60, "tracks": 60}  # three ranges of 20
    ranked_tracks = set(UserTrack.objects.filter(user=bob).values_list("track_id", flat=True))
    assert ranked_tracks <= set(Track.objects.values_list("id", flat=True))
    assert TrackArtist.objects.filter(track_id__in=ranked_tracks).count() >= len(ranked_tracks)


def test_a_flush_delivering_during_the_deletion_writes_nothing_back(
    fake_spotify, settings, mongo_server
):
    user = spotify_user_make(fake_spotify)
    # Records waiting in the outbox (MongoDB was down at the sync).
    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    assert library_sync(user=user).ok
    assert HistoryOutbox.objects.count() == 3
    address = urlsplit(mongo_server)
    settings.MONGO_TIMEOUT_MS = 30_000  # the pause must not look like an outage
    results: dict = {}
    with PausableProxy(address.hostname, address.port) as proxy:
        # directConnection: the server's own address in its answers must not route around us
        settings.MONGO_URI = f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true"
        history_client_reset()
        try:
            sync_history_for_user(spotify_id="nobody")  # connected before the pause
            proxy.pause()  # MongoDB stops answering mid-flush: the flush holds its rows
            flushing = _in_thread(history_outbox_flush, results, "flush")
            time.sleep(0.5)
            deleting = _in_thread(lambda: account_delete(user=user), results, "delete")
            try:
                assert _waiting_on_a_lock(), "the deletion did not wait for the flush"
            finally:
                proxy.resume()
                flushing.join(60)
                deleting.join(60)
        finally:
            settings.MONGO_URI = mongo_server
            history_client_reset()
    assert results["delete"] is None, results["delete"]
    assert results["flush"].delivered == 3
    assert sync_history_for_user(spotify_id=user.spotify_id) == []  # none written back
