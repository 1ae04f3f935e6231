"""What the vibe reads: a plain list of tracks, and the adapter from the music rankings.

The vibe service takes ``TrackInput`` items so it does not depend on the music models' shape.
Lyrics are not stored yet (the lyrics app will supply them); until then every track is read by
its title, and ``TrackInput.lyrics`` is there for the day they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    """The user's top tracks for a time range, best first, in one query."""
    rows = (
        UserTrack.objects.filter(user=user, time_range=time_range)
        .select_related("track")
        .order_by("rank")
    )
    return [TrackInput(track_id=row.track_id, title=row.track.name or "") for row in rows]
