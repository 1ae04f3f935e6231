"""Reads: stored vibes and the progress of a mood analysis (in the cache)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from .models import TIME_RANGES, Vibe

PROGRESS_TTL = 3600


def mood_progress_key(user_id: int) -> str:
    return f"mood_progress:{user_id}"


def mood_progress_get(*, user_id: int) -> dict:
    """{"state": idle|queued|running|done|failed, "done": n, "total": m, ...}."""
    return cache.get(mood_progress_key(user_id)) or {"state": "idle", "done": 0, "total": 0}


def vibe_list(*, user) -> list[Vibe]:
    """The user's vibes in time-range order (short, medium, long)."""
    by_range = {v.time_range: v for v in Vibe.objects.filter(user=user)}
    return [by_range[t] for t in TIME_RANGES if t in by_range]


def vibe_queryset() -> QuerySet[Vibe]:
    return Vibe.objects.select_related("user")
