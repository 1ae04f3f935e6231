"""The mood read from lyrics: after a lyrics fetch, and its coverage sentence."""

import pytest

from analytics.models import Vibe
from analytics.rankings import ranking_tracks
from analytics.selectors import vibe_get
from analytics.services import moods_analyse
from lyrics.services import lyrics_fetch_for_user
from lyrics.tests.conftest import lrclib_add

SONG = (
    "[Verse 1]\nI miss the way you laughed\nThe rooms are cold without you\n\n[Chorus]\nCome home"
)


@pytest.fixture
def no_genius(settings):
    settings.GENIUS_ACCESS_TOKEN = ""


def test_fetch_reads_the_vibe_again_from_lyrics_when_new_lyrics_were_stored(
    synced_user, ranked_tracks, fake_lrclib, no_genius, django_capture_on_commit_callbacks
):
    for track in ranked_tracks[:5]:
        lrclib_add(fake_lrclib, track, plain=SONG)
    with django_capture_on_commit_callbacks(execute=True):
        lyrics_fetch_for_user(user=synced_user)
    vibes = Vibe.objects.filter(user=synced_user)
    assert vibes.count() == 3
    assert sum(v.lyrics_count for v in vibes) > 0


def test_fetch_does_not_read_the_vibe_again_when_nothing_new_was_found(
    synced_user, fake_lrclib, no_genius, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lyrics_fetch_for_user(user=synced_user)
    assert not Vibe.objects.filter(user=synced_user).exists()


def test_ranking_tracks_give_lyrics_words_without_headers_and_instrumental_flags(
    synced_user,
    ranked_tracks,
    fake_lrclib,
    no_genius,
):
    by_id = {t.id: t for t in ranked_tracks}
    lyrical, instrumental = ranked_tracks[0], ranked_tracks[1]
    lrclib_add(fake_lrclib, lyrical, plain=SONG)
    lrclib_add(fake_lrclib, instrumental, instrumental=True)
    lyrics_fetch_for_user(user=synced_user)
    inputs = {
        t.track_id: t
        for r in ("short_term", "medium_term", "long_term")
        for t in ranking_tracks(user=synced_user, time_range=r)
    }
    assert inputs[lyrical.id].lyrics.startswith("I miss the way you laughed")
    assert "[Verse 1]" not in inputs[lyrical.id].lyrics
    assert inputs[instrumental.id].is_instrumental
    assert inputs[ranked_tracks[2].id].lyrics is None
    assert set(inputs) == set(by_id)


def test_vibe_says_how_many_tracks_were_read_from_lyrics(
    synced_user,
    ranked_tracks,
    fake_lrclib,
    no_genius,
):
    short = [t.track_id for t in ranking_tracks(user=synced_user, time_range="short_term")]
    by_id = {t.id: t for t in ranked_tracks}
    for track_id in short[:3]:
        lrclib_add(fake_lrclib, by_id[track_id], plain=SONG)
    lrclib_add(fake_lrclib, by_id[short[3]], instrumental=True)
    lyrics_fetch_for_user(user=synced_user)
    moods_analyse(user=synced_user, time_ranges=["short_term"])
    vibe = vibe_get(user=synced_user, time_range="short_term")
    total = len(short)
    assert vibe["lyrics"] == 3 and vibe["skipped"] == 1
    assert vibe["coverage"] == (
        f"read from the lyrics of 3 of {total} tracks "
        f"(the titles of {total - 4}, 1 instrumental or without words)"
    )
