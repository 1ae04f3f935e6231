"""The library sync: Spotify's top lists → PostgreSQL → MongoDB history → Redis cache.

``library_sync`` fetches the 3 time ranges by (artists, tracks) concurrently, upserts the
catalogue in bulk (the number of SQL queries does not depend on the number of items), replaces
each fetched range's ranking in one transaction (a range that failed keeps its previous ranking),
records per-range ``SyncState`` with a reason in words, writes the history records to the outbox
(delivered to MongoDB right after, or later if MongoDB is down) and refreshes the cache.
A lock in the cache keeps two syncs of one user from running at once.

Items Spotify sends without an id or a name are left out and counted (``SyncResult.skipped``,
logged once per sync) rather than losing the whole sync. Any unexpected error still ends with
the progress and the unsaved ranges' states failed, with a sentence, and the lock released.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts.exceptions import SpotifyReauthRequired
from music.models import (
    Artist,
    HistoryOutbox,
    SyncState,
    Track,
    TrackArtist,
    UserArtist,
    UserTrack,
)
from music.selectors import (
    PROGRESS_TTL,
    TIME_RANGES,
    sync_progress_key,
    top_build_many,
    top_cache_key,
    user_is_demo,
)
from music.spotify import (
    SpotifyArtist,
    SpotifyAuthError,
    SpotifyBadResponse,
    SpotifyClient,
    SpotifyError,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyTrack,
    SpotifyUnavailable,
)
from personalify.cache import CacheUnavailable, cache_call, cache_delete, cache_get, cache_set

from .outbox import history_outbox_flush

logger = logging.getLogger(__name__)

LOCK_TTL = 10 * 60  # a crashed sync frees its user after this many seconds
QUEUED_TTL = 15 * 60  # a queued sync that no worker picked up stops blocking after this
FETCH_LIMIT = 50
FETCH_WORKERS = 6  # the 6 lists at once (bench/sync.py compares with 1)
RANGE_LABELS = {
    "short_term": "last 4 weeks",
    "medium_term": "last 6 months",
    "long_term": "last year",
}

ALREADY_SYNCING = "A sync is already running for this account."
DEMO_SKIPPED = "The demo account is loaded from bundled data (python manage.py load_demo)."
NO_SPOTIFY_ACCOUNT = (
    "This account is not linked to Spotify, so it has no library to sync: "
    "log in with Spotify to sync one."
)
SYNC_QUEUED = "Sync started."
SYNC_BUSY = "Already syncing: wait for the current sync to end."
WORKER_UNAVAILABLE = "Background worker unavailable — try again in a minute."
SYNC_UNEXPECTED = "The sync failed unexpectedly; the site's owner can find the details in the logs."


def sync_lock_key(*, spotify_id: str) -> str:
    return f"sync:lock:{spotify_id}"


def sync_queued_key(*, spotify_id: str) -> str:
    return f"sync:queued:{spotify_id}"


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

    @property
    def ok(self) -> bool:
        return self.status == "synced"


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


# --- Errors in words --------------------------------------------------------------------------

_SEVERITY = (
    SpotifyReauthRequired,
    SpotifyAuthError,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    SpotifyBadResponse,
)


def _when(seconds: int) -> str:
    moment = timezone.now() + timedelta(seconds=seconds)
    delay = f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"
    return f"{moment:%H:%M:%S} UTC (in {delay})"


def sync_error_reason(exc: BaseException) -> str:
    """A sentence a person can act on, for an error raised while syncing."""
    if isinstance(exc, SpotifyReauthRequired | SpotifyAuthError):
        return "Your Spotify login has expired or was revoked: log in again to sync."
    if isinstance(exc, SpotifyForbidden):
        if getattr(exc, "not_allow_listed", False):
            return (
                "This Spotify account is not on the app's allow-list: the site's owner must "
                "add it under User Management in the Spotify developer dashboard."
            )
        return f"Spotify refused the request: {getattr(exc, 'message', '') or exc}"
    if isinstance(exc, SpotifyRateLimited):
        return (
            f"Spotify is rate-limiting this site; the sync can retry after "
            f"{_when(exc.retry_after)}."
        )
    if isinstance(exc, SpotifyUnavailable):
        return "Spotify is not answering right now (server error or timeout); try again later."
    if isinstance(exc, SpotifyBadResponse):
        return "Spotify sent a response Personalify could not read; try again later."
    if isinstance(exc, SpotifyError):
        return f"Spotify answered with an error: {getattr(exc, 'message', '') or exc}"
    return SYNC_UNEXPECTED


def _worst(errors: Iterable[BaseException]) -> BaseException:
    def severity(exc: BaseException) -> int:
        for index, kind in enumerate(_SEVERITY):
            if isinstance(exc, kind):
                return index
        return len(_SEVERITY)

    return min(errors, key=severity)


# --- Progress ---------------------------------------------------------------------------------


class _Progress:
    """Writes ``sync_progress_get``'s dict; safe to call from the fetch threads."""

    def __init__(self, spotify_id: str, total: int):
        self.key = sync_progress_key(spotify_id=spotify_id)
        self.total = total
        self.done = 0
        self._lock = threading.Lock()

    def step(self, step: str, *, advance: int = 0, state: str = "running") -> None:
        with self._lock:
            self.done = min(self.total, self.done + advance)
            cache_set(
                self.key,
                {
                    "state": state,
                    "step": step,
                    "done": self.done,
                    "total": self.total,
                    "error": None,
                    "retry_at": None,
                },
                PROGRESS_TTL,
            )

    def finish(self, result: SyncResult) -> None:
        retry_at = None
        if result.retry_after is not None:
            retry_at = (timezone.now() + timedelta(seconds=result.retry_after)).isoformat()
        cache_set(
            self.key,
            {
                "state": "done" if result.ok else "failed",
                "step": "Synced" if result.ok else "Failed",
                "done": self.total if result.ok else self.done,
                "total": self.total,
                "error": result.reason,
                "retry_at": retry_at,
            },
            PROGRESS_TTL,
        )


