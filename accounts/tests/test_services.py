"""Token services and account deletion, against FakeSpotify, PostgreSQL, Redis and MongoDB."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from pymongo import MongoClient
from social_django.models import UserSocialAuth

from accounts.exceptions import SpotifyReauthRequired
from accounts.services import account_delete, spotify_client_for
from music.history import HistoryUnavailable, history_client_reset
from music.spotify import SpotifyAuthError

pytestmark = pytest.mark.django_db


def _expire(user, seconds_ago: int = 7200) -> None:
    social = UserSocialAuth.objects.get(user=user)
    social.extra_data["auth_time"] = int(time.time()) - seconds_ago
    social.save()


def test_spotify_client_for_uses_stored_token_when_not_expired(spotify_user, fake_spotify):
    client = spotify_client_for(user=spotify_user)
    assert client.me().id == "testuser123"
    assert fake_spotify.token_requests() == []


def test_spotify_client_for_refreshes_once_and_keeps_refresh_token_when_expired(
    spotify_user, fake_spotify
):
    _expire(spotify_user)
    client = spotify_client_for(user=spotify_user)
    assert client.me().id == "testuser123"

    refreshes = fake_spotify.token_requests("refresh_token")
    assert len(refreshes) == 1
    assert refreshes[0].form()["refresh_token"] == fake_spotify.refresh_token
    assert refreshes[0].headers["authorization"].startswith("Basic ")
    extra = UserSocialAuth.objects.get(user=spotify_user).extra_data
    assert extra["access_token"] != fake_spotify.access_token
    assert extra["refresh_token"] == fake_spotify.refresh_token  # answer had none: old one kept
    assert extra["auth_time"] >= int(time.time()) - 5


def test_spotify_client_for_refreshes_when_token_expires_within_margin(
    spotify_user, fake_spotify, settings
):
    settings.SPOTIFY_TOKEN_REFRESH_MARGIN = 60
    _expire(spotify_user, seconds_ago=3600 - 30)  # 30 s left
    spotify_client_for(user=spotify_user)
    assert len(fake_spotify.token_requests("refresh_token")) == 1


def test_spotify_client_for_stores_new_refresh_token_when_spotify_rotates_it(
    spotify_user, fake_spotify
):
    fake_spotify.rotate_refresh_tokens = True
    _expire(spotify_user)
    spotify_client_for(user=spotify_user)
    extra = UserSocialAuth.objects.get(user=spotify_user).extra_data
    assert extra["refresh_token"] != fake_spotify.refresh_token
    assert extra["refresh_token"].startswith("AQCfake-refresh-token-")


def test_spotify_client_for_flags_needs_reauth_when_refresh_token_expired(
    spotify_user, fake_spotify
):
    fake_spotify.token_error("invalid_grant", "Refresh token expired")
    _expire(spotify_user)
    with pytest.raises(SpotifyReauthRequired):
        spotify_client_for(user=spotify_user)
    spotify_user.refresh_from_db()
    assert spotify_user.needs_reauth
    assert UserSocialAuth.objects.get(user=spotify_user).extra_data["access_token"] == (
        fake_spotify.access_token
    )


def test_spotify_client_for_raises_auth_error_when_client_credentials_rejected(
    spotify_user, fake_spotify
):
    fake_spotify.token_error("invalid_client")
    _expire(spotify_user)
    with pytest.raises(SpotifyAuthError):
        spotify_client_for(user=spotify_user)
    spotify_user.refresh_from_db()
    assert not spotify_user.needs_reauth  # the owner's configuration, not the user's login


def test_spotify_client_for_raises_reauth_when_user_has_no_spotify_login(django_user_model):
    user = django_user_model.objects.create(username="admin")
    with pytest.raises(SpotifyReauthRequired):
        spotify_client_for(user=user)


def test_spotify_client_refreshes_once_when_api_says_token_expired(spotify_user, fake_spotify):
    client = spotify_client_for(user=spotify_user)
    fake_spotify.expire_access_tokens()
    assert len(client.top_artists(time_range="short_term")) == 20
    assert len(fake_spotify.token_requests("refresh_token")) == 1
    extra = UserSocialAuth.objects.get(user=spotify_user).extra_data
    assert extra["access_token"] != fake_spotify.access_token


def test_spotify_client_flags_needs_reauth_when_refresh_on_401_gets_invalid_grant(
    spotify_user, fake_spotify
):
    client = spotify_client_for(user=spotify_user)
    fake_spotify.expire_access_tokens()
    fake_spotify.token_error("invalid_grant")
    with pytest.raises(SpotifyReauthRequired):
        client.me()
    spotify_user.refresh_from_db()
    assert spotify_user.needs_reauth


# --- account deletion ----------------------------------------------------------------------------
def _history_insert(spotify_id: str) -> None:
    from django.conf import settings

    with MongoClient(settings.MONGO_URI) as mongo:
        mongo[settings.MONGO_DB_NAME]["user_syncs"].insert_many(
            [
                {"spotify_id": spotify_id, "time_range": "short_term"},
                {"spotify_id": spotify_id, "time_range": "long_term"},
                {"spotify_id": "someone-else", "time_range": "short_term"},
            ]
        )


def _history_ids() -> list[str]:
    from django.conf import settings

    with MongoClient(settings.MONGO_URI) as mongo:
        return sorted(d["spotify_id"] for d in mongo[settings.MONGO_DB_NAME]["user_syncs"].find())


def test_account_delete_removes_user_tokens_history_cache_and_sessions(spotify_user):
    _history_insert("testuser123")
    cache.set("top:testuser123:short_term", {"x": 1})
    cache.set("top:testuser123:long_term", {"x": 1})
    cache.set("top:someone-else:short_term", {"x": 1})
    browser = Client()
    browser.force_login(spotify_user)
    other = get_user_model().objects.create(username="other", spotify_id="someone-else")
    Client().force_login(other)

    account_delete(user=spotify_user)

    assert not get_user_model().objects.filter(spotify_id="testuser123").exists()
    assert not UserSocialAuth.objects.exists()
    assert _history_ids() == ["someone-else"]
    assert cache.get("top:testuser123:short_term") is None
    assert cache.get("top:testuser123:long_term") is None
    assert cache.get("top:someone-else:short_term") == {"x": 1}
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert owners == [str(other.pk)]


def test_account_delete_keeps_everything_when_mongodb_is_down(spotify_user, settings):
    settings.MONGO_URI = "mongodb://127.0.0.1:1/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        with pytest.raises(HistoryUnavailable):
            account_delete(user=spotify_user)
    finally:
        history_client_reset()
    assert get_user_model().objects.filter(pk=spotify_user.pk).exists()
    assert UserSocialAuth.objects.filter(user=spotify_user).exists()


@pytest.mark.django_db(transaction=True)
def test_spotify_client_refreshes_once_when_concurrent_fetches_get_401(spotify_user, fake_spotify):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from music.spotify import TIME_RANGES

    client = spotify_client_for(user=spotify_user)
    fake_spotify.expire_access_tokens()

    def fetch(job):
        kind, time_range = job
        try:
            method = client.top_artists if kind == "artists" else client.top_tracks
            return len(method(time_range=time_range))
        finally:
            connection.close()  # each worker thread opened its own connection

    jobs = [(kind, r) for kind in ("artists", "tracks") for r in TIME_RANGES]
    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(fetch, jobs)) == [20] * 6
    assert len(fake_spotify.token_requests("refresh_token")) == 1
    extra = UserSocialAuth.objects.get(user=spotify_user).extra_data
    assert extra["access_token"] != fake_spotify.access_token
    assert extra["refresh_token"] == fake_spotify.refresh_token


def test_account_delete_prunes_catalogue_rows_only_the_user_ranked(spotify_user, fake_spotify):
    from music.models import Artist, Track, TrackArtist, UserArtist, UserTrack
    from music.services import library_sync

    library_sync(user=spotify_user)
    other = get_user_model().objects.create(username="other", spotify_id="someone-else")
    kept_track = UserTrack.objects.filter(user=spotify_user).first().track
    kept_artist = UserArtist.objects.filter(user=spotify_user).first().artist
    UserTrack.objects.create(user=other, time_range="short_term", track=kept_track, rank=1)
    UserArtist.objects.create(user=other, time_range="short_term", artist=kept_artist, rank=1)
    credited = set(TrackArtist.objects.filter(track=kept_track).values_list("artist_id", flat=True))
    assert Track.objects.count() > 1 and Artist.objects.count() > 1

    account_delete(user=spotify_user)

    assert list(Track.objects.values_list("id", flat=True)) == [kept_track.id]
    remaining_artists = set(Artist.objects.values_list("id", flat=True))
    assert remaining_artists == credited | {kept_artist.id}
    assert set(kept_track.artists.values_list("id", flat=True)) == credited


def test_account_delete_refuses_the_shared_demo_account_when_asked(db):
    from accounts.models import DEMO_SPOTIFY_ID
    from accounts.services import AccountDeleteRefused

    demo = get_user_model().objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    with pytest.raises(AccountDeleteRefused):
        account_delete(user=demo)
    assert get_user_model().objects.filter(pk=demo.pk).exists()
