"""Placeholder for the sync stream's selectors (contracts §4), so the dashboard can be built.

Replaced wholesale by the `sync` branch's module when it is merged.
"""

from __future__ import annotations

from django.core.cache import cache


def top_key(*, spotify_id: str, time_range: str) -> str:
    return f"top:{spotify_id}:{time_range}"


def top_get(*, user, time_range: str) -> dict | None:
    return cache.get(top_key(spotify_id=user.spotify_id, time_range=time_range))


def sync_progress_get(*, user) -> dict:
    return {"state": "idle", "step": "", "done": 0, "total": 0, "error": None, "retry_at": None}
