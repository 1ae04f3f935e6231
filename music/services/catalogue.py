"""The shared catalogue (artists, tracks): rows nobody ranks any more are removed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from music.models import Artist, Track, TrackArtist


@transaction.atomic
def catalogue_prune(*, artist_ids: Iterable[str], track_ids: Iterable[str]) -> tuple[int, int]:
    """Delete these artists and tracks where no user ranks them; returns (artists, tracks).

    Tracks go first; an artist still credited on a remaining track is kept, so another user's
    track never loses its artists. Must run in a transaction: the candidate rows are locked
    before they are checked, so a ranking another sync is writing (its foreign key holds a
    share lock on the row) is waited for and then seen, and one written later waits for this
    deletion. Without the lock, a ranking committed between the check and the delete was
    deleted with the row.
    """
    locked_tracks = _locked(Track, track_ids)
    unranked = list(
        Track.objects.filter(id__in=locked_tracks, rankings__isnull=True).values_list(
            "id", flat=True
        )
    )
    # The artists credited on those tracks may have been in nobody's top list themselves.
    candidates = set(artist_ids) | set(
        TrackArtist.objects.filter(track_id__in=unranked).values_list("artist_id", flat=True)
    )
    track_count = Track.objects.filter(id__in=unranked).delete()[1]
    locked_artists = _locked(Artist, candidates)
    artists = Artist.objects.filter(
        id__in=locked_artists, rankings__isnull=True, credits__isnull=True
    )
    artist_count = Artist.objects.filter(
        id__in=list(artists.values_list("id", flat=True))
    ).delete()[1]
    return artist_count.get("music.Artist", 0), track_count.get("music.Track", 0)


def _locked(model, ids: Iterable[str]) -> list[str]:
    """Lock these rows (in id order, so two prunes never deadlock); the ids that exist."""
    return list(
        model.objects.select_for_update()
        .filter(id__in=list(ids))
        .order_by("id")
        .values_list("id", flat=True)
    )
