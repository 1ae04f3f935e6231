"""Queueing a sync for a worker: "Sync now", the login and the admin call ``sync_request``."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from music.selectors import sync_cooldown_key, sync_cooldown_until
from personalify.cache import CacheUnavailable, cache_call, cache_delete, cache_get, cache_set
from personalify.progress import QUEUED_STEP, WORKER_UNAVAILABLE

from .sync import DEMO_SKIPPED, NO_SPOTIFY_ACCOUNT
from .sync_lock import QUEUED_TTL, sync_lock_key, sync_progress_set, sync_queued_key

logger = logging.getLogger(__name__)

SYNC_QUEUED = "Sync started."
SYNC_BUSY = "Already syncing: wait for the current sync to end."


def sync_cooldown_message(until) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Synced a moment ago: you can sync again in {minutes} {unit}."


@dataclass(frozen=True)
class SyncRequest:
    """What ``sync_request`` did, with a sentence for the user.

    ``status``: queued | busy (a sync is queued or running) | cooldown ("Sync now" was pressed
    less than SYNC_NOW_COOLDOWN seconds ago) | refused (the demo, or an account without
    Spotify) | unavailable (the broker did not take the task; nothing stays queued).
    """

    status: str
    message: str

    @property
    def queued(self) -> bool:
        return self.status == "queued"


def sync_request(*, user, cooldown: bool = False) -> SyncRequest:
    """Queue a sync of this user, sent to the broker when the current transaction commits.

    Outside a transaction (a view, the login) the task is sent at once, so a broker that is
    down comes back here as ``unavailable``. Inside one, that failure happens at commit and
    shows only in the progress (state failed, with the sentence). Either way nothing stays
    marked as queued, so the next "Sync now" is not refused as "already syncing".

    ``cooldown`` (the "Sync now" button): refused within settings.SYNC_NOW_COOLDOWN seconds of
    the user's last one. Spotify's rate limit is per app: one user's clicks must not get every
    user rate-limited.
    """
    if not user.spotify_id:
        return SyncRequest(status="refused", message=NO_SPOTIFY_ACCOUNT)
    if user.is_demo:
        return SyncRequest(status="refused", message=DEMO_SKIPPED)
    spotify_id = user.spotify_id
    if cache_get(sync_lock_key(spotify_id=spotify_id)) is not None:
        return SyncRequest(status="busy", message=SYNC_BUSY)
    if cooldown and (until := sync_cooldown_until(user=user)) is not None:
        if cache_get(sync_queued_key(spotify_id=spotify_id)) is not None:
            return SyncRequest(status="busy", message=SYNC_BUSY)  # the more useful sentence
        return SyncRequest(status="cooldown", message=sync_cooldown_message(until))
    try:
        queued = cache_call("add", sync_queued_key(spotify_id=spotify_id), 1, QUEUED_TTL)
    except CacheUnavailable:
        queued = True  # no cache: the task's own lock attempt decides
    if not queued:
        return SyncRequest(status="busy", message=SYNC_BUSY)
    sync_progress_set(spotify_id, state="queued", step=QUEUED_STEP)
    user_id = user.pk
    sent: dict[str, bool] = {}

    def send() -> None:
        sent["ok"] = _sync_send(user_id=user_id, spotify_id=spotify_id)

    # robust: should _sync_send itself fail, the caller's commit still completes.
    transaction.on_commit(send, robust=True)
    if sent.get("ok") is False:
        return SyncRequest(status="unavailable", message=WORKER_UNAVAILABLE)
    if cooldown:
        until = time.time() + settings.SYNC_NOW_COOLDOWN
        cache_set(sync_cooldown_key(spotify_id=spotify_id), until, settings.SYNC_NOW_COOLDOWN)
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
