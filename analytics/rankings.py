"""What the vibe reads: a plain list of tracks, and the adapter from the music rankings.

The vibe service takes ``TrackInput`` items so it does not depend on the music models' shape.
A track is read from its stored lyrics (the lyrics app) when there are some, else by its title;
a track known to be instrumental has no words to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lyrics.selectors import track_lyrics_map
from music.models import UserTrack

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
    """The user's top tracks for a time range, best first, with their lyrics: two queries."""
    rows = list(
        UserTrack.objects.filter(user=user, time_range=time_range)
        .select_related("track")
        .order_by("rank")
    )
    lyrics = track_lyrics_map(track_ids=[row.track_id for row in rows])
    tracks = []
    for row in rows:
        words, instrumental = lyrics.get(row.track_id, (None, False))
        tracks.append(
            TrackInput(
                track_id=row.track_id,
                title=row.track.name or "",
                lyrics=words,
                instrumental=instrumental,
            )
        )
    return tracks
