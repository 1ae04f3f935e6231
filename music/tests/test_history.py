"""music.history: one document per (spotify_id, time_range), append-only, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from pymongo import MongoClient

from music.history import (
    COLLECTION,
    HistoryUnavailable,
    history_client_reset,
    sync_history_delete_for_user,
    sync_history_for_user,
    sync_history_record,
)

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _record(sync_id="s1", when=T0, n=7, time_range="short_term", spotify_id="u1"):
    return sync_history_record(
        spotify_id=spotify_id,
        time_range=time_range,
        sync_id=sync_id,
        synced_at=when,
        artists=[{"rank": i + 1, "name": f"A{i}"} for i in range(n)],
        tracks=[{"rank": i + 1, "name": f"T{i}"} for i in range(n)],
        genres=[{"name": "jazz", "weight": 1.0, "artists": ["A0"]}],
        genres_available=True,
    )


def test_sync_history_record_appends_once_when_delivered_twice():
    assert _record() is True
    assert _record() is False
    (document,) = sync_history_for_user(spotify_id="u1")
    assert [h["sync_id"] for h in document["history"]] == ["s1"]


def test_sync_history_record_keeps_one_document_per_range_when_synced_again():
    _record("s1", T0)
    _record("s2", T0 + timedelta(days=1), n=3)
    (document,) = sync_history_for_user(spotify_id="u1")
    assert document["sync_id"] == "s2" and len(document["artists"]) == 3
    summary = document["history"][0]
    assert summary["counts"] == {"artists": 7, "tracks": 7}
    assert summary["top_artists"] == ["A0", "A1", "A2", "A3", "A4"]
    assert summary["top_genres"] == ["jazz"]


def test_sync_history_record_keeps_the_newest_lists_when_an_older_record_arrives_late():
    _record("new", T0 + timedelta(days=1), n=3)
    _record("old", T0, n=7)
    (document,) = sync_history_for_user(spotify_id="u1")
    assert document["sync_id"] == "new" and len(document["artists"]) == 3
    assert [h["sync_id"] for h in document["history"]] == ["old", "new"]


def test_sync_history_collection_has_a_unique_index_when_written():
    _record()
    with MongoClient(settings.MONGO_URI) as client:
        indexes = client[settings.MONGO_DB_NAME]["user_syncs"].index_information()
    unique = [i for i in indexes.values() if i.get("unique")]
    assert [list(dict(i["key"])) for i in unique] == [["spotify_id", "time_range"]]


def test_sync_history_delete_for_user_removes_only_that_user_when_called():
    _record(spotify_id="u1")
    _record(spotify_id="u1", time_range="long_term")
    _record(spotify_id="u2")
    assert sync_history_delete_for_user(spotify_id="u1") == 2
    assert sync_history_for_user(spotify_id="u1") == []
    assert len(sync_history_for_user(spotify_id="u2")) == 1


def test_sync_history_record_raises_unavailable_when_mongodb_is_down(settings, mongo_server):
    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        with pytest.raises(HistoryUnavailable):
            _record()
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()


def test_redelivery_writes_the_latest_lists_a_delivery_interrupted_after_the_summary_missed(
    mongo_server,
):
    # The first delivery stored the summary, then MongoDB failed before the latest lists: the
    # document holds the sync in its history and nothing else (written here as it was left).
    collection = MongoClient(mongo_server)[settings.MONGO_DB_NAME][COLLECTION]
    collection.insert_one(
        {
            "spotify_id": "u1",
            "time_range": "short_term",
            "history": [{"sync_id": "s1", "synced_at": T0, "counts": {}}],
        }
    )
    assert _record("s1", T0) is False  # already stored...
    (document,) = sync_history_for_user(spotify_id="u1")
    assert document["sync_id"] == "s1" and len(document["artists"]) == 7  # ...and repaired
    assert [h["sync_id"] for h in document["history"]] == ["s1"]


def test_history_keeps_a_bounded_number_of_summaries_and_counts_the_rest(monkeypatch):
    import music.history

    monkeypatch.setattr(music.history, "HISTORY_KEPT", 3)
    for day in range(5):
        _record(f"s{day}", T0 + timedelta(days=day))
    _record("s4", T0 + timedelta(days=4))  # a redelivery is not counted twice
    (document,) = sync_history_for_user(spotify_id="u1")
    assert [h["sync_id"] for h in document["history"]] == ["s2", "s3", "s4"]
    assert document["syncs_total"] == 5
    assert document["first_synced_at"].replace(tzinfo=UTC) == T0
    assert document["sync_id"] == "s4"
