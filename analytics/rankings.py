"""What the vibe reads: a plain list of tracks, and the thin adapter from the music app.

The vibe service takes ``TrackInput`` items so it does not depend on the music models' shape.
When this was written the music app had no ranking models yet; ``ranking_tracks`` reads them
through the app registry if they exist (``music.UserTrack`` with ``user``, ``time_range``,
``rank`` and ``track`` -> ``music.Track`` with ``spotify_id`` and ``name``; lyrics from a
``lyrics`` attribute of the track when present) and returns an empty ranking otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps

_INSTRUMENTAL = re.compile(r"^\W*(instrumental|\[instrumental\])\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class TrackInput:
    track_id: str
    title: str
    lyrics: str | None = None
    instrumental: bool = False

    @property
    def lyrics_usable(self) -> bool:
        return bool(self.lyrics and self.lyrics.strip() and not _INSTRUMENTAL.match(self.lyrics))

    @property
    def is_instrumental(self) -> bool:
        return self.instrumental or bool(self.lyrics and _INSTRUMENTAL.match(self.lyrics))


def ranking_tracks(*, user, time_range: str) -> list[TrackInput]:
    """The user's top tracks for a time range, best first ([] while music has no rankings)."""
    try:
        user_track = apps.get_model("music", "UserTrack")
    except LookupError:
        return []
    rows = (
        user_track.objects.filter(user=user, time_range=time_range)
        .select_related("track")
        .order_by("rank")
    )
    return [
        TrackInput(
            track_id=row.track.spotify_id,
            title=row.track.name or "",
            lyrics=getattr(row.track, "lyrics", None),
        )
        for row in rows
    ]
