"""Placeholder for the analytics stream's selectors (contracts §5), so the dashboard can be built.

Replaced wholesale by the `analytics` branch's module when it is merged.
"""

from __future__ import annotations


def vibe_get(*, user, time_range: str) -> dict | None:
    return None


def vibe_progress_get(*, user) -> dict:
    return {"state": "idle", "step": "", "done": 0, "total": 0, "error": None, "retry_at": None}
