"""Analytics acts on music's events: a saved sync refreshes the mood of every synced track."""

import pytest

from analytics.models import Vibe
from analytics.rankings import ranking_tracks
from analytics.selectors import vibe_get
from analytics.services import moods_analyse
from music.models import UserTrack
from music.services import library_sync

pytestmark = pytest.mark.django_db


def test_moods_analyse_gives_every_synced_track_to_the_mood_analysis_when_it_runs(
    spotify_user, fake_spotify, django_assert_max_num_queries
):
    library_sync(user=spotify_user)
    expected = list(
        UserTrack.objects.filter(user=spotify_user, time_range="short_term")
        .order_by("rank")
        .values_list("track_id", flat=True)
    )
    with django_assert_max_num_queries(2):  # the ranking, then its stored lyrics
        tracks = ranking_tracks(user=spotify_user, time_range="short_term")
    assert [t.track_id for t in tracks] == expected
    assert all(t.title for t in tracks)
    moods_analyse(user=spotify_user)
    vibe = vibe_get(user=spotify_user, time_range="short_term")
    assert vibe["analysed"] + vibe["skipped"] == len(expected) > 0


def test_library_sync_stores_a_vibe_per_range_when_its_commit_runs_the_mood_refresh(
    spotify_user, fake_spotify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        library_sync(user=spotify_user)
    ranges = set(Vibe.objects.filter(user=spotify_user).values_list("time_range", flat=True))
    assert ranges == {"short_term", "medium_term", "long_term"}