# --- Fetch ------------------------------------------------------------------------------------


def _fetch_all(
    client: SpotifyClient, time_ranges: tuple[str, ...], progress: _Progress
) -> tuple[dict[str, dict[str, list]], dict[str, BaseException]]:
    """Fetch every (range, kind) concurrently; return the lists and the errors by range."""

    def job(time_range: str, kind: str) -> list:
        try:
            fetch = client.top_artists if kind == "artists" else client.top_tracks
            items = fetch(time_range=time_range, limit=FETCH_LIMIT)
            progress.step(f"Fetched top {kind} ({RANGE_LABELS[time_range]})", advance=1)
            return items
        finally:
            # A token refresh may have used the ORM in this thread: close its connection.
            connections.close_all()

    jobs = [(r, kind) for r in time_ranges for kind in ("artists", "tracks")]
    fetched: dict[str, dict[str, list]] = {r: {} for r in time_ranges}
    errors: dict[str, BaseException] = {}
    workers = max(1, min(FETCH_WORKERS, len(jobs)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spotify-fetch") as pool:
        futures = {(r, kind): pool.submit(job, r, kind) for r, kind in jobs}
    for (time_range, kind), future in futures.items():
        exc = future.exception()
        if exc is None:
            fetched[time_range][kind] = future.result()
        elif time_range not in errors:
            errors[time_range] = exc
    return {r: lists for r, lists in fetched.items() if r not in errors}, errors


# --- Save -------------------------------------------------------------------------------------


def _artist_row(artist: SpotifyArtist) -> Artist:
    return Artist(
        id=artist.id,
        name=artist.name,
        popularity=artist.popularity,
        image_url=artist.images[0].url if artist.images else None,
        genres=list(artist.genres) if artist.genres is not None else None,
        images=[{"url": i.url, "height": i.height, "width": i.width} for i in artist.images],
        followers=artist.followers,
        url=artist.url,
    )


def _track_row(track: SpotifyTrack) -> Track:
    album = track.album
    return Track(
        id=track.id,
        name=track.name,
        popularity=track.popularity,
        preview_url=track.preview_url,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        album_id=album.id,
        album_name=album.name,
        album_type=album.album_type,
        album_release_date=album.release_date,
        album_image_url=album.images[0].url if album.images else None,
        url=track.url,
    )


def _catalogue_upsert(fetched: dict[str, dict[str, list]]) -> None:
    """Upsert artists, tracks and credits in 4 statements, whatever the number of items."""
    artists: dict[str, Artist] = {}
    refs: dict[str, Artist] = {}
    tracks: dict[str, Track] = {}
    credited: dict[tuple[str, str], TrackArtist] = {}
    for lists in fetched.values():
        for artist in lists["artists"]:
            artists[artist.id] = _artist_row(artist)
        for track in lists["tracks"]:
            tracks[track.id] = _track_row(track)
            for position, ref in enumerate(track.artists):
                refs.setdefault(ref.id, Artist(id=ref.id, name=ref.name, url=ref.url))
                credited[(track.id, ref.id)] = TrackArtist(
                    track_id=track.id, artist_id=ref.id, position=position
                )
    # Credited artists first, inserted only if unknown (they carry no genres or images) ...
    Artist.objects.bulk_create(refs.values(), ignore_conflicts=True)
    # ... then the full artist objects, which replace whatever was known.
    Artist.objects.bulk_create(
        artists.values(),
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "name",
            "popularity",
            "image_url",
            "genres",
            "images",
            "followers",
            "url",
            "updated_at",
        ],
    )
    Track.objects.bulk_create(
        tracks.values(),
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "name",
            "popularity",
            "preview_url",
            "duration_ms",
            "explicit",
            "album_id",
            "album_name",
            "album_type",
            "album_release_date",
            "album_image_url",
            "url",
            "updated_at",
        ],
    )
    TrackArtist.objects.bulk_create(
        credited.values(),
        update_conflicts=True,
        unique_fields=["track", "artist"],
        update_fields=["position"],
    )


