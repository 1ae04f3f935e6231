"""library_sync's history in MongoDB, through the outbox when MongoDB is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from music.history import history_client_reset, sync_history_for_user
from music.models import HistoryOutbox
from music.selectors import top_get
from music.services import history_outbox_flush, library_sync
from music.services.sync_save import history_payload
from music.spotify import TimeRange

from .sync_helpers import mongodb_down

pytestmark = pytest.mark.django_db


def test_library_sync_records_history_in_mongodb_when_it_succeeds(spotify_user):
    result = library_sync(user=spotify_user)
    documents = sync_history_for_user(spotify_id=spotify_user.spotify_id)
    assert [d["time_range"] for d in documents] == sorted(TimeRange.values)
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


def test_library_sync_stores_each_range_history_payload_as_json_when_mongodb_is_down(
    spotify_user, settings, mongo_server
):
    """The outbox rows are inserted from expressions (not UNNEST arrays): each must hold
    its range's history part as a JSON object, byte for byte what the cache got."""
    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        assert library_sync(user=spotify_user).ok
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
    rows = {row.time_range: row.payload for row in HistoryOutbox.objects.filter(user=spotify_user)}
    assert sorted(rows) == sorted(TimeRange.values)
    for time_range, payload in rows.items():
        built = top_get(user=spotify_user, time_range=time_range)
        assert payload == history_payload(built)
        assert isinstance(payload["artists"], list) and len(payload["artists"]) == 20


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


def _broken_record(user) -> HistoryOutbox:
    """A record that can never be written (its payload lost its sync time)."""
    row = HistoryOutbox.objects.create(
        user=user, time_range="short_term", payload={"synced_at": "not a time"}
    )
    HistoryOutbox.objects.filter(id=row.id).update(created_at=timezone.now() - timedelta(days=1))
    return row


def test_one_record_that_can_never_be_written_does_not_block_the_others(
    spotify_user, settings, mongo_server
):
    broken = _broken_record(spotify_user)  # the oldest: it used to stop every flush
    with mongodb_down(settings, mongo_server):
        library_sync(user=spotify_user)
    # The sync's own flush already met the broken record (refused, backing off) before MongoDB
    # turned out to be down; the next flush passes it and delivers the sync's three.
    flushed = history_outbox_flush()
    assert (flushed.delivered, flushed.rejected, flushed.pending) == (3, 0, 1)
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3
    broken.refresh_from_db()
    assert broken.attempts == 1 and broken.next_attempt_at > timezone.now()
    assert "ValueError" in broken.last_error
    # Backing off: the next flush does not try it.
    assert history_outbox_flush().rejected == 0


def test_a_record_refused_too_often_is_parked_and_the_admin_can_retry_it(
    spotify_user, admin_client
):
    from django.urls import reverse

    from music.services.outbox import OUTBOX_MAX_ATTEMPTS

    broken = _broken_record(spotify_user)
    for _ in range(OUTBOX_MAX_ATTEMPTS):
        HistoryOutbox.objects.filter(id=broken.id).update(next_attempt_at=None)
        history_outbox_flush()
    broken.refresh_from_db()
    assert broken.parked_at is not None and broken.attempts == OUTBOX_MAX_ATTEMPTS
    flushed = history_outbox_flush()
    assert (flushed.rejected, flushed.pending, flushed.parked) == (0, 0, 1)
    changelist = reverse("admin:music_historyoutbox_changelist")
    listed = admin_client.get(changelist, {"state": "parked"}).content.decode()
    assert str(broken.sync_id) in listed
    response = admin_client.post(
        changelist, {"action": "outbox_retry", "_selected_action": [broken.pk]}, follow=True
    )
    assert "1 record(s) will be retried" in response.content.decode()
    broken.refresh_from_db()
    assert broken.parked_at is None and broken.attempts == 0
    assert history_outbox_flush().rejected == 1
