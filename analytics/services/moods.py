"""The vibe of a ranking, its storage, and the mood refreshes of a user's rankings."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from analytics.backends import EmotionBackend
from analytics.models import Vibe
from analytics.rankings import TrackInput, ranking_tracks
from analytics.selectors import MOOD_PROGRESS
from analytics.vibe import VibeReading, vibe_read
from music.spotify import TimeRange
from personalify.cache import CacheUnavailable, cache_call, cache_delete
from personalify.progress import WORKER_UNAVAILABLE, progress_set

from .emotions import emotions_analyse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VibeResult:
    reading: VibeReading
    analysed: int
    skipped: int
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    lyrics_used: int = 0
    backends: dict[str, int] = field(default_factory=dict)


def _track_text(track: TrackInput) -> tuple[str | None, str]:
    """(text to analyse or None, reason when None). Lyrics when usable, else the title."""
    if track.is_instrumental:
        return None, "instrumental"
    if track.lyrics_usable and len(track.lyrics.strip()) <= settings.EMOTION_MAX_CHARS:
        return track.lyrics.strip(), "lyrics"
    if track.title.strip():
        return track.title.strip(), "title"
    return None, "empty"


def vibe_compute(
    *,
    tracks: Sequence[TrackInput],
    backend: EmotionBackend | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = 16,
) -> VibeResult:
    """The vibe of a ranking: tracks analysed in batches (cached), skipped ones counted."""
    skipped: Counter[str] = Counter()
    texts: list[str] = []
    lyrics_used = 0
    for track in tracks:
        text, why = _track_text(track)
        if text is None:
            skipped[why] += 1
            continue
        texts.append(text)
        lyrics_used += why == "lyrics"
    skipped_count = sum(skipped.values())

    def report(done: int) -> None:
        if on_progress:
            on_progress(min(done, len(texts)) + skipped_count)

    # One call for the whole ranking: its queries do not grow with the number of tracks.
    results = (
        emotions_analyse(texts=texts, backend=backend, batch_size=batch_size, on_progress=report)
        if texts
        else []
    )
    report(len(texts))
    reading = vibe_read([(r.fine, r.coarse) for r in results])
    return VibeResult(
        reading=reading,
        analysed=len(results),
        skipped=skipped_count,
        skipped_reasons=dict(skipped),
        lyrics_used=lyrics_used,
        backends=dict(Counter(r.backend for r in results)),
    )


def vibe_store(*, user, time_range: str, result: VibeResult) -> Vibe:
    reading = result.reading
    vibe, _ = Vibe.objects.update_or_create(
        user=user,
        time_range=time_range,
        defaults={
            "sentence": reading.sentence[:255],
            "top": [list(t) for t in reading.top],
            "fine": reading.fine,
            "coarse": reading.coarse,
            "confidence": reading.confidence,
            "confidence_level": reading.confidence_level,
            "analysed_count": result.analysed,
            "skipped_count": result.skipped,
            "lyrics_count": result.lyrics_used,
            "backends": result.backends,
        },
    )
    return vibe


def mood_progress_set(*, user_id: int, state: str, **fields) -> None:
    """Store the progress record; lost when the cache is down (vibes are in PostgreSQL)."""
    progress_set(kind=MOOD_PROGRESS, owner=user_id, state=state, **fields)


def moods_analyse(
    *,
    user,
    time_ranges: Sequence[str] = TimeRange.values,
    backend: EmotionBackend | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Vibe]:
    """Read and store the vibe of each of the user's rankings; progress goes to the cache."""
    rankings = {t: ranking_tracks(user=user, time_range=t) for t in time_ranges}
    total = sum(len(r) for r in rankings.values())
    done_before = 0

    def report(done_here: int) -> None:
        done = done_before + done_here
        mood_progress_set(user_id=user.pk, state="running", done=done, total=total)
        if on_progress:
            on_progress(done, total)

    mood_progress_set(user_id=user.pk, state="running", done=0, total=total)
    vibes = []
    for time_range, tracks in rankings.items():
        result = vibe_compute(tracks=tracks, backend=backend, on_progress=report)
        vibes.append(vibe_store(user=user, time_range=time_range, result=result))
        done_before += len(tracks)
        report(0)
    mood_progress_set(user_id=user.pk, state="done", done=total, total=total)
    return vibes


def _moods_analyse_enqueue(user_id: int) -> None:
    from analytics.tasks import moods_analyse_task

    try:
        moods_analyse_task.delay(user_id)
    except Exception:  # kombu OperationalError, redis errors...: the broker is down
        logger.exception("Could not queue the mood refresh of user %s", user_id)
        mood_queued_clear(user_id=user_id)
        mood_progress_set(user_id=user_id, state="failed", error=WORKER_UNAVAILABLE)


# A queued mood refresh stops blocking the next one after this long (a lost task).
MOOD_QUEUED_TTL = 15 * 60


def mood_queued_key(*, user_id: int) -> str:
    return f"mood:queued:{user_id}"


def mood_queued_clear(*, user_id: int) -> None:
    """The queued refresh has started (or could not be queued): the next one may queue."""
    cache_delete(mood_queued_key(user_id=user_id))


def vibe_refresh_request(*, user) -> bool:
    """Queue a mood refresh after the current transaction commits (e.g. after a sync).

    At most one refresh per user waits in the queue: while one is queued (not yet started),
    another request returns False and queues nothing (50 clicks were 50 analyses). A refresh
    asked for while one runs is queued, so the vibe follows rankings saved meanwhile.
    Never raises: it runs in the sync's on_commit, after the sync's rows are saved. A dead cache
    only loses the progress and the dedupe; a dead broker is logged and recorded as failed.
    """
    user_id = user.pk
    try:
        fresh = cache_call("add", mood_queued_key(user_id=user_id), 1, MOOD_QUEUED_TTL)
    except CacheUnavailable:
        fresh = True
    if not fresh:
        return False
    mood_progress_set(user_id=user_id, state="queued")
    transaction.on_commit(lambda: _moods_analyse_enqueue(user_id), robust=True)
    return True