def _rankings_replace(user, fetched: dict[str, dict[str, list]]) -> None:
    """Replace the fetched ranges' rankings (4 statements for any number of ranges)."""
    ranges = list(fetched)
    UserArtist.objects.filter(user=user, time_range__in=ranges).delete()
    UserArtist.objects.bulk_create(
        UserArtist(user=user, time_range=r, artist_id=a.id, rank=rank)
        for r in ranges
        for rank, a in enumerate(_unique(fetched[r]["artists"]), start=1)
    )
    UserTrack.objects.filter(user=user, time_range__in=ranges).delete()
    UserTrack.objects.bulk_create(
        UserTrack(user=user, time_range=r, track_id=t.id, rank=rank)
        for r in ranges
        for rank, t in enumerate(_unique(fetched[r]["tracks"]), start=1)
    )


def _unique(items: list) -> list:
    """Spotify's lists should not repeat an id; if one does, keep its best rank."""
    seen: set[str] = set()
    return [i for i in items if not (i.id in seen or seen.add(i.id))]


def _states_write(
    user,
    *,
    sync_id: str,
    now: datetime,
    fetched: dict[str, dict[str, list]],
    errors: dict[str, str],
) -> None:
    if fetched:
        SyncState.objects.bulk_create(
            [
                SyncState(
                    user=user,
                    time_range=r,
                    status=SyncState.Status.OK,
                    synced_at=now,
                    attempted_at=now,
                    error="",
                    genres_available=any(a.genres for a in lists["artists"]),
                    artists_count=len(_unique(lists["artists"])),
                    tracks_count=len(_unique(lists["tracks"])),
                    sync_id=sync_id,
                )
                for r, lists in fetched.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "time_range"],
            update_fields=[
                "status",
                "synced_at",
                "attempted_at",
                "error",
                "genres_available",
                "artists_count",
                "tracks_count",
                "sync_id",
            ],
        )
    if errors:
        # A failed range keeps its last successful sync time, counts and ranking.
        SyncState.objects.bulk_create(
            [
                SyncState(
                    user=user,
                    time_range=r,
                    status=SyncState.Status.FAILED,
                    attempted_at=now,
                    error=reason,
                )
                for r, reason in errors.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "time_range"],
            update_fields=["status", "attempted_at", "error"],
        )


def _history_payload(payload: dict) -> dict:
    return {
        "synced_at": payload["synced_at"],
        "artists": payload["artists"],
        "tracks": payload["tracks"],
        "genres": payload["genres"],
        "genres_available": payload["genres_available"],
    }


# --- After a successful sync ------------------------------------------------------------------


def _vibe_refresh_hook() -> Callable | None:
    """analytics.services.vibe_refresh_request if the analytics app provides it (optional)."""
    try:
        from analytics.services import vibe_refresh_request
    except ImportError:
        return None
    return vibe_refresh_request


def _vibe_refresh(user) -> None:
    """Ask analytics for a mood refresh; its failure (Redis or broker down, a bug) is logged
    and never undoes or interrupts a sync that has already been saved."""
    hook = _vibe_refresh_hook()
    if hook is None:
        return
    try:
        hook(user=user)
    except Exception:
        logger.exception("Could not request the mood refresh after syncing %s", user.spotify_id)


