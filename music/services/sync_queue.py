"""Queueing a sync for a worker: "Sync now", the login and the admin call ``sync_request``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from personalify.cache import CacheUnavailable, cache_call, cache_delete, cache_get
from personalify.progress import WORKER_UNAVAILABLE

from .sync import DEMO_SKIPPED, NO_SPOTIFY_ACCOUNT
from .sync_lock import QUEUED_TTL, sync_lock_key, sync_progress_set, sync_queued_key

logger = logging.getLogger(__name__)

SYNC_QUEUED = "Sync started."
SYNC_BUSY = "Already syncing: wait for the current sync to end."


@dataclass(frozen=True)
class SyncRequest:
    """What ``sync_request`` did, with a sentence for the user.

    ``status``: queued | busy (a sync is queued or running) | refused (the demo, or an
    account without Spotify) | unavailable (the broker did not take the task; nothing stays
    queued).
    """

    status: str
    message: str

    @property
    def queued(self) -> bool:
        return self.status == "queued"


def sync_request(*, user) -> SyncRequest:
    """Queue a sync of this user, sent to the broker when the current transaction commits.

    Outside a transaction (a view, the login) the task is sent at once, so a broker that is
    down comes back here as ``unavailable``. Inside one, that failure happens at commit and
    shows only in the progress (state failed, with the sentence). Either way nothing stays
    marked as queued, so the next "Sync now" is not refused as "already syncing".
    """
    if not user.spotify_id:
        return SyncRequest(status="refused", message=NO_SPOTIFY_ACCOUNT)
    if user.is_demo:
        return SyncRequest(status="refused", message=DEMO_SKIPPED)
    spotify_id = user.spotify_id
    if cache_get(sync_lock_key(spotify_id=spotify_id)) is not None:
        return SyncRequest(status="busy", message=SYNC_BUSY)
    try:
        queued = cache_call("add", sync_queued_key(spotify_id=spotify_id), 1, QUEUED_TTL)
    except CacheUnavailable:
        queued = True  # no cache: the task's own lock attempt decides
    if not queued:
        return SyncRequest(status="busy", message=SYNC_BUSY)
    sync_progress_set(spotify_id, state="queued", step="Waiting for a worker")
    user_id = user.pk
    sent: dict[str, bool] = {}

    def send() -> None:
        sent["ok"] = _sync_send(user_id=user_id, spotify_id=spotify_id)

    # robust: should _sync_send itself fail, the caller's commit still completes.
    transaction.on_commit(send, robust=True)
    if sent.get("ok") is False:
        return SyncRequest(status="unavailable", message=WORKER_UNAVAILABLE)
    return SyncRequest(status="queued", message=SYNC_QUEUED)


def _sync_send(*, user_id: int, spotify_id: str) -> bool:
    """Send the sync task to the broker; False (and nothing left queued) if it refuses."""
    from music.tasks import library_sync_task

    try:
        library_sync_task.delay(user_id)
    except Exception as exc:  # noqa: BLE001 - kombu OperationalError or the transport's own
        logger.error("Could not queue the sync of %s: %s: %s", spotify_id, type(exc).__name__, exc)
        cache_delete(sync_queued_key(spotify_id=spotify_id))
        sync_progress_set(spotify_id, state="failed", step="Not queued", error=WORKER_UNAVAILABLE)
        return False
    return True
