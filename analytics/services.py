"""Emotion analysis with a PostgreSQL result cache, the vibe of a ranking, mood refreshes."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from personalify.cache import CacheUnavailable, cache_call, cache_set

from .backends import (
    EmotionBackend,
    EmotionBackendUnavailable,
    EmotionInputError,
    EmotionScores,
    EmotionTextTooLong,
    backend_get,
)
from .labels import top_label
from .models import TIME_RANGES, EmotionAnalysis, Vibe
from .rankings import TrackInput, ranking_tracks
from .selectors import PROGRESS_TTL, mood_progress_key
from .vibe import VibeReading, vibe_read

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmotionResult:
    backend: str  # the backend that answered
    model: str
    fine: dict[str, float]
    coarse: dict[str, float]
    chunks: int = 1
    cached: bool = False
    fallback_reason: str = ""  # why the configured backend did not answer

    @property
    def top_fine(self) -> str:
        return top_label(self.fine)

    @property
    def top_coarse(self) -> str:
        return top_label(self.coarse)

    def as_dict(self) -> dict:
        return {
            "backend": self.backend,
            "model": self.model,
            "cached": self.cached,
            "fallback_reason": self.fallback_reason,
            "chunks": self.chunks,
            "top": {"fine": self.top_fine, "coarse": self.top_coarse},
            "fine": dict(sorted(self.fine.items(), key=lambda kv: kv[1], reverse=True)),
            "coarse": dict(sorted(self.coarse.items(), key=lambda kv: kv[1], reverse=True)),
        }


def text_clean(text: object) -> str:
    """The text to analyse, or EmotionInputError / EmotionTextTooLong."""
    if not isinstance(text, str):
        raise EmotionInputError("Send text to analyse.")
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise EmotionInputError("The text is empty.")
    if len(cleaned) > settings.EMOTION_MAX_CHARS:
        raise EmotionTextTooLong(len(cleaned), settings.EMOTION_MAX_CHARS)
    return cleaned


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _result(row: EmotionAnalysis, *, cached: bool, reason: str = "") -> EmotionResult:
    return EmotionResult(
        backend=row.backend,
        model=row.model,
        fine=row.fine,
        coarse=row.coarse,
        chunks=row.chunks,
        cached=cached,
        fallback_reason=reason,
    )


def _cached_or_analysed(
    backend: EmotionBackend,
    texts: list[str],
    *,
    batch_size: int = 16,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, EmotionResult]:
    """Results by text hash: cached rows first, the rest analysed in batches and stored.

    Two queries whatever the number of texts: one lookup, one bulk insert.
    """
    hashes = {text_sha256(t): t for t in texts}
    found = EmotionAnalysis.objects.filter(
        backend=backend.name, model=backend.model, text_sha256__in=list(hashes)
    )
    results = {row.text_sha256: _result(row, cached=True) for row in found}
    missing = [h for h in hashes if h not in results]
    scores: list[EmotionScores] = []
    for start in range(0, len(missing), batch_size):
        scores.extend(backend.analyse([hashes[h] for h in missing[start : start + batch_size]]))
        if on_progress:
            on_progress(len(results) + len(scores))
    if missing:
        rows = [
            EmotionAnalysis(
                backend=backend.name,
                model=backend.model,
                text_sha256=h,
                fine=s.fine,
                coarse=s.coarse,
                top_label=top_label(s.fine),
                chunks=s.chunks,
            )
            for h, s in zip(missing, scores, strict=True)
        ]
        # Another worker may have stored the same text meanwhile: theirs is as good as ours.
        EmotionAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
        results.update({row.text_sha256: _result(row, cached=False) for row in rows})
    return results


def emotions_analyse(
    *,
    texts: Sequence[str],
    backend: EmotionBackend | None = None,
    batch_size: int = 16,
    on_progress: Callable[[int], None] | None = None,
) -> list[EmotionResult]:
    """Scores for each text (validated first), from the cache or the configured backend.

    When a remote backend fails, the local one answers and each result says so. The model
    reads ``batch_size`` texts at a time; ``on_progress`` gets how many distinct texts are done.
    """
    cleaned = [text_clean(t) for t in texts]
    primary = backend or backend_get()
    batching = {"batch_size": batch_size, "on_progress": on_progress}
    try:
        by_hash = _cached_or_analysed(primary, cleaned, **batching)
    except EmotionBackendUnavailable as exc:
        if primary.name == "local":
            raise
        reason = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "emotion backend %s failed, the local one answers (%s)", primary.name, reason
        )
        local = backend_get("local")
        by_hash = {
            h: EmotionResult(**{**r.__dict__, "fallback_reason": reason})
            for h, r in _cached_or_analysed(local, cleaned, **batching).items()
        }
    return [by_hash[text_sha256(t)] for t in cleaned]


def emotion_analyse(*, text: str, backend: EmotionBackend | None = None) -> EmotionResult:
    """One text's scores; see emotions_analyse."""
    return emotions_analyse(texts=[text], backend=backend)[0]


