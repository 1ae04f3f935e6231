"""Writes of the lyrics app: lookups stored per track, the user's ranked tracks fetched
concurrently, Genius songs opened from search, and the daily clean-up."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lyrics.models import Lyrics, Status, TrackLyrics
from lyrics.selectors import LYRICS_PROGRESS
from lyrics.signals import lyrics_fetched
from music.models import Track, UserTrack
from personalify.progress import WORKER_UNAVAILABLE, progress_set

from .lookup import Outcome, Sources, TrackQuery, sources_default, track_lookup

logger = logging.getLogger(__name__)

KEPT = (Status.FOUND, Status.INSTRUMENTAL)


def retry_at_from(now):
    return now + timedelta(hours=settings.LYRICS_RETRY_HOURS)


def _query(track: Track) -> TrackQuery:
    billed = sorted(track.credits.all(), key=lambda c: c.position)
    return TrackQuery(
        track_id=track.id,
        name=track.name,
        artist=billed[0].artist.name if billed else "",
        album=track.album_name,
        duration_s=round(track.duration_ms / 1000),
    )


@transaction.atomic
def track_lyrics_store(*, track_id: str, outcome: Outcome) -> TrackLyrics:
    """Store what one lookup found: the source song's row (found or instrumental) and the
    track's link; "not found"/"unavailable" get a ``retry_at`` a day later."""
    now = timezone.now()
    lyrics = None
    if outcome.status in KEPT:
        lyrics, _ = Lyrics.objects.update_or_create(
            source=outcome.source,
            source_id=outcome.source_id,
            defaults={
                "status": outcome.status,
                "title": outcome.title,
                "artist": outcome.artist,
                "url": outcome.url,
                "image_url": outcome.image_url,
                "text": outcome.text if outcome.status == Status.FOUND else "",
                "lines": outcome.lines if outcome.status == Status.FOUND else [],
                "error": "",
                "fetched_at": now,
                "retry_at": None,
            },
        )
    link, _ = TrackLyrics.objects.update_or_create(
        track_id=track_id,
        defaults={
            "lyrics": lyrics,
            "status": outcome.status,
            "error": outcome.error[:500],
            "fetched_at": now,
            "retry_at": None if outcome.status in KEPT else retry_at_from(now),
        },
    )
    return link


def lyrics_progress_set(*, user_id: int, state: str, **fields) -> None:
    progress_set(kind=LYRICS_PROGRESS, owner=user_id, state=state, **fields)


@dataclass
class LyricsFetchResult:
    total: int = 0  # distinct ranked tracks
    asked: int = 0  # looked up in this run (the rest were stored and still fresh)
    statuses: dict[str, int] = field(default_factory=dict)  # of the looked-up ones
    changed: int = 0  # new found/instrumental links
    skipped_sources: dict[str, str] = field(default_factory=dict)  # source -> why


def _tracks_to_ask(track_ids: Iterable[str], *, force: bool) -> list[Track]:
    tracks = Track.objects.filter(id__in=list(track_ids)).prefetch_related("credits__artist")
    if force:
        return list(tracks.order_by("id"))
    now = timezone.now()
    fresh = TrackLyrics.objects.filter(track_id__in=list(track_ids)).exclude(
        retry_at__isnull=False, retry_at__lte=now
    )
    fresh_ids = set(fresh.values_list("track_id", flat=True))
    return [t for t in tracks.order_by("id") if t.id not in fresh_ids]


def lyrics_fetch_for_user(
    *,
    user,
    force: bool = False,
    sources: Sources | None = None,
    workers: int = 4,
    on_progress: Callable[[int, int], None] | None = None,
) -> LyricsFetchResult:
    """Fetch the lyrics of every track the user ranks (all ranges, each track once).

    Lookups run on a pool of ``workers`` threads (each source allows LYRICS_IN_FLIGHT at once
    and pauses everyone on a 429); answers are stored by this thread as they arrive. Tracks
    stored before are skipped unless ``force`` or their ``retry_at`` has passed. When something
    new was stored, ``lyrics_fetched`` tells analytics to read the mood again.
    """
    sources = sources or sources_default(demo=user.is_demo)
    track_ids = set(UserTrack.objects.filter(user=user).values_list("track_id", flat=True))
    tracks = _tracks_to_ask(track_ids, force=force)
    before = dict(
        TrackLyrics.objects.filter(track_id__in=[t.id for t in tracks]).values_list(
            "track_id", "status"
        )
    )
    result = LyricsFetchResult(total=len(track_ids), asked=len(tracks))
    statuses: Counter[str] = Counter()

    def report(done: int) -> None:
        lyrics_progress_set(user_id=user.pk, state="running", done=done, total=len(tracks))
        if on_progress:
            on_progress(done, len(tracks))

    report(0)
    queries = [_query(t) for t in tracks]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lyrics") as pool:
        futures = {pool.submit(track_lookup, q, sources): q for q in queries}
        for done, future in enumerate(as_completed(futures), start=1):
            query = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # one track's surprise must not stop the rest
                logger.exception("Lyrics lookup of %s failed", query.track_id)
                outcome = Outcome(status=Status.UNAVAILABLE, error=type(exc).__name__)
            track_lyrics_store(track_id=query.track_id, outcome=outcome)
            statuses[outcome.status] += 1
            if outcome.status in KEPT and before.get(query.track_id) != outcome.status:
                result.changed += 1
            report(done)
    result.statuses = dict(statuses)
    result.skipped_sources = {
        s.name: s.down_reason for s in (sources.lrclib_state, sources.genius_state) if s.down_reason
    }
    lyrics_progress_set(user_id=user.pk, state="done", done=len(tracks), total=len(tracks))
    if result.changed:
        for receiver, answer in lyrics_fetched.send_robust(
            sender=type(user), user=user, changed=result.changed
        ):
            if isinstance(answer, Exception):
                logger.error("lyrics_fetched receiver %r failed: %r", receiver, answer)
    return result


def _lyrics_fetch_enqueue(user_id: int) -> None:
    from lyrics.tasks import lyrics_fetch_task

    try:
        lyrics_fetch_task.delay(user_id)
    except Exception:  # kombu OperationalError, redis errors...: the broker is down
        logger.exception("Could not queue the lyrics fetch of user %s", user_id)
        lyrics_progress_set(user_id=user_id, state="failed", error=WORKER_UNAVAILABLE)


def lyrics_fetch_request(*, user) -> None:
    """Queue a fetch of the user's lyrics after the current transaction commits. Never raises."""
    user_id = user.pk
    lyrics_progress_set(user_id=user_id, state="queued")
    transaction.on_commit(lambda: _lyrics_fetch_enqueue(user_id), robust=True)


def track_lyrics_fetch(*, track: Track, sources: Sources | None = None) -> TrackLyrics:
    """Look one track up now (a lyrics page opened before the background fetch reached it)."""
    sources = sources or sources_default(throttled=False)
    return track_lyrics_store(track_id=track.id, outcome=track_lookup(_query(track), sources))


def lyrics_prune(*, now=None) -> int:
    """Delete lyrics no track links to and nobody opened for LYRICS_KEEP_DAYS; and the
    remembered "not found"/"unavailable" Genius pages past their retry time."""
    now = now or timezone.now()
    old = now - timedelta(days=settings.LYRICS_KEEP_DAYS)
    deleted, _ = Lyrics.objects.filter(tracks__isnull=True, fetched_at__lt=old).delete()
    return deleted
