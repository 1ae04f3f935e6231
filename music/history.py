"""Sync history in MongoDB: the only module that talks to MongoDB.

It owns one client per process, created lazily from settings, and exposes domain functions.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from django.conf import settings
from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from pymongo.errors import (
    ConfigurationError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    PyMongoError,
)

COLLECTION = "user_syncs"

_lock = threading.Lock()
_client: MongoClient | None = None


class HistoryRecordRejected(Exception):
    """MongoDB answered and refused this one record (too large, invalid): retrying it at once
    cannot help, and other records may still be written."""


class HistoryUnavailable(Exception):
    """MongoDB could not be reached or refused the operation."""


def _get_client() -> MongoClient:
    global _client
    with _lock:
        if _client is None:
            timeout = settings.MONGO_TIMEOUT_MS
            _client = MongoClient(
                settings.MONGO_URI,
                serverSelectionTimeoutMS=timeout,
                connectTimeoutMS=timeout,
                socketTimeoutMS=max(timeout, 5000),
                appname="personalify",
                tz_aware=True,
            )
        return _client


def history_client_reset() -> None:
    """Drop the process's client (after settings change, in tests, or after fork)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None


def _collection() -> Collection:
    return _get_client()[settings.MONGO_DB_NAME][COLLECTION]


def history_ping() -> None:
    """Raise HistoryUnavailable unless MongoDB answers a ping."""
    try:
        _get_client().admin.command("ping")
    except PyMongoError as exc:
        raise HistoryUnavailable(str(exc)) from exc


# --- Sync history: one document per (spotify_id, time_range) --------------------------------
#
# {spotify_id, time_range, sync_id, synced_at, artists, tracks, genres, genres_available,
#  created_at, updated_at, history: [{sync_id, synced_at, counts, top_artists, top_tracks,
#  top_genres}, ...], syncs_total, first_synced_at}
# -- one summary per sync, oldest first, at most HISTORY_KEPT of them: a document must stay far
# below MongoDB's 16 MB limit (about 40,000 summaries) and a page small. The summaries that fall
# off are kept in compact form: how many syncs there were in all and when the first was.

HISTORY_KEPT = 500


def history_indexes_ensure() -> None:
    """Create the history's unique index if it is missing (a flush asks once for all its
    records); raises HistoryUnavailable when MongoDB cannot be reached."""
    try:
        _ensure_indexes(_collection())
    except (ConnectionFailure, ExecutionTimeout, ConfigurationError) as exc:
        raise HistoryUnavailable(str(exc)) from exc
    except PyMongoError as exc:
        raise HistoryRecordRejected(str(exc)) from exc


def _ensure_indexes(collection: Collection) -> None:
    # Idempotent and cheap; asked by every delivery (or once per flush, indexes_known) so a
    # dropped collection gets its index back (the unique index makes delivery idempotent).
    collection.create_index(
        [("spotify_id", ASCENDING), ("time_range", ASCENDING)],
        unique=True,
        name="spotify_id_time_range_unique",
    )


def _summary(record: dict) -> dict:
    return {
        "sync_id": record["sync_id"],
        "synced_at": record["synced_at"],
        "counts": {"artists": len(record["artists"]), "tracks": len(record["tracks"])},
        "top_artists": [a["name"] for a in record["artists"][:5]],
        "top_tracks": [t["name"] for t in record["tracks"][:5]],
        "top_genres": [g["name"] for g in record.get("genres", [])[:5]],
    }


def sync_history_record(
    *,
    spotify_id: str,
    time_range: str,
    sync_id: str,
    synced_at: datetime,
    artists: list[dict],
    tracks: list[dict],
    genres: list[dict],
    genres_available: bool,
    indexes_known: bool = False,
) -> bool:
    """Store one sync of one time range; return False if this sync_id was already stored.

    Idempotent: delivering the same record twice appends its summary once. A record that
    arrives late (from the outbox) never overwrites newer latest lists.
    Raises HistoryUnavailable when MongoDB cannot be reached. ``indexes_known``: the caller
    has just run ``history_indexes_ensure`` (one round trip less per record).
    """
    record = {
        "sync_id": str(sync_id),
        "synced_at": synced_at,
        "artists": artists,
        "tracks": tracks,
        "genres": genres,
    }
    key = {"spotify_id": spotify_id, "time_range": time_range}
    now = datetime.now(UTC)
    try:
        collection = _collection()
        if not indexes_known:
            _ensure_indexes(collection)
        stored = True
        try:
            # Matches only a document that does not hold this sync yet; when the document
            # exists and holds it, the upsert collides with the unique index: already stored.
            collection.update_one(
                {**key, "history.sync_id": {"$ne": record["sync_id"]}},
                {
                    "$push": {
                        "history": {
                            "$each": [_summary(record)],
                            "$sort": {"synced_at": 1},
                            "$slice": -HISTORY_KEPT,
                        }
                    },
                    "$inc": {"syncs_total": 1},
                    "$min": {"first_synced_at": synced_at},
                    "$setOnInsert": {"created_at": now},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            stored = False
        # Also on redelivery: a delivery that failed between the two writes left the summary
        # without the latest lists, and this repairs it. Only a newer sync replaces them, so
        # writing them again is harmless.
        collection.update_one(
            {**key, "$or": [{"synced_at": {"$lt": synced_at}}, {"synced_at": None}]},
            {
                "$set": {
                    **record,
                    "genres_available": genres_available,
                    "updated_at": now,
                }
            },
        )
    except (ConnectionFailure, ExecutionTimeout, ConfigurationError) as exc:
        raise HistoryUnavailable(str(exc)) from exc
    except PyMongoError as exc:
        raise HistoryRecordRejected(str(exc)) from exc
    return stored


def sync_history_for_user(*, spotify_id: str) -> list[dict]:
    """Every time range's document for this user (without Mongo's _id), history oldest first."""
    try:
        documents = list(
            _collection().find({"spotify_id": spotify_id}, {"_id": 0}).sort("time_range", 1)
        )
    except PyMongoError as exc:
        raise HistoryUnavailable(str(exc)) from exc
    for document in documents:
        document["history"] = sorted(document.get("history", []), key=lambda h: h["synced_at"])
    return documents


def sync_history_delete_for_user(*, spotify_id: str) -> int:
    """Delete every history document of a user (account deletion); returns how many."""
    try:
        return _collection().delete_many({"spotify_id": spotify_id}).deleted_count
    except PyMongoError as exc:
        raise HistoryUnavailable(str(exc)) from exc