def emotion_rate_limit_hit(*, user_id: int, window: int = 60) -> bool:
    """Count one request for the user; True when over settings.EMOTION_RATE_LIMIT per window.

    Fails open when the cache is down (the outage is logged once by personalify.cache): results
    are kept in PostgreSQL and the limit only protects the CPU, so refusing every analysis
    during an outage would cost users more than it saves.
    """
    key = f"ratelimit:emotion:{user_id}"
    try:
        cache_call("add", key, 0, timeout=window)
        count = cache_call("incr", key)
    except CacheUnavailable as exc:
        if not isinstance(exc.__cause__, ValueError):
            return False
        # The key expired between add and incr (incr raises ValueError): a new window starts.
        cache_set(key, 1, timeout=window)
        count = 1
    return count > settings.EMOTION_RATE_LIMIT


# --- The vibe of a ranking ---------------------------------------------------------------------


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


def mood_progress_set(*, user_id: int, state: str, done: int = 0, total: int = 0, **extra) -> None:
    """Store the progress; a no-op when the cache is down (progress is a hint, vibes are in PG)."""
    cache_set(
        mood_progress_key(user_id),
        {"state": state, "done": done, "total": total, **extra},
        timeout=PROGRESS_TTL,
    )


def moods_analyse(
    *,
    user,
    time_ranges: Sequence[str] = TIME_RANGES,
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


WORKER_UNAVAILABLE = "The background worker is unavailable; try again later."


def _moods_analyse_enqueue(user_id: int) -> None:
    from .tasks import moods_analyse_task

    try:
        moods_analyse_task.delay(user_id)
    except Exception:  # kombu OperationalError, redis errors...: the broker is down
        logger.exception("Could not queue the mood refresh of user %s", user_id)
        mood_progress_set(user_id=user_id, state="failed", error=WORKER_UNAVAILABLE)


def vibe_refresh_request(*, user) -> None:
    """Queue a mood refresh after the current transaction commits (e.g. after a sync).

    Never raises: it runs in the sync's on_commit, after the sync's rows are saved. A dead cache
    only loses the progress; a dead broker is logged and recorded as failed progress.
    """
    user_id = user.pk
    mood_progress_set(user_id=user_id, state="queued")
    transaction.on_commit(lambda: _moods_analyse_enqueue(user_id), robust=True)


def emotions_evaluate(*, backend: EmotionBackend, items=None):
    """Agreement of one backend (no fallback) with the evaluation set; results are cached."""
    from .evaluation import eval_items_load, eval_report_compute

    items = items if items is not None else eval_items_load()
    by_hash = _cached_or_analysed(backend, [text_clean(i.text) for i in items])
    predicted = [by_hash[text_sha256(text_clean(i.text))].coarse for i in items]
    return eval_report_compute(items=items, predicted=predicted, backend=backend)
