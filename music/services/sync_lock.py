"""The sync's lock and progress, both in the cache.

A lock keeps two syncs of one user from running at once: its holder renews it while the sync
runs (``SyncLockKeeper``), so it cannot expire under a long sync, and releases it only while it
still holds its token (one atomic compare-and-delete); a crashed sync frees it after
``sync_lock_ttl()``. A "queued" mark keeps "Sync now" from queueing twice. The progress is a record
of ``personalify.progress`` (kind "sync", owner the Spotify id), read by ``sync_progress_get``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from music.selectors import SYNC_PROGRESS
from personalify.cache import CacheUnavailable, cache_call, cache_delete_if, cache_touch_if
from personalify.progress import progress_set

if TYPE_CHECKING:
    from .sync import SyncResult

logger = logging.getLogger(__name__)

QUEUED_TTL = 15 * 60  # a queued sync that no worker picked up stops blocking after this


def sync_lock_key(*, spotify_id: str) -> str:
    return f"sync:lock:{spotify_id}"


def sync_queued_key(*, spotify_id: str) -> str:
    return f"sync:queued:{spotify_id}"


def sync_lock_ttl() -> float:
    """Seconds a lock lives unless renewed: how long a crashed sync blocks its user."""
    return settings.SYNC_LOCK_TTL


def sync_lock_acquire(spotify_id: str) -> tuple[bool, str | None]:
    """Take the user's sync lock: (acquired, the token that renews and releases it)."""
    token = uuid.uuid4().hex
    try:
        acquired = cache_call("add", sync_lock_key(spotify_id=spotify_id), token, sync_lock_ttl())
    except CacheUnavailable:
        # Without a cache there is no lock; a concurrent sync would only redo the same
        # idempotent writes, so syncing beats refusing.
        logger.warning("Syncing %s without a lock: the cache is unavailable.", spotify_id)
        return True, None
    return bool(acquired), token if acquired else None


def sync_lock_release(spotify_id: str, token: str | None) -> None:
    """Release the lock if this holder still has it (never another sync's lock)."""
    if not token:
        return
    with contextlib.suppress(CacheUnavailable):  # down: the lock expires by itself
        cache_delete_if(sync_lock_key(spotify_id=spotify_id), token)


class SyncLockKeeper:
    """Renews a held lock every third of its life until stopped, from a daemon thread.

    ``lost`` is set when the renewal finds the key holding another token or none (the lock
    expired while the cache was unreachable, say): the sync goes on (its writes are idempotent),
    and the release will not touch the other holder's lock.
    """

    def __init__(self, spotify_id: str, token: str | None):
        self.spotify_id = spotify_id
        self.token = token
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sync-lock-{spotify_id}", daemon=True
        )

    def __enter__(self) -> SyncLockKeeper:
        if self.token:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        key = sync_lock_key(spotify_id=self.spotify_id)
        while not self._stop.wait(sync_lock_ttl() / 3):
            try:
                renewed = cache_touch_if(key, self.token, sync_lock_ttl())
            except CacheUnavailable:
                continue  # try again at the next beat; the lock may still be alive
            if not renewed:
                logger.warning("The sync lock of %s was lost while syncing.", self.spotify_id)
                self.lost.set()
                return


def sync_progress_set(spotify_id: str, *, state: str, **fields) -> None:
    """Set the progress of a sync that is not running (queued, refused by the broker, waiting
    for Spotify's rate limit)."""
    progress_set(kind=SYNC_PROGRESS, owner=spotify_id, state=state, **fields)


class SyncProgress:
    """Writes ``sync_progress_get``'s dict; safe to call from the fetch threads."""

    def __init__(self, spotify_id: str, total: int):
        self.spotify_id = spotify_id
        self.total = total
        self.done = 0
        self._lock = threading.Lock()

    def step(self, step: str, *, advance: int = 0, state: str = "running") -> None:
        with self._lock:
            self.done = min(self.total, self.done + advance)
            sync_progress_set(
                self.spotify_id, state=state, step=step, done=self.done, total=self.total
            )

    def finish(self, result: SyncResult) -> None:
        retry_at = None
        if result.retry_after is not None:
            retry_at = (timezone.now() + timedelta(seconds=result.retry_after)).isoformat()
        sync_progress_set(
            self.spotify_id,
            state="done" if result.ok else "failed",
            step="Synced" if result.ok else "Failed",
            done=self.total if result.ok else self.done,
            total=self.total,
            error=result.reason,
            retry_at=retry_at,
        )
