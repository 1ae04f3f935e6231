"""The seed's tables and keys."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from music.models import Artist, HistoryOutbox, SyncState, UserArtist
from music.services import library_sync

pytestmark = pytest.mark.django_db


def _primary_key(table: str) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    (columns,) = [c["columns"] for c in constraints.values() if c["primary_key"]]
    return columns


def test_rankings_use_the_seed_composite_primary_keys_when_migrated():
    assert _primary_key("user_artists") == ["spotify_id", "time_range", "artist_id"]
    assert _primary_key("user_tracks") == ["spotify_id", "time_range", "track_id"]


def test_ranking_rejects_the_same_artist_twice_in_a_range_when_inserted(spotify_user):
    artist = Artist.objects.create(id="a1", name="A")
    UserArtist.objects.create(user=spotify_user, time_range="short_term", artist=artist, rank=1)
    with pytest.raises(IntegrityError):
        UserArtist.objects.create(user=spotify_user, time_range="short_term", artist=artist, rank=2)


def test_deleting_a_user_deletes_rankings_states_and_outbox_when_synced(spotify_user):
    library_sync(user=spotify_user)
    HistoryOutbox.objects.create(user=spotify_user, time_range="short_term", payload={})
    spotify_user.delete()
    assert not UserArtist.objects.exists()
    assert not SyncState.objects.exists() and not HistoryOutbox.objects.exists()
    assert Artist.objects.exists()  # the shared catalogue stays
