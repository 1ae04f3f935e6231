"""Spotify login through social-auth, with every URL and credential taken from settings.

social_core's SpotifyOAuth2 hard-codes accounts.spotify.com and api.spotify.com; tests and the
demo point SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL at a local fake instead. Credentials are read
at call time (not copied into SOCIAL_AUTH_* at import) so an override in tests takes effect.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from social_core.backends.spotify import SpotifyOAuth2 as CoreSpotifyOAuth2

from .selectors import user_session_get

SCOPES = ["user-top-read", "user-read-recently-played", "user-read-private", "user-read-email"]


class SpotifyOAuth2(CoreSpotifyOAuth2):
    """``spotify`` backend: URLs from settings, expiry stored, redirect URI from settings."""

    name = "spotify"
    DEFAULT_SCOPE = SCOPES
    # social_core stores no expiry by default, so tokens would never be refreshed.
    EXTRA_DATA = [("refresh_token", "refresh_token"), ("expires_in", "expires_in")]

    def authorization_url(self) -> str:
        # Reference: https://developer.spotify.com/documentation/web-api/tutorials/code-flow
        return f"{settings.SPOTIFY_ACCOUNTS_URL.rstrip('/')}/authorize"

    def access_token_url(self) -> str:
        # Reference: https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens
        return f"{settings.SPOTIFY_ACCOUNTS_URL.rstrip('/')}/api/token"

    def get_key_and_secret(self) -> tuple[str, str]:
        return settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET

    def get_redirect_uri(self, state: str | None = None) -> str:
        # The URI registered in Spotify's dashboard (127.0.0.1, not localhost); else the request's.
        return settings.SPOTIFY_REDIRECT_URI or super().get_redirect_uri(state)

    def get_user(self, user_id):
        # Every logged-in request: the active user, from the cache (accounts.selectors).
        return user_session_get(user_id=user_id)

    def user_data(self, access_token: str, *args, **kwargs) -> dict[str, Any] | None:
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile
        return self.get_json(
            f"{settings.SPOTIFY_API_URL.rstrip('/')}/me",
            headers={"Authorization": f"Bearer {access_token}"},
        )


class PasswordLoginThrottle(AxesStandaloneBackend):
    """django-axes' lockout check, for password logins only (the admin's).

    The Spotify login has no password and no request in social-auth's authenticate() call,
    which axes would refuse; Spotify itself guards that door.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or password is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class ModelBackend(DjangoModelBackend):
    """Django's password backend (the admin, the demo login), its user lookup from the cache."""

    def get_user(self, user_id):
        return user_session_get(user_id=user_id)
