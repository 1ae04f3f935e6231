"""Helpers of the lyrics tests (the synced_user and ranked_tracks fixtures are in the root
conftest, shared with analytics' lyrics tests)."""

from __future__ import annotations

from music.models import Track


def primary_artist(track: Track) -> str:
    return track.credits.order_by("position").first().artist.name


def lrclib_add(fake_lrclib, track: Track, **kwargs) -> dict:
    """Give the fake LRCLib an entry for a stored track, matched as LRCLib matches."""
    return fake_lrclib.add(
        track.name, primary_artist(track), track.album_name, track.duration_ms / 1000, **kwargs
    )
