"""Reads: stored vibes and the progress of a mood analysis (in the cache).

The dashboard's Mood card and the mood page show the same thing: ``vibe_get``'s plain data.
"""

from __future__ import annotations

from django.db.models import QuerySet

from music.spotify import TimeRange
from personalify.progress import progress_get

from .models import Vibe

MOOD_PROGRESS = "mood"  # the kind of progress record a mood analysis writes, per user id


def mood_progress_get(*, user) -> dict:
    """The user's mood analysis progress record (``personalify.progress``)."""
    return progress_get(kind=MOOD_PROGRESS, owner=user.pk)


def vibe_queryset() -> QuerySet[Vibe]:
    return Vibe.objects.select_related("user")


def vibe_coverage(vibe: Vibe) -> str:
    """What the vibe was read from: "read from the lyrics of 41 of 50 tracks" (and the rest)."""
    total = vibe.analysed_count + vibe.skipped_count
    if not total:
        return "no track could be read"
    titles = vibe.analysed_count - vibe.lyrics_count
    sentence = f"read from the lyrics of {vibe.lyrics_count} of {total} track{'s' * (total != 1)}"
    rest = []
    if titles:
        rest.append(f"the title{'s' * (titles != 1)} of {titles}")
    if vibe.skipped_count:
        rest.append(f"{vibe.skipped_count} instrumental or without words")
    return f"{sentence} ({', '.join(rest)})" if rest else sentence


def vibe_shown(vibe: Vibe) -> dict:
    """A stored vibe as every page shows it: scores in percent, best first (neutral damped),
    the 7 coarse emotions in percent, and what it was read from."""
    return {
        "time_range": vibe.time_range,
        "sentence": vibe.sentence,
        "scores": [{"label": label, "percent": round(100 * score)} for label, score in vibe.top],
        "coarse": [
            {"label": label, "percent": round(100 * score)}
            for label, score in sorted(vibe.coarse.items(), key=lambda kv: -kv[1])
        ],
        "fine": vibe.fine,
        "confidence": vibe.confidence_level,
        "confidence_value": vibe.confidence,
        "analysed": vibe.analysed_count,
        "skipped": vibe.skipped_count,
        "lyrics": vibe.lyrics_count,
        "coverage": vibe_coverage(vibe),
        "backend": max(vibe.backends, key=vibe.backends.get) if vibe.backends else "local",
        "computed_at": vibe.updated_at.isoformat(),
    }


def vibe_get(*, user, time_range: str) -> dict | None:
    """The vibe of one ranking (``vibe_shown``), or None if never analysed."""
    vibe = Vibe.objects.filter(user=user, time_range=time_range).first()
    return vibe_shown(vibe) if vibe else None


def vibe_list(*, user) -> list[dict]:
    """The user's vibes (``vibe_shown``) in time-range order (short, medium, long)."""
    by_range = {v.time_range: v for v in Vibe.objects.filter(user=user)}
    return [vibe_shown(by_range[t]) for t in TimeRange.values if t in by_range]
