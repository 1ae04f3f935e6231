"""Fetching the lyrics of a user's ranked tracks: LRCLib first, Genius second, stored per track."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from lyrics.lrclib import LRCLibClient
from lyrics.models import Lyrics, Status, TrackLyrics
from lyrics.selectors import lyrics_progress_get
from lyrics.services import (
    Sources,
    genius_lyrics_get,
    lyrics_fetch_for_user,
    lyrics_prune,
    sources_default,
)
from lyrics.throttle import Throttle
from personalify.testing.fakehttp import Reply

from .conftest import lrclib_add, primary_artist

SONG = (
    "[Verse 1]\nI miss the way you laughed\nThe rooms are cold without you\n\n[Chorus]\nCome home"
)


@pytest.fixture
def no_genius(settings):
    settings.GENIUS_ACCESS_TOKEN = ""


def links():
    return {t.track_id: t for t in TrackLyrics.objects.select_related("lyrics")}


def test_fetch_stores_lrclib_lyrics_with_timed_lines_when_lrclib_has_them(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    track = ranked_tracks[0]
    entry = lrclib_add(
        fake_lrclib, track, plain="Hold on\nLet go", synced="[00:05.10] Hold on\n[00:09.00] Let go"
    )
    result = lyrics_fetch_for_user(user=synced_user)
    link = links()[track.id]
    assert link.status == Status.FOUND and link.retry_at is None
    assert (link.lyrics.source, link.lyrics.source_id) == ("lrclib", str(entry["id"]))
    assert link.lyrics.text == "Hold on\nLet go"
    assert link.lyrics.lines == [[5.1, "Hold on"], [9.0, "Let go"]]
    assert result.statuses == {"found": 1, "not_found": len(ranked_tracks) - 1}


def test_fetch_asks_each_ranked_track_once_across_ranges(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    result = lyrics_fetch_for_user(user=synced_user)
    asked = [(r.query["track_name"], r.query["artist_name"]) for r in fake_lrclib.requests]
    assert len(asked) == len(set(asked)) == len(ranked_tracks) == result.total


def test_fetch_records_instrumental_not_missing_when_lrclib_says_instrumental(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    lrclib_add(fake_lrclib, ranked_tracks[0], instrumental=True)
    lyrics_fetch_for_user(user=synced_user)
    link = links()[ranked_tracks[0].id]
    assert link.status == Status.INSTRUMENTAL and link.retry_at is None
    assert link.lyrics.status == Status.INSTRUMENTAL and link.lyrics.text == ""


def test_fetch_stores_nothing_empty_when_lrclib_sends_no_words(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    lrclib_add(fake_lrclib, ranked_tracks[0], plain="  ", synced=None)
    lyrics_fetch_for_user(user=synced_user)
    assert links()[ranked_tracks[0].id].status == Status.NOT_FOUND
    assert not Lyrics.objects.exists()


def test_lyrics_table_refuses_found_lyrics_without_text(db):
    with pytest.raises(IntegrityError):
        Lyrics.objects.create(
            source="genius", source_id="1", status="found", text="", fetched_at=timezone.now()
        )


def test_fetch_falls_back_to_genius_matched_on_normalised_title_when_lrclib_misses(
    synced_user, ranked_tracks, fake_lrclib, fake_genius
):
    track = ranked_tracks[1]
    original = track.name
    track.name = f"{original} - Remastered 2011"
    track.save(update_fields=["name"])
    song = fake_genius.add_song(f"{original} (feat. Someone)", primary_artist(track), SONG)
    lyrics_fetch_for_user(user=synced_user)
    link = links()[track.id]
    assert link.status == Status.FOUND
    assert (link.lyrics.source, link.lyrics.source_id) == ("genius", str(song["id"]))
    assert link.lyrics.text == SONG and link.lyrics.url.endswith(song["path"])
    searched = [r.query["q"] for r in fake_genius.api.requests_to("/search")]
    assert f"{original.lower()} {primary_artist(track)}" in searched


def test_fetch_does_not_take_a_genius_hit_by_another_artist(
    synced_user, ranked_tracks, fake_lrclib, fake_genius
):
    track = ranked_tracks[2]
    fake_genius.add_song(track.name, "Somebody Else Entirely", SONG)
    lyrics_fetch_for_user(user=synced_user)
    assert links()[track.id].status == Status.NOT_FOUND
    assert fake_genius.web.requests == []


def test_fetch_says_unavailable_when_the_genius_page_is_a_cloudflare_challenge(
    synced_user, ranked_tracks, fake_lrclib, fake_genius
):
    track = ranked_tracks[0]
    fake_genius.add_song(track.name, primary_artist(track), SONG, markup="challenge")
    lyrics_fetch_for_user(user=synced_user)
    link = links()[track.id]
    assert link.status == Status.UNAVAILABLE and link.lyrics is None
    assert link.retry_at > timezone.now() + timedelta(hours=23)


def test_fetch_remembers_not_found_and_asks_again_only_after_a_day(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    lyrics_fetch_for_user(user=synced_user)
    first = len(fake_lrclib.requests)
    link = links()[ranked_tracks[0].id]
    assert link.status == Status.NOT_FOUND
    assert timedelta(hours=23) < link.retry_at - link.fetched_at <= timedelta(hours=24)
    again = lyrics_fetch_for_user(user=synced_user)
    assert again.asked == 0 and len(fake_lrclib.requests) == first
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        later = lyrics_fetch_for_user(user=synced_user)
    assert later.asked == len(ranked_tracks) and len(fake_lrclib.requests) == 2 * first


def test_fetch_asks_stored_tracks_again_when_forced(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    lrclib_add(fake_lrclib, ranked_tracks[0], plain="Words")
    lyrics_fetch_for_user(user=synced_user)
    assert lyrics_fetch_for_user(user=synced_user).asked == 0
    assert lyrics_fetch_for_user(user=synced_user, force=True).asked == len(ranked_tracks)


def test_fetch_marks_tracks_unavailable_and_stops_asking_when_lrclib_is_down(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    fake_lrclib.fail(Reply(503, body="down"), times=1000)
    result = lyrics_fetch_for_user(user=synced_user, workers=1)
    assert {link.status for link in links().values()} == {Status.UNAVAILABLE}
    assert len(fake_lrclib.requests) == 3  # one track's bounded retries, then skipped
    assert "lrclib" in result.skipped_sources


def test_fetch_keeps_at_most_two_requests_in_flight_per_source(
    synced_user, ranked_tracks, fake_lrclib, no_genius, settings
):
    fake_lrclib.server.latency = 0.05
    sources = sources_default()
    lyrics_fetch_for_user(user=synced_user, sources=sources, workers=6)
    assert sources.lrclib.throttle.max_in_flight == settings.LYRICS_IN_FLIGHT == 2


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_fetch_pauses_the_source_for_retry_after_when_lrclib_answers_429(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    for track in ranked_tracks:
        lrclib_add(fake_lrclib, track, plain="Words here")
    fake_lrclib.rate_limit(retry_after=7)
    clock = FakeClock()
    throttle = Throttle(in_flight=2, clock=lambda: clock.now, sleep=clock.sleep)
    sources = Sources(lrclib=LRCLibClient(throttle=throttle), genius=None)
    result = lyrics_fetch_for_user(user=synced_user, sources=sources, workers=1)
    assert result.statuses == {"found": len(ranked_tracks)}
    assert throttle.paused_for == 7 and sum(clock.slept) == pytest.approx(7)


def test_fetch_reports_progress_done_with_the_number_of_tracks_asked(
    synced_user, ranked_tracks, fake_lrclib, no_genius
):
    lyrics_fetch_for_user(user=synced_user)
    progress = lyrics_progress_get(user=synced_user)
    assert progress["state"] == "done"
    assert progress["done"] == progress["total"] == len(ranked_tracks)


def test_genius_lyrics_get_stores_the_cleaned_lyrics_of_a_genius_song(fake_genius, db):
    song = fake_genius.add_song("Static Hearts", "The Velvet Static", SONG)
    lyrics = genius_lyrics_get(song_id=song["id"])
    assert (lyrics.status, lyrics.text, lyrics.title) == ("found", SONG, "Static Hearts")
    assert genius_lyrics_get(song_id=song["id"]).pk == lyrics.pk
    assert len(fake_genius.web.requests) == 1  # stored: not fetched again


def test_genius_lyrics_get_remembers_an_unavailable_page_until_its_retry_time(fake_genius, db):
    song = fake_genius.add_song("T", "A", SONG, markup="no_lyrics")
    lyrics = genius_lyrics_get(song_id=song["id"])
    assert lyrics.status == "unavailable" and lyrics.text == "" and lyrics.retry_at
    genius_lyrics_get(song_id=song["id"])
    assert len(fake_genius.web.requests) == 1
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        genius_lyrics_get(song_id=song["id"])
    assert len(fake_genius.web.requests) == 2


def test_lyrics_prune_deletes_old_lyrics_no_track_links_to(fake_genius, db):
    song = fake_genius.add_song("T", "A", SONG)
    genius_lyrics_get(song_id=song["id"])
    assert lyrics_prune() == 0
    assert lyrics_prune(now=timezone.now() + timedelta(days=31)) == 1
    assert not Lyrics.objects.exists()
