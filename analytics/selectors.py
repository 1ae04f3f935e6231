"""Reads: stored vibes and the progress of a mood analysis (in the cache)."""

from __future__ import annotations

from django.db.models import QuerySet

from personalify.cache import CacheUnavailable, cache_call

from .models import TIME_RANGES, Vibe

PROGRESS_TTL = 3600


def mood_progress_key(user_id: int) -> str:
    return f"mood_progress:{user_id}"


def mood_progress_get(*, user_id: int) -> dict:
    """{"state": idle|queued|running|done|failed|unavailable, "done": n, "total": m, ...}.

    "unavailable": the cache that holds progress is down, so it is unknown (not "idle").
    """
    try:
        progress = cache_call("get", mood_progress_key(user_id))
    except CacheUnavailable:
        return {"state": "unavailable", "done": 0, "total": 0}
    return progress or {"state": "idle", "done": 0, "total": 0}


def vibe_list(*, user) -> list[Vibe]:
    """The user's vibes in time-range order (short, medium, long)."""
    by_range = {v.time_range: v for v in Vibe.objects.filter(user=user)}
    return [by_range[t] for t in TIME_RANGES if t in by_range]


def vibe_queryset() -> QuerySet[Vibe]:
    return Vibe.objects.select_related("user")


def vibe_progress_get(*, user) -> dict:
    """Progress of the user's mood analysis, for the dashboard (same shape as sync progress)."""
    return mood_progress_get(user_id=user.pk)


def vibe_get(*, user, time_range: str) -> dict | None:
    """The vibe of one ranking as plain data for the dashboard, or None if never analysed."""
    vibe = Vibe.objects.filter(user=user, time_range=time_range).first()
    if vibe is None:
        return None
    return {
        "sentence": vibe.sentence,
        "scores": [{"label": label, "score": score} for label, score in vibe.top],
        "fine": vibe.fine,
        "coarse": [
            {"label": label, "score": score}
            for label, score in sorted(vibe.coarse.items(), key=lambda kv: -kv[1])
        ],
        "confidence": vibe.confidence_level,
        "confidence_value": vibe.confidence,
        "analysed": vibe.analysed_count,
        "skipped": vibe.skipped_count,
        "lyrics": vibe.lyrics_count,
        "backend": max(vibe.backends, key=vibe.backends.get) if vibe.backends else "local",
        "computed_at": vibe.updated_at.isoformat(),
    }
