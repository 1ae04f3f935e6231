"""Fixtures of the lyrics tests: a synced user whose ranked tracks the fakes can know."""

from __future__ import annotations

import pytest

from music.models import Track, UserTrack
from music.services import library_sync


def primary_artist(track: Track) -> str:
    return track.credits.order_by("position").first().artist.name


def lrclib_add(fake_lrclib, track: Track, **kwargs) -> dict:
    """Give the fake LRCLib an entry for a stored track, matched as LRCLib matches."""
    return fake_lrclib.add(
        track.name, primary_artist(track), track.album_name, track.duration_ms / 1000, **kwargs
    )


@pytest.fixture
def synced_user(spotify_user):
    """The fake Spotify's user, synced: 20 ranked tracks per range (some shared)."""
    assert library_sync(user=spotify_user).ok
    return spotify_user


@pytest.fixture
def ranked_tracks(synced_user) -> list[Track]:
    ids = set(UserTrack.objects.filter(user=synced_user).values_list("track_id", flat=True))
    return list(Track.objects.filter(id__in=ids).order_by("id"))