# --- The sync ---------------------------------------------------------------------------------


def _lock_acquire(spotify_id: str) -> tuple[bool, str | None]:
    token = uuid.uuid4().hex
    try:
        acquired = cache_call("add", sync_lock_key(spotify_id=spotify_id), token, LOCK_TTL)
    except CacheUnavailable:
        # Without a cache there is no lock; a concurrent sync would only redo the same
        # idempotent writes, so syncing beats refusing.
        logger.warning("Syncing %s without a lock: the cache is unavailable.", spotify_id)
        return True, None
    return bool(acquired), token if acquired else None


def _lock_release(spotify_id: str, token: str | None) -> None:
    if token and cache_get(sync_lock_key(spotify_id=spotify_id)) == token:
        cache_delete(sync_lock_key(spotify_id=spotify_id))


def library_sync(
    *,
    user,
    time_ranges: Iterable[str] = TIME_RANGES,
    client: SpotifyClient | None = None,
) -> SyncResult:
    """Sync one user's top artists and tracks for the given time ranges.

    ``client`` defaults to ``accounts.services.spotify_client_for(user=user)``; the demo passes
    a client pointed at its bundled data. Returns a SyncResult; never raises for Spotify
    errors (they become reasons in words) nor for unexpected ones (logged; status ``failed``).
    Status ``skipped`` when a sync of this user is already running, or the account has no
    Spotify id.
    """
    time_ranges = tuple(r for r in TIME_RANGES if r in set(time_ranges))
    spotify_id = user.spotify_id
    if not spotify_id:
        # Staff accounts have no library, and would all share the "sync:…:None" keys.
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=NO_SPOTIFY_ACCOUNT)
    if client is None and user_is_demo(user=user):
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=DEMO_SKIPPED)
    acquired, token = _lock_acquire(spotify_id)
    if not acquired:
        return SyncResult(status="skipped", spotify_id=spotify_id, reason=ALREADY_SYNCING)
    progress = _Progress(spotify_id, total=2 * len(time_ranges) + 2)
    result = SyncResult(status="failed", spotify_id=spotify_id, sync_id=str(uuid.uuid4()))
    completed = False
    try:
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
        _lock_release(spotify_id, token)
    return result


def _sync_interrupted(user, time_ranges: tuple[str, ...], result: SyncResult) -> None:
    """Record a sync stopped by an unexpected error: failed, with a sentence, on every range
    it had not saved (those keep their previous ranking)."""
    result.status = "failed"
    result.reason = SYNC_UNEXPECTED
    unsaved = [r for r in time_ranges if r not in result.synced_ranges]
    result.errors.update(dict.fromkeys(unsaved, SYNC_UNEXPECTED))
    try:
        _states_write(
            user,
            sync_id=result.sync_id,
            now=timezone.now(),
            fetched={},
            errors=dict.fromkeys(unsaved, SYNC_UNEXPECTED),
        )
    except Exception:
        logger.exception("Could not record the failed sync of %s", user.spotify_id)


