"""The sync's lock and progress, both in the cache.

A lock keeps two syncs of one user from running at once (a crashed sync frees it after
``LOCK_TTL``); a "queued" mark keeps "Sync now" from queueing twice. The progress is the dict
``music.selectors.sync_progress_get`` reads.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from music.selectors import IDLE, PROGRESS_TTL, sync_progress_key
from personalify.cache import CacheUnavailable, cache_call, cache_delete, cache_get, cache_set

if TYPE_CHECKING:
    from .sync import SyncResult

logger = logging.getLogger(__name__)

LOCK_TTL = 10 * 60  # a crashed sync frees its user after this many seconds
QUEUED_TTL = 15 * 60  # a queued sync that no worker picked up stops blocking after this


def sync_lock_key(*, spotify_id: str) -> str:
    return f"sync:lock:{spotify_id}"


def sync_queued_key(*, spotify_id: str) -> str:
    return f"sync:queued:{spotify_id}"


def sync_lock_acquire(spotify_id: str) -> tuple[bool, str | None]:
    """Take the user's sync lock: (acquired, the token that releases it)."""
    token = uuid.uuid4().hex
    try:
        acquired = cache_call("add", sync_lock_key(spotify_id=spotify_id), token, LOCK_TTL)
    except CacheUnavailable:
        # Without a cache there is no lock; a concurrent sync would only redo the same
        # idempotent writes, so syncing beats refusing.
        logger.warning("Syncing %s without a lock: the cache is unavailable.", spotify_id)
        return True, None
    return bool(acquired), token if acquired else None


def sync_lock_release(spotify_id: str, token: str | None) -> None:
    if token and cache_get(sync_lock_key(spotify_id=spotify_id)) == token:
        cache_delete(sync_lock_key(spotify_id=spotify_id))


def sync_progress_set(spotify_id: str, *, state: str, step: str, error: str | None = None) -> None:
    """Set the progress of a sync that has not started (queued, or refused by the broker)."""
    _progress_store(sync_progress_key(spotify_id=spotify_id), state=state, step=step, error=error)


def _progress_store(key: str, **fields) -> None:
    """Store ``sync_progress_get``'s dict: the idle one with ``fields`` changed."""
    cache_set(key, {**IDLE, **fields}, PROGRESS_TTL)


class SyncProgress:
    """Writes ``sync_progress_get``'s dict; safe to call from the fetch threads."""

    def __init__(self, spotify_id: str, total: int):
        self.key = sync_progress_key(spotify_id=spotify_id)
        self.total = total
        self.done = 0
        self._lock = threading.Lock()

    def step(self, step: str, *, advance: int = 0, state: str = "running") -> None:
        with self._lock:
            self.done = min(self.total, self.done + advance)
            _progress_store(self.key, state=state, step=step, done=self.done, total=self.total)

    def finish(self, result: SyncResult) -> None:
        retry_at = None
        if result.retry_after is not None:
            retry_at = (timezone.now() + timedelta(seconds=result.retry_after)).isoformat()
        _progress_store(
            self.key,
            state="done" if result.ok else "failed",
            step="Synced" if result.ok else "Failed",
            done=self.total if result.ok else self.done,
            total=self.total,
            error=result.reason,
            retry_at=retry_at,
        )
