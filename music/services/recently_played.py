"""The first source of plays: Spotify's recently played list, polled for each user.

The cursor is the user's last play stored in the archive (``play_latest_at``): it moves only
when plays are really stored, so a poll while node B is down changes nothing and the next one
catches up. Spotify keeps a user's last 50 plays only: more than 50 plays between two polls
leave a gap, which the result reports (RECENTLY_PLAYED_INTERVAL keeps that rare).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction

from accounts.exceptions import SpotifyReauthRequired
from music.archive.selectors import play_latest_at
from music.models import Play
from music.services.client import spotify_client_for
from music.services.plays import PlayRow, plays_store
from music.services.sync_save import catalogue_upsert
from music.spotify import MAX_LIMIT, SpotifyError, SpotifyPlay
from personalify.archive import ArchiveUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaysPollResult:
    status: str  # "ok", "skipped", "archive_unavailable", "spotify_error"
    fetched: int = 0
    inserted: int = 0
    duplicates: int = 0
    gap: bool = False  # a full page after the cursor: older plays may be gone from Spotify
    message: str = ""


def _row(spotify_id: str, play: SpotifyPlay) -> PlayRow:
    track = play.track
    return PlayRow(
        spotify_id=spotify_id,
        played_at=play.played_at.astimezone(UTC),
        track_id=track.id,
        # The list has no play length; it shows tracks played to the end or for 30 s and more.
        ms_played=track.duration_ms,
        source=Play.Source.API,
        context_uri=play.context_uri or "",
        track_name=track.name,
        artist_name=", ".join(artist.name for artist in track.artists),
        album_name=track.album.name,
    )


def plays_poll(*, user) -> PlaysPollResult:
    """Store the user's plays since the last stored one, in one batch (duplicates ignored);
    the tracks join node A's catalogue so the archive's aggregates can name them."""
    if not user.spotify_id or user.is_demo:
        return PlaysPollResult("skipped", message="not a Spotify user")
    try:
        after = play_latest_at(spotify_id=user.spotify_id)
    except ArchiveUnavailable as exc:
        return PlaysPollResult("archive_unavailable", message=str(exc))
    try:
        plays = spotify_client_for(user=user).recently_played(limit=MAX_LIMIT, after=after)
    except (SpotifyError, SpotifyReauthRequired) as exc:
        return PlaysPollResult("spotify_error", message=str(exc))
    if not plays:
        return PlaysPollResult("ok")
    with transaction.atomic():  # node A's catalogue names the tracks for the aggregates
        catalogue_upsert({"recently_played": {"artists": [], "tracks": [p.track for p in plays]}})
    try:
        stored = plays_store(plays=[_row(user.spotify_id, play) for play in plays])
    except ArchiveUnavailable as exc:
        return PlaysPollResult("archive_unavailable", fetched=len(plays), message=str(exc))
    gap = after is not None and len(plays) >= MAX_LIMIT
    message = ""
    if gap:
        oldest = min(p.played_at for p in plays)
        message = (
            f"{len(plays)} plays since the last poll: plays between "
            f"{after:%Y-%m-%d %H:%M} and {oldest:%Y-%m-%d %H:%M} UTC may be missing"
        )
        logger.warning("Recently played of user %s: %s", user.pk, message)
    return PlaysPollResult(
        "ok",
        fetched=len(plays),
        inserted=stored.inserted,
        duplicates=stored.duplicates,
        gap=gap,
        message=message,
    )
