"""``manage.py fetch_lyrics``."""

import pytest
from django.core.management import CommandError, call_command

from lyrics.models import TrackLyrics
from personalify.testing.terminal import FakeTTY

from .conftest import lrclib_add


@pytest.fixture(autouse=True)
def no_genius(settings):
    settings.GENIUS_ACCESS_TOKEN = ""


def test_fetch_lyrics_stores_lyrics_and_prints_a_summary_for_one_user(
    synced_user, ranked_tracks, fake_lrclib
):
    lrclib_add(fake_lrclib, ranked_tracks[0], plain="Words")
    out, err = FakeTTY(), FakeTTY()
    call_command("fetch_lyrics", "--user", synced_user.spotify_id, stdout=out, stderr=err)
    n = len(ranked_tracks)
    assert (
        f"{synced_user.spotify_id}: {n} ranked tracks, {n} looked up (1 found, {n - 1} not_found);"
        " 1 new." in out.getvalue()
    )
    assert f"{n}/{n}" in err.getvalue()  # the progress bar, drawn on a terminal
    assert TrackLyrics.objects.count() == n


def test_fetch_lyrics_asks_stored_tracks_again_only_when_forced(
    synced_user, ranked_tracks, fake_lrclib
):
    call_command("fetch_lyrics", "--all", stdout=FakeTTY(), stderr=FakeTTY())
    asked = len(fake_lrclib.requests)
    call_command("fetch_lyrics", "--all", stdout=FakeTTY(), stderr=FakeTTY())
    assert len(fake_lrclib.requests) == asked
    call_command("fetch_lyrics", "--all", "--force", stdout=FakeTTY(), stderr=FakeTTY())
    assert len(fake_lrclib.requests) == 2 * asked


def test_fetch_lyrics_fails_with_a_message_when_the_user_is_unknown(db):
    with pytest.raises(CommandError, match="No user with Spotify id 'nobody'"):
        call_command("fetch_lyrics", "--user", "nobody")
