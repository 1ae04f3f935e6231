"""Celery tasks of the music app: take ids, load, call the service. Retries live here.

Delivery semantics: ``library_sync_task`` is idempotent (a sync rewrites the user's rankings
whole, under the user's lock) and acknowledged late, so a worker killed mid-sync leaves it to be
delivered again; it has soft and hard time limits shorter than the lock's life.
``library_sync_all_task`` only queues syncs (a queued mark keeps a user from being queued twice).
``artist_genres_lookup_task`` is idempotent (artists answered within the month are skipped).
``history_outbox_flush_task`` is idempotent (records are delivered by id, under row locks) and
never retries itself: the 10-minute schedule and the flush queued after each sync are its retries.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.selectors import user_active_spotify_list
from music.services import (
    artist_genres_lookup,
    history_outbox_flush,
    library_sync,
    sync_request,
)
from music.services.plays_import import (
    ImportTakenOver,
    play_import_claim,
    play_import_pause,
    play_import_resume,
    play_import_run,
)
from music.services.recently_played import plays_poll
from music.services.sync_lock import sync_progress_set
from personalify.archive import ArchiveUnavailable

logger = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3


def sync_retry_countdown(retry_after: int | None, *, retries: int) -> int | None:
    """Seconds to wait before retrying a rate-limited sync, or None not to retry: after
    ``RATE_LIMIT_RETRIES``, and when Spotify asks for longer than a countdown may be (the broker
    would deliver the task twice); the progress then says when to try again, and the daily
    re-sync comes anyway."""
    if retry_after is None or retries >= RATE_LIMIT_RETRIES:
        return None
    countdown = max(1, retry_after)
    return countdown if countdown <= settings.CELERY_MAX_COUNTDOWN else None


@shared_task(
    bind=True,
    max_retries=RATE_LIMIT_RETRIES,
    acks_late=True,
    soft_time_limit=settings.SYNC_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.SYNC_TASK_TIME_LIMIT,
)
def library_sync_task(self, user_id: int) -> dict:
    """Sync one user. When Spotify rate-limits, retry after its Retry-After (bounded).

    In-process mode (no broker) does not retry: Celery would re-run at once, ignoring the
    delay; the progress then shows the reason and when to try again.
    """
    user = get_user_model().objects.filter(pk=user_id, spotify_id__isnull=False).first()
    if user is None:
        return {"status": "skipped", "reason": "no such user"}
    result = library_sync(user=user)
    countdown = sync_retry_countdown(result.retry_after, retries=self.request.retries)
    if countdown is not None and not self.request.is_eager:
        retry_at = timezone.now() + timedelta(seconds=countdown)
        sync_progress_set(
            user.spotify_id,
            state="queued",
            step="Waiting for Spotify's rate limit",
            # The page adds the retry's time in the reader's zone (retry_at).
            error="Spotify is rate-limiting this site; the sync waits and retries by itself.",
            retry_at=retry_at.isoformat(),
        )
        raise self.retry(countdown=countdown)
    return {
        "status": result.status,
        "reason": result.reason,
        "ranges": result.synced_ranges,
        "skipped": result.skipped,
    }


@shared_task(bind=True, max_retries=RATE_LIMIT_RETRIES, acks_late=True)
def artist_genres_lookup_task(self, user_id: int) -> dict:
    """Look up on MusicBrainz the genres of one user's artists that Spotify sent none for.
    When MusicBrainz asks to wait, retry after its Retry-After (bounded; not in-process, where
    the next sync asks again)."""
    user = get_user_model().objects.filter(pk=user_id, spotify_id__isnull=False).first()
    if user is None or user.is_demo:
        return {"status": "skipped"}
    result = artist_genres_lookup(user=user)
    countdown = sync_retry_countdown(result.retry_after, retries=self.request.retries)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)
    return {
        "asked": result.asked,
        "found": result.found,
        "unmatched": result.unmatched,
        "remaining": result.remaining,
        "error": result.error,
    }


@shared_task
def library_sync_all_task() -> int:
    """The daily re-sync: queue one sync per Spotify user (not the bundled demo)."""
    users = user_active_spotify_list()
    return sum(1 for user in users.iterator() if sync_request(user=user).queued)


@shared_task(acks_late=True)
def history_outbox_flush_task() -> dict:
    """Deliver waiting sync-history records to MongoDB. While it is down they wait for the next
    scheduled flush (no retry chain of its own: every scheduled run would start another)."""
    result = history_outbox_flush()
    return {"delivered": result.delivered, "pending": result.pending}


@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def play_import_task(self, import_id: int) -> dict:
    """Import one uploaded export. Node B down: the job waits (cursor kept) and is retried with
    back-off; a worker that dies mid-import is replaced by ``play_import_resume_task``."""
    attempt = play_import_claim(import_id=import_id)
    if attempt is None:
        return {"status": "skipped", "reason": "finished, or another worker has it"}
    try:
        job = play_import_run(import_id=import_id, attempt=attempt)
    except ImportTakenOver:
        return {"status": "skipped", "reason": "taken over"}
    except ArchiveUnavailable as exc:
        play_import_pause(import_id=import_id, attempt=attempt, reason=str(exc))
        if self.request.is_eager:
            return {"status": "waiting", "reason": str(exc)}
        raise self.retry(countdown=min(3600, 30 * 2 ** min(self.request.retries, 7))) from exc
    return {"status": job.state, "imported": job.imported, "already_there": job.already_there}


@shared_task
def play_import_resume_task() -> int:
    """Every minute: send again the imports nobody works on (see ``play_import_resume``)."""
    return len(play_import_resume())


@shared_task(acks_late=True)
def plays_poll_task(user_id: int) -> dict:
    """Store one user's new recently played tracks. No retry: the cursor is what the archive
    holds, so the next scheduled poll catches up whatever this one could not store."""
    user = get_user_model().objects.filter(pk=user_id, spotify_id__isnull=False).first()
    if user is None:
        return {"status": "skipped", "reason": "no such user"}
    result = plays_poll(user=user)
    return {"status": result.status, "inserted": result.inserted, "gap": result.gap}


@shared_task
def plays_poll_all_task() -> int:
    """Every RECENTLY_PLAYED_INTERVAL (beat): queue one poll per active Spotify user."""
    queued = 0
    for user in user_active_spotify_list().iterator():
        try:
            plays_poll_task.delay(user.pk)
            queued += 1
        except Exception:  # noqa: BLE001 - broker down: the next beat run polls again
            logger.warning("Could not queue the recently played poll of user %s", user.pk)
    return queued
