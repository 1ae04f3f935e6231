"""artist_genres_lookup: MusicBrainz genres for ranked artists Spotify sent none for (fake Spotify
in its development-mode shapes and fake MusicBrainz over HTTP, real PostgreSQL and Redis)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from music.models import Artist, UserArtist
from music.selectors import genres_progress_get, top_get
from music.services import artist_genres_lookup, genres_lookup_request, library_sync
from music.services.genres import RATE_LIMITED, UNREACHABLE
from music.spotify import TimeRange
from personalify.cache import cache_get
from personalify.progress import WORKER_UNAVAILABLE
from personalify.testing.users import spotify_user_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev_user(fake_spotify_factory):
    """A development-mode account (no genres, popularity or followers), synced."""
    fake = fake_spotify_factory(dev_mode=True)
    user = spotify_user_make(fake)
    assert library_sync(user=user).ok
    return user


def ranked_ids(user) -> list[str]:
    return sorted(set(UserArtist.objects.filter(user=user).values_list("artist_id", flat=True)))


def asked_ids(fake_musicbrainz) -> list[str]:
    return sorted(
        h.query["resource"].rsplit("/", 1)[-1]
        for h in fake_musicbrainz.hits
        if h.path.endswith("url")
    )


def known_on_musicbrainz(fake_musicbrainz, user, *, every: int = 1) -> dict[str, list[str]]:
    """Give every ``every``-th ranked artist of ``user`` two genres on the fake; {id: genres}."""
    genres = {}
    for i, artist_id in enumerate(ranked_ids(user)):
        if i % every == 0:
            names = {f"genre {i % 4}": 10, f"genre {i % 3 + 10}": 2}
            fake_musicbrainz.add(artist_id, f"Artist {i}", genres=names)
            genres[artist_id] = list(names)
    return genres


def test_artist_genres_lookup_stores_musicbrainz_genres_when_spotify_sent_none(
    dev_user, fake_musicbrainz
):
    expected = known_on_musicbrainz(fake_musicbrainz, dev_user, every=2)
    result = artist_genres_lookup(user=dev_user)
    ranked = ranked_ids(dev_user)
    assert result.asked == len(ranked) and result.error == ""
    assert result.found == len(expected) and result.unmatched == len(ranked) - len(expected)
    for artist in Artist.objects.filter(id__in=ranked):
        assert artist.musicbrainz_checked_at is not None
        assert artist.musicbrainz_genres == expected.get(artist.id, [])
        assert bool(artist.musicbrainz_id) == (artist.id in expected)
        assert artist.genres is None  # Spotify's own answer is left as it came


def test_artist_genres_lookup_asks_only_artists_without_spotify_genres_when_some_have_them(
    synced_user, fake_musicbrainz
):
    unclassified = sorted(
        a.id for a in Artist.objects.filter(id__in=ranked_ids(synced_user)) if not a.genres
    )
    assert unclassified  # the fake's full shapes leave every 7th artist unclassified
    artist_genres_lookup(user=synced_user)
    assert asked_ids(fake_musicbrainz) == unclassified


def test_artist_genres_lookup_asks_nobody_again_when_run_twice_within_the_month(
    dev_user, fake_musicbrainz
):
    known_on_musicbrainz(fake_musicbrainz, dev_user, every=3)
    artist_genres_lookup(user=dev_user)
    hits = len(fake_musicbrainz.hits)
    result = artist_genres_lookup(user=dev_user, now=timezone.now() + timedelta(days=29))
    assert result.asked == 0 and len(fake_musicbrainz.hits) == hits


def test_artist_genres_lookup_asks_again_when_the_answer_is_older_than_a_month(
    dev_user, fake_musicbrainz, settings
):
    artist_genres_lookup(user=dev_user)  # no artist known: every answer is "no match"
    known_on_musicbrainz(fake_musicbrainz, dev_user)
    later = timezone.now() + timedelta(days=settings.MUSICBRAINZ_REFRESH_DAYS + 1)
    result = artist_genres_lookup(user=dev_user, now=later)
    assert result.asked == len(ranked_ids(dev_user)) and result.unmatched == 0
    assert not Artist.objects.filter(id__in=ranked_ids(dev_user), musicbrainz_genres=[]).exists()


def test_artist_genres_lookup_refreshes_a_matched_artist_with_one_request_when_a_month_passed(
    dev_user, fake_musicbrainz, settings
):
    known_on_musicbrainz(fake_musicbrainz, dev_user)
    artist_genres_lookup(user=dev_user)
    before = len(fake_musicbrainz.hits)
    later = timezone.now() + timedelta(days=settings.MUSICBRAINZ_REFRESH_DAYS + 1)
    result = artist_genres_lookup(user=dev_user, now=later)
    refresh = fake_musicbrainz.hits[before:]
    assert result.asked == len(ranked_ids(dev_user)) and result.unmatched == 0
    assert len(refresh) == result.asked
    assert all(h.path.startswith("/ws/2/artist/") for h in refresh)


def test_artist_genres_lookup_counts_unclassified_artists_when_musicbrainz_has_no_match(
    dev_user, fake_musicbrainz
):
    known_on_musicbrainz(fake_musicbrainz, dev_user, every=4)
    artist_genres_lookup(user=dev_user)
    top = top_get(user=dev_user, time_range=TimeRange.SHORT)
    without = [a for a in top["artists"] if not a["genres"]]
    assert without and len(without) < len(top["artists"])
    assert top["genres_summary"] == {
        "sources": ["musicbrainz"],
        "unclassified": len(without),
        "unmatched": len(without),
        "artists": len(top["artists"]),
    }


def test_artist_genres_lookup_forgets_the_cached_top_lists_when_only_no_matches_came_back(
    dev_user, fake_musicbrainz
):
    key = f"top:{dev_user.spotify_id}:{TimeRange.SHORT}"
    assert cache_get(key)["genres_summary"]["unmatched"] == 0
    artist_genres_lookup(user=dev_user)  # MusicBrainz knows none of them
    assert cache_get(key) is None
    summary = top_get(user=dev_user, time_range=TimeRange.SHORT)["genres_summary"]
    assert summary["unmatched"] == summary["artists"] > 0


def test_artist_genres_lookup_forgets_the_cached_top_lists_when_genres_changed(
    dev_user, fake_musicbrainz
):
    key = f"top:{dev_user.spotify_id}:{TimeRange.SHORT}"
    assert cache_get(key)["genres_available"] is False
    known_on_musicbrainz(fake_musicbrainz, dev_user)
    artist_genres_lookup(user=dev_user)
    assert cache_get(key) is None
    assert top_get(user=dev_user, time_range=TimeRange.SHORT)["genres_available"] is True


def test_artist_genres_lookup_stops_and_says_why_when_musicbrainz_is_unreachable(
    dev_user, settings, caplog
):
    settings.MUSICBRAINZ_URL = "http://127.0.0.1:9"
    result = artist_genres_lookup(user=dev_user)
    assert result.error == UNREACHABLE and result.asked == 0
    assert result.remaining == len(ranked_ids(dev_user))
    assert not Artist.objects.filter(musicbrainz_checked_at__isnull=False).exists()
    progress = genres_progress_get(user=dev_user)
    assert progress["state"] == "failed" and progress["error"] == UNREACHABLE
    assert "MusicBrainz unavailable" in caplog.text


def test_artist_genres_lookup_keeps_what_it_found_when_musicbrainz_asks_for_a_long_wait(
    dev_user, fake_musicbrainz
):
    known_on_musicbrainz(fake_musicbrainz, dev_user)
    # The first artist's two requests are answered, then MusicBrainz asks for 10 minutes.
    fake_musicbrainz.overload(retry_after=600, after=2)
    result = artist_genres_lookup(user=dev_user)
    assert result.asked == 1 and result.retry_after == 600
    assert result.remaining == len(ranked_ids(dev_user)) - 1
    progress = genres_progress_get(user=dev_user)
    assert progress["state"] == "failed" and progress["retry_at"]
    assert progress["error"] == RATE_LIMITED
    assert Artist.objects.filter(musicbrainz_checked_at__isnull=False).count() == 1


def test_genres_lookup_request_queues_one_lookup_when_asked_twice_before_it_ran(
    dev_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert genres_lookup_request(user=dev_user) is True
        assert genres_lookup_request(user=dev_user) is False
    assert len(callbacks) == 1
    assert genres_progress_get(user=dev_user)["state"] == "queued"


def test_genres_lookup_request_queues_nothing_when_the_user_is_the_demo(
    demo_user, fake_musicbrainz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert genres_lookup_request(user=demo_user) is False
    assert callbacks == [] and fake_musicbrainz.hits == []


def test_library_sync_looks_genres_up_in_the_background_when_spotify_sends_none(
    fake_spotify_factory, fake_musicbrainz, settings, django_capture_on_commit_callbacks
):
    settings.MUSICBRAINZ_GENRES_AFTER_SYNC = True
    fake = fake_spotify_factory(dev_mode=True)
    user = spotify_user_make(fake)
    ranked = fake.catalogue.ranking("artists", TimeRange.SHORT)
    fake_musicbrainz.add(ranked[0]["id"], ranked[0]["name"], genres={"shoegaze": 5})
    with django_capture_on_commit_callbacks(execute=True):
        # The task queued on commit runs in-process (as in `make run` without a broker).
        assert library_sync(user=user).ok
    assert genres_progress_get(user=user)["state"] == "done"
    assert asked_ids(fake_musicbrainz) == ranked_ids(user)
    top = top_get(user=user, time_range=TimeRange.SHORT)
    assert top["artists"][0]["genres"] == ["shoegaze"]
    assert top["artists"][0]["genres_source"] == "musicbrainz"


def test_library_sync_asks_musicbrainz_nothing_when_the_lookup_is_off(
    fake_spotify_factory, fake_musicbrainz, settings, django_capture_on_commit_callbacks
):
    settings.MUSICBRAINZ_GENRES_AFTER_SYNC = False
    user = spotify_user_make(fake_spotify_factory(dev_mode=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert library_sync(user=user).ok
    assert fake_musicbrainz.hits == []


def test_artist_genres_lookup_task_runs_the_lookup_when_given_a_user_id(dev_user, fake_musicbrainz):
    from music.tasks import artist_genres_lookup_task

    known_on_musicbrainz(fake_musicbrainz, dev_user, every=2)
    answer = artist_genres_lookup_task.delay(dev_user.pk).get()
    assert answer["asked"] == len(ranked_ids(dev_user)) and answer["error"] == ""
    assert answer["found"] + answer["unmatched"] == answer["asked"]


def test_genres_lookup_request_says_the_worker_is_unavailable_when_the_broker_is_down(
    dev_user, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        assert genres_lookup_request(user=dev_user) is True
    progress = genres_progress_get(user=dev_user)
    assert progress["state"] == "failed" and progress["error"] == WORKER_UNAVAILABLE
    assert "Could not queue the genre lookup" in caplog.text
