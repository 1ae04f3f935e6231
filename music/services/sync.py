"""The library sync: Spotify's top lists → PostgreSQL → MongoDB history → Redis cache.

``library_sync`` fetches the 3 time ranges by (artists, tracks) concurrently, upserts the
catalogue in bulk (the number of SQL queries does not depend on the number of items), replaces
each fetched range's ranking in one transaction (a range that failed keeps its previous ranking),
records per-range ``SyncState`` with a reason in words, writes the history records to the outbox
(delivered to MongoDB right after, or later if MongoDB is down) and refreshes the cache.
A lock in the cache keeps two syncs of one user from running at once.

Its parts: ``sync_fetch`` (Spotify, errors in words), ``sync_save`` (the writes),
``sync_lock`` (lock and progress) and ``sync_queue`` (``sync_request``, for a worker).

Items Spotify sends without an id or a name are left out and counted (``SyncResult.skipped``,
logged once per sync) rather than losing the whole sync; text PostgreSQL cannot store (NUL, lone
surrogates) is cleaned at parsing and counted (``SyncResult.cleaned``). Any unexpected error
still ends with the progress and the unsaved ranges' states failed, with a sentence, and the lock
released.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from accounts.exceptions import SpotifyReauthRequired
from music.models import HistoryOutbox
from music.selectors import top_build_many, top_cache_key
from music.signals import library_synced
from music.spotify import SpotifyClient, SpotifyError, SpotifyRateLimited, TimeRange
from personalify.cache import cache_delete, cache_set
from personalify.pagecache import page_version_bump

from .client import spotify_client_for
from .outbox import history_outbox_flush
from .sync_fetch import (
    RANGE_LABELS,
    SYNC_UNEXPECTED,
    sync_error_reason,
    sync_error_worst,
    top_lists_fetch,
)
from .sync_lock import (
    SyncLockKeeper,
    SyncProgress,
    sync_lock_acquire,
    sync_lock_release,
    sync_queued_key,
)
from .sync_save import catalogue_upsert, history_payload, rankings_replace, sync_states_write

logger = logging.getLogger(__name__)

ALREADY_SYNCING = "A sync is already running for this account."
DEMO_SKIPPED = "The demo account is loaded from bundled data (python manage.py load_demo)."
NO_SPOTIFY_ACCOUNT = (
    "This account is not linked to Spotify, so it has no library to sync: "
    "log in with Spotify to sync one."
)


@dataclass
class SyncResult:
    """What one sync did. ``status``: synced | failed | skipped."""

    status: str
    spotify_id: str
    sync_id: str | None = None
    synced_ranges: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # time_range -> reason in words
    reason: str | None = None  # why it failed or was skipped, in words
    retry_after: int | None = None  # seconds, when Spotify rate-limited us
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: int = 0  # malformed items Spotify sent (no id or name), left out of the rankings
    cleaned: int = 0  # items kept after control characters or lone surrogates were cleaned out

    @property
    def ok(self) -> bool:
        return self.status == "synced"


# --- After a successful sync ------------------------------------------------------------------


def _synced_announce(user) -> None:
    """Send ``library_synced`` (analytics refreshes the mood); a failing receiver (Redis or
    broker down, a bug) is logged and never undoes or interrupts a saved sync."""
    for receiver, answer in library_synced.send_robust(sender=type(user), user=user):
        if isinstance(answer, Exception):
            logger.error(
                "%s failed after syncing %s",
                getattr(receiver, "__qualname__", receiver),
                user.spotify_id,
                exc_info=answer,
            )


# --- The sync ---------------------------------------------------------------------------------


def library_sync(
    *,
    user,
    time_ranges: Iterable[str] = TimeRange.values,
    client: SpotifyClient | None = None,
) -> SyncResult:
    """Sync one user's top artists and tracks for the given time ranges.

    ``client`` defaults to ``spotify_client_for(user=user)``; the demo passes a client that
    reads its bundled data. Returns a SyncResult; never raises for Spotify
    errors (they become reasons in words) nor for unexpected ones (logged; status ``failed``).
    Status ``skipped`` when a sync of this user is already running, or the account has no
    Spotify id.
    """
    time_ranges = tuple(r for r in TimeRange.values if r in set(time_ranges))
    spotify_id = user.spotify_id
    if not spotify_id:
        # Staff accounts have no library, and would all share the "sync:…:None" keys.
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=NO_SPOTIFY_ACCOUNT)
    if client is None and user.is_demo:
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=DEMO_SKIPPED)
    acquired, token = sync_lock_acquire(spotify_id)
    if not acquired:
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=ALREADY_SYNCING)
    progress = SyncProgress(spotify_id, total=2 * len(time_ranges) + 2)
    result = SyncResult(status="failed", spotify_id=spotify_id, sync_id=str(uuid.uuid4()))
    completed = False
    try:
        with SyncLockKeeper(spotify_id, token):
            _sync_locked(user, time_ranges, client, progress, result)
        completed = True
    except Exception:
        # Returned as a failed sync (a command syncing every user goes on with the next one);
        # the details are in the log.
        logger.exception("The sync of %s failed unexpectedly", spotify_id)
    finally:
        # Whatever stopped the sync, the user is told and is free to sync again.
        if not completed:
            _sync_interrupted(user, time_ranges, result)
        progress.finish(result)
        cache_delete(sync_queued_key(spotify_id=spotify_id))
        sync_lock_release(spotify_id, token)
    return result


def _sync_interrupted(user, time_ranges: tuple[str, ...], result: SyncResult) -> None:
    """Record a sync stopped by an unexpected error: failed, with a sentence, on every range
    it had not saved (those keep their previous ranking)."""
    result.status = "failed"
    result.reason = SYNC_UNEXPECTED
    unsaved = [r for r in time_ranges if r not in result.synced_ranges]
    result.errors.update(dict.fromkeys(unsaved, SYNC_UNEXPECTED))
    try:
        sync_states_write(
            user,
            sync_id=result.sync_id,
            now=timezone.now(),
            fetched={},
            errors=dict.fromkeys(unsaved, SYNC_UNEXPECTED),
        )
    except Exception:
        logger.exception("Could not record the failed sync of %s", user.spotify_id)


def _sync_locked(user, time_ranges, client, progress: SyncProgress, result: SyncResult) -> None:
    """The sync itself; fills ``result`` as it goes (``synced_ranges`` once committed)."""
    spotify_id = user.spotify_id
    sync_id = result.sync_id
    progress.step("Connecting to Spotify")
    errors: dict[str, BaseException] = {}
    fetched: dict[str, dict[str, list]] = {}
    try:
        if client is None:
            client = spotify_client_for(user=user)
        fetched, errors = top_lists_fetch(client, time_ranges, progress)
    except (SpotifyError, SpotifyReauthRequired) as exc:
        errors = dict.fromkeys(time_ranges, exc)
    reasons = {r: sync_error_reason(exc) for r, exc in errors.items()}
    for time_range, exc in errors.items():
        if not isinstance(exc, SpotifyError | SpotifyReauthRequired):
            logger.error("Sync of %s (%s) failed", spotify_id, time_range, exc_info=exc)
    result.skipped, result.cleaned = _malformed_log(spotify_id, fetched)

    progress.step("Saving", advance=0)
    now = timezone.now()
    with transaction.atomic():
        built: dict[str, dict] = {}
        if fetched:
            catalogue_upsert(fetched)
            rankings_replace(user, fetched)
            # The builder reads the states' sync time: write them first.
            sync_states_write(user, sync_id=sync_id, now=now, fetched=fetched, errors={})
            built = top_build_many(user=user, time_ranges=tuple(fetched))
            # The payload as an expression: Django then inserts the rows as VALUES, not as
            # arrays to UNNEST, which psycopg quotes in Python character by character (~10 ms
            # for a sync's 3 payloads, against ~1 ms this way).
            payload_field = HistoryOutbox._meta.get_field("payload")
            HistoryOutbox.objects.bulk_create(
                HistoryOutbox(
                    sync_id=sync_id,
                    user=user,
                    time_range=r,
                    payload=Value(history_payload(payload), output_field=payload_field),
                )
                for r, payload in built.items()
            )
        sync_states_write(user, sync_id=sync_id, now=now, fetched={}, errors=reasons)
    result.synced_ranges = list(built)
    progress.step("Saved", advance=1)

    if built:
        for time_range, payload in built.items():
            cache_set(
                top_cache_key(spotify_id=spotify_id, time_range=time_range),
                payload,
                settings.CACHE_TTL,
            )
        page_version_bump(spotify_id)  # the pages that show these lists render them again
        flushed = history_outbox_flush()
        if flushed.error:
            _outbox_retry_later()
        if not errors:
            # After the cache and history writes (so nothing the refresh does can skip them),
            # and after the caller's commit if it holds a transaction. robust: a failing
            # callback is logged by Django instead of breaking the commit of the caller.
            transaction.on_commit(partial(_synced_announce, user), robust=True)
    progress.step("History and cache written", advance=1)

    result.status = "synced" if not errors else "failed"
    result.errors = reasons
    result.counts = {
        r: {"artists": len(p["artists"]), "tracks": len(p["tracks"])} for r, p in built.items()
    }
    if errors:
        worst = sync_error_worst(errors.values())
        result.reason = sync_error_reason(worst)
        if isinstance(worst, SpotifyRateLimited):
            result.retry_after = worst.retry_after


def _malformed_log(spotify_id: str, fetched: dict[str, dict[str, list]]) -> tuple[int, int]:
    """Count the malformed items the client left out of the lists to be saved, and those it
    kept after cleaning their text; log each kind once."""
    totals = []
    for attribute, message in (
        ("skipped", "Spotify sent %d malformed item(s) (no id or name) for %s, skipped: %s"),
        ("cleaned", "Spotify sent %d item(s) with unstorable text for %s, cleaned: %s"),
    ):
        counted = {
            f"{kind} ({RANGE_LABELS[r]})": n
            for r, lists in fetched.items()
            for kind, items in lists.items()
            if (n := getattr(items, attribute, 0))
        }
        if counted:
            total = sum(counted.values())
            where = ", ".join(f"{n} {place}" for place, n in counted.items())
            logger.warning(message, total, spotify_id, where)
        totals.append(sum(counted.values()))
    return totals[0], totals[1]


def _outbox_retry_later() -> None:
    """Queue the outbox task when a worker runs it later; in-process mode waits for the next
    sync, the daily schedule or ``manage.py flush_history_outbox``."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from music.tasks import history_outbox_flush_task

    try:
        history_outbox_flush_task.apply_async(countdown=60)
    except Exception as exc:  # noqa: BLE001 - e.g. kombu OperationalError: the broker is down
        # The records are safe in the outbox; the 10-minute schedule delivers them.
        logger.warning(
            "Could not queue the history delivery retry (%s: %s); the schedule will.",
            type(exc).__name__,
            exc,
        )