def _sync_locked(user, time_ranges, client, progress: _Progress, result: SyncResult) -> None:
    """The sync itself; fills ``result`` as it goes (``synced_ranges`` once committed)."""
    spotify_id = user.spotify_id
    sync_id = result.sync_id
    progress.step("Connecting to Spotify")
    errors: dict[str, BaseException] = {}
    fetched: dict[str, dict[str, list]] = {}
    try:
        if client is None:
            from accounts.services import spotify_client_for

            client = spotify_client_for(user=user)
        fetched, errors = _fetch_all(client, time_ranges, progress)
    except (SpotifyError, SpotifyReauthRequired) as exc:
        errors = dict.fromkeys(time_ranges, exc)
    reasons = {r: sync_error_reason(exc) for r, exc in errors.items()}
    for time_range, exc in errors.items():
        if not isinstance(exc, SpotifyError | SpotifyReauthRequired):
            logger.error("Sync of %s (%s) failed", spotify_id, time_range, exc_info=exc)
    result.skipped = _skipped_log(spotify_id, fetched)

    progress.step("Saving", advance=0)
    now = timezone.now()
    with transaction.atomic():
        built: dict[str, dict] = {}
        if fetched:
            _catalogue_upsert(fetched)
            _rankings_replace(user, fetched)
            # The builder reads the states' sync time: write them first.
            _states_write(user, sync_id=sync_id, now=now, fetched=fetched, errors={})
            built = top_build_many(user=user, time_ranges=tuple(fetched))
            HistoryOutbox.objects.bulk_create(
                HistoryOutbox(
                    sync_id=sync_id,
                    user=user,
                    time_range=r,
                    payload=_history_payload(payload),
                )
                for r, payload in built.items()
            )
        _states_write(user, sync_id=sync_id, now=now, fetched={}, errors=reasons)
    result.synced_ranges = list(built)
    progress.step("Saved", advance=1)

    if built:
        for time_range, payload in built.items():
            cache_set(
                top_cache_key(spotify_id=spotify_id, time_range=time_range),
                payload,
                settings.CACHE_TTL,
            )
        flushed = history_outbox_flush()
        if flushed.error:
            _outbox_retry_later()
        if not errors:
            # After the cache and history writes (so nothing the refresh does can skip them),
            # and after the caller's commit if it holds a transaction. robust: a failing
            # callback is logged by Django instead of breaking the commit of the caller.
            transaction.on_commit(partial(_vibe_refresh, user), robust=True)
    progress.step("History and cache written", advance=1)

    result.status = "synced" if not errors else "failed"
    result.errors = reasons
    result.counts = {
        r: {"artists": len(p["artists"]), "tracks": len(p["tracks"])} for r, p in built.items()
    }
    if errors:
        worst = _worst(errors.values())
        result.reason = sync_error_reason(worst)
        if isinstance(worst, SpotifyRateLimited):
            result.retry_after = worst.retry_after


def _skipped_log(spotify_id: str, fetched: dict[str, dict[str, list]]) -> int:
    """Count the malformed items the client left out of the lists to be saved; log them once."""
    skipped = {
        f"{kind} ({RANGE_LABELS[r]})": n
        for r, lists in fetched.items()
        for kind, items in lists.items()
        if (n := getattr(items, "skipped", 0))
    }
    total = sum(skipped.values())
    if total:
        logger.warning(
            "Spotify sent %d malformed item(s) (no id or name) for %s, skipped: %s",
            total,
            spotify_id,
            ", ".join(f"{n} {where}" for where, n in skipped.items()),
        )
    return total


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


def sync_request(*, user) -> SyncRequest:
    """Queue a sync of this user, sent to the broker when the current transaction commits.

    Outside a transaction (a view, the login) the task is sent at once, so a broker that is
    down comes back here as ``unavailable``. Inside one, that failure happens at commit and
    shows only in the progress (state failed, with the sentence). Either way nothing stays
    marked as queued, so the next "Sync now" is not refused as "already syncing".
    """
    if not user.spotify_id:
        return SyncRequest(status="refused", message=NO_SPOTIFY_ACCOUNT)
    if user_is_demo(user=user):
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
    _progress_set(spotify_id, state="queued", step="Waiting for a worker")
    user_id = user.pk
    sent: dict[str, bool] = {}

    def send() -> None:
        sent["ok"] = _sync_send(user_id=user_id, spotify_id=spotify_id)

    # robust: should _sync_send itself fail, the caller's commit still completes.
    transaction.on_commit(send, robust=True)
    if sent.get("ok") is False:
        return SyncRequest(status="unavailable", message=WORKER_UNAVAILABLE)
    return SyncRequest(status="queued", message=SYNC_QUEUED)


def _progress_set(spotify_id: str, *, state: str, step: str, error: str | None = None) -> None:
    cache_set(
        sync_progress_key(spotify_id=spotify_id),
        {
            "state": state,
            "step": step,
            "done": 0,
            "total": 0,
            "error": error,
            "retry_at": None,
        },
        PROGRESS_TTL,
    )


def _sync_send(*, user_id: int, spotify_id: str) -> bool:
    """Send the sync task to the broker; False (and nothing left queued) if it refuses."""
    from music.tasks import library_sync_task

    try:
        library_sync_task.delay(user_id)
    except Exception as exc:  # noqa: BLE001 - kombu OperationalError or the transport's own
        logger.error("Could not queue the sync of %s: %s: %s", spotify_id, type(exc).__name__, exc)
        cache_delete(sync_queued_key(spotify_id=spotify_id))
        _progress_set(spotify_id, state="failed", step="Not queued", error=WORKER_UNAVAILABLE)
        return False
    return True
