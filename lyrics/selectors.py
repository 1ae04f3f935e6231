"""Reads of stored lyrics: a track's lyrics, the texts the mood reads, and fetch progress."""

from __future__ import annotations

from django.conf import settings

from music.models import Track, UserTrack
from personalify.progress import progress_get

from .models import Lyrics, Source, Status, TrackLyrics
from .text import text_for_reading

LYRICS_PROGRESS = "lyrics"  # the kind of progress record a lyrics fetch writes, per user id


def lyrics_progress_get(*, user) -> dict:
    """The user's lyrics fetch progress record (``personalify.progress``)."""
    return progress_get(kind=LYRICS_PROGRESS, owner=user.pk)


def reading_text(text: str, limit: int | None = None) -> str:
    """The words of a song as the mood reads them: headers dropped, and cut at a line end
    under EMOTION_MAX_CHARS (a very long song is read from its first verses)."""
    limit = limit or settings.EMOTION_MAX_CHARS
    words = text_for_reading(text)
    if len(words) <= limit:
        return words
    cut = words[:limit]
    return cut[: cut.rfind("\n")].strip() if "\n" in cut else cut


def track_lyrics_map(*, track_ids) -> dict[str, tuple[str | None, bool]]:
    """{track id: (words to read or None, instrumental)} for tracks with stored lyrics or
    known to be instrumental; one query."""
    links = TrackLyrics.objects.filter(
        track_id__in=list(track_ids), status__in=[Status.FOUND, Status.INSTRUMENTAL]
    ).select_related("lyrics")
    found = {}
    for link in links:
        if link.status == Status.INSTRUMENTAL:
            found[link.track_id] = (None, True)
        elif link.lyrics and link.lyrics.text:
            found[link.track_id] = (reading_text(link.lyrics.text), False)
    return found


def ranked_track_get(*, user, track_id: str) -> Track | None:
    """A track the user ranks (in any range), with its credits; None otherwise."""
    if not UserTrack.objects.filter(user=user, track_id=track_id).exists():
        return None
    return Track.objects.prefetch_related("credits__artist").filter(id=track_id).first()


def track_lyrics_get(*, track_id: str) -> TrackLyrics | None:
    return TrackLyrics.objects.select_related("lyrics").filter(track_id=track_id).first()


def genius_lyrics_stored(*, song_id: int) -> Lyrics | None:
    return Lyrics.objects.filter(source=Source.GENIUS, source_id=str(song_id)).first()
