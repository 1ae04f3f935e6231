"""top_get, ranking_changes and sync progress: cache first, PostgreSQL behind it."""

from __future__ import annotations

import json
import logging

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils.timezone import now

from music.models import Artist, TrackArtist, UserArtist, UserTrack
from music.selectors import (
    ranking_changes,
    sync_progress_get,
    top_build_many,
    top_cache_key,
    top_get,
)
from music.services import library_sync
from personalify.testing.users import spotify_user_make

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "spotify_id",
    "time_range",
    "synced_at",
    "artists",
    "tracks",
    "genres",
    "genres_available",
    "genres_summary",  # where the genres came from (Spotify, MusicBrainz), unclassified counts
}


def _raw_redis():
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(user, time_range="short_term"):
    return top_cache_key(spotify_id=user.spotify_id, time_range=time_range)


def test_top_cache_is_plain_json_under_the_seed_key_when_synced(spotify_user):
    library_sync(user=spotify_user)
    raw = _raw_redis().get(f"top:{spotify_user.spotify_id}:short_term")
    payload = json.loads(raw)  # what `redis-cli GET top:<id>:short_term | jq` reads
    assert set(payload) == CONTRACT_KEYS
    artist, track = payload["artists"][0], payload["tracks"][0]
    assert set(artist) == {
        "rank", "id", "name", "genres", "genres_source", "musicbrainz_checked", "popularity",
        "image", "url",
    }  # fmt: skip
    assert set(track) == {
        "rank", "id", "name", "artists", "album", "duration_ms", "explicit", "popularity",
        "preview_url", "url",
    }  # fmt: skip
    assert set(track["album"]) == {"name", "type", "release_date", "image"}
    assert artist["rank"] == 1 and artist["url"].startswith("https://open.spotify.com/artist/")


def test_top_cache_expires_after_cache_ttl_when_written(spotify_user):
    library_sync(user=spotify_user)
    ttl = _raw_redis().ttl(_key(spotify_user))
    assert 0 < ttl <= settings.CACHE_TTL


def test_top_get_reads_the_cache_without_sql_when_cached(spotify_user, django_assert_num_queries):
    library_sync(user=spotify_user)
    with django_assert_num_queries(0):
        payload = top_get(user=spotify_user, time_range="medium_term")
    assert payload["time_range"] == "medium_term"


def test_top_get_builds_the_same_dict_from_postgresql_when_the_cache_is_empty(spotify_user):
    library_sync(user=spotify_user)
    cached = top_get(user=spotify_user, time_range="short_term")
    cache.delete(_key(spotify_user))
    assert top_get(user=spotify_user, time_range="short_term") == cached
    assert _raw_redis().get(_key(spotify_user))  # and re-cached


def test_top_build_many_shows_the_stored_genres_and_credits_when_musicbrainz_filled_them(
    spotify_user,
):
    """The builder reads plain columns: each item must say what the models say (genres from
    Spotify, else MusicBrainz; credits in their order)."""
    library_sync(user=spotify_user)
    first, second, third = (
        row.artist
        for row in UserArtist.objects.filter(user=spotify_user, time_range="short_term")
        .select_related("artist")
        .order_by("rank")[:3]
    )
    Artist.objects.filter(id=first.id).update(
        genres=[], musicbrainz_genres=["shoegaze", "dream pop"], musicbrainz_checked_at=now()
    )
    Artist.objects.filter(id=second.id).update(genres=None, musicbrainz_checked_at=now())
    Artist.objects.filter(id=third.id).update(genres=None, musicbrainz_checked_at=None)
    track = UserTrack.objects.filter(user=spotify_user, time_range="short_term").get(rank=1).track
    TrackArtist.objects.filter(track=track).update(position=F("position") + 10)
    TrackArtist.objects.create(track=track, artist=third, position=0)

    built = top_build_many(user=spotify_user, time_ranges=("short_term",))["short_term"]

    assert [
        (a["genres"], a["genres_source"], a["musicbrainz_checked"]) for a in built["artists"][:3]
    ] == [(["shoegaze", "dream pop"], "musicbrainz", True), ([], None, True), ([], None, False)]
    for item in built["artists"]:
        artist = Artist.objects.get(id=item["id"])
        assert (item["genres"], item["genres_source"]) == artist.genres_found
    credited = TrackArtist.objects.filter(track=track).order_by("position")
    assert built["tracks"][0]["artists"] == [
        {"id": c.artist.id, "name": c.artist.name} for c in credited.select_related("artist")
    ]
    assert built["tracks"][0]["artists"][0]["id"] == third.id


@pytest.mark.parametrize("n_items", [5, 50])
def test_top_get_uses_four_queries_when_building_from_postgresql(
    fake_spotify_factory, n_items, django_assert_num_queries
):
    user = spotify_user_make(fake_spotify_factory(n_items=n_items))
    library_sync(user=user)
    cache.delete(_key(user))
    with django_assert_num_queries(4):
        top_get(user=user, time_range="short_term")


def test_top_get_returns_none_when_never_synced(spotify_user):
    assert top_get(user=spotify_user, time_range="short_term") is None


def test_top_get_serves_postgresql_and_logs_once_when_redis_is_down(
    spotify_user, redis_down, caplog
):
    with caplog.at_level(logging.WARNING, logger="personalify.cache"):
        library_sync(user=spotify_user)
        expected = top_build_many(user=spotify_user, time_ranges=("long_term",))["long_term"]
        assert top_get(user=spotify_user, time_range="long_term") == expected
        assert top_get(user=spotify_user, time_range="long_term") == expected
    down = [r for r in caplog.records if "Cache unavailable" in r.getMessage()]
    assert len(down) == 1


def test_ranking_changes_lists_rises_falls_and_new_when_both_ranges_are_synced(spotify_user):
    library_sync(user=spotify_user)
    short = top_get(user=spotify_user, time_range="short_term")
    medium = {
        a["id"]: a["rank"] for a in top_get(user=spotify_user, time_range="medium_term")["artists"]
    }
    changes = ranking_changes(user=spotify_user)["artists"]
    for artist in short["artists"]:
        if artist["id"] not in medium:
            assert artist["id"] in {e["id"] for e in changes["new"]}
        elif medium[artist["id"]] > artist["rank"]:
            assert artist["id"] in {e["id"] for e in changes["rose"]}
        elif medium[artist["id"]] < artist["rank"]:
            assert artist["id"] in {e["id"] for e in changes["fell"]}
    assert changes["rose"] and changes["fell"] and changes["new"]
    assert all(e["change"] > 0 for e in changes["rose"])


def test_ranking_changes_is_empty_when_never_synced(spotify_user):
    changes = ranking_changes(user=spotify_user)
    assert changes["available"] is False
    assert changes["tracks"] == {"rose": [], "fell": [], "new": []}


def test_sync_progress_get_says_idle_when_nothing_ran(spotify_user):
    assert sync_progress_get(user=spotify_user) == {
        "state": "idle", "step": "", "done": 0, "total": 0, "error": None, "retry_at": None,
    }  # fmt: skip
