"""The Spotify client of a user (music.services.client) with the tokens accounts keeps and
refreshes, against FakeSpotify and PostgreSQL."""

import time

import pytest
from social_django.models import UserSocialAuth

from accounts.exceptions import SpotifyReauthRequired
from accounts.services import tokens_opened
from music.services.client import spotify_client_for
from music.spotify import SpotifyAuthError, TimeRange

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
    extra = tokens_opened(UserSocialAuth.objects.get(user=spotify_user).extra_data)
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
    extra = tokens_opened(UserSocialAuth.objects.get(user=spotify_user).extra_data)
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
    assert tokens_opened(UserSocialAuth.objects.get(user=spotify_user).extra_data)[
        "access_token"
    ] == (fake_spotify.access_token)


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
    extra = tokens_opened(UserSocialAuth.objects.get(user=spotify_user).extra_data)
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


@pytest.mark.django_db(transaction=True)
def test_spotify_client_refreshes_once_when_concurrent_fetches_get_401(spotify_user, fake_spotify):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    client = spotify_client_for(user=spotify_user)
    fake_spotify.expire_access_tokens()

    def fetch(job):
        kind, time_range = job
        try:
            method = client.top_artists if kind == "artists" else client.top_tracks
            return len(method(time_range=time_range))
        finally:
            connection.close()  # each worker thread opened its own connection

    jobs = [(kind, r) for kind in ("artists", "tracks") for r in TimeRange.values]
    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(fetch, jobs)) == [20] * 6
    assert len(fake_spotify.token_requests("refresh_token")) == 1
    extra = tokens_opened(UserSocialAuth.objects.get(user=spotify_user).extra_data)
    assert extra["access_token"] != fake_spotify.access_token
    assert extra["refresh_token"] == fake_spotify.refresh_token
