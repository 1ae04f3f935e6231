"""The shared catalogue (artists, tracks): rows nobody ranks any more are removed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from music.models import Artist, Track, TrackArtist


@transaction.atomic
def catalogue_prune(*, artist_ids: Iterable[str], track_ids: Iterable[str]) -> tuple[int, int]:
    """Delete these artists and tracks where no user ranks them; returns (artists, tracks).

    Tracks go first; an artist still credited on a remaining track is kept, so another user's
    track never loses its artists.
    """
    unranked = list(
        Track.objects.filter(id__in=list(track_ids), rankings__isnull=True).values_list(
            "id", flat=True
        )
    )
    # The artists credited on those tracks may have been in nobody's top list themselves.
    candidates = set(artist_ids) | set(
        TrackArtist.objects.filter(track_id__in=unranked).values_list("artist_id", flat=True)
    )
    track_count = Track.objects.filter(id__in=unranked).delete()[1]
    artists = Artist.objects.filter(
        id__in=list(candidates), rankings__isnull=True, credits__isnull=True
    )
    artist_count = Artist.objects.filter(
        id__in=list(artists.values_list("id", flat=True))
    ).delete()[1]
    return artist_count.get("music.Artist", 0), track_count.get("music.Track", 0)
