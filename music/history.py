"""Sync history in MongoDB: the only module that talks to MongoDB.

It owns one client per process, created lazily from settings, and exposes domain functions.
"""

from __future__ import annotations

import threading

from django.conf import settings
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

COLLECTION = "user_syncs"

_lock = threading.Lock()
_client: MongoClient | None = None


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


def sync_history_delete_for_user(*, spotify_id: str) -> int:
    """Delete every history document of a user (account deletion); returns how many."""
    try:
        return _collection().delete_many({"spotify_id": spotify_id}).deleted_count
    except PyMongoError as exc:
        raise HistoryUnavailable(str(exc)) from exc
