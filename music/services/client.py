"""The Spotify client of a user, with the tokens accounts keeps."""

from __future__ import annotations

from accounts.exceptions import SpotifyTokenRefreshFailed
from accounts.services import spotify_token_get
from music.spotify import SpotifyAuthError, SpotifyClient


def spotify_client_for(*, user) -> SpotifyClient:
    """A SpotifyClient with a fresh access token; on a 401 its callback forces one refresh.

    Raises SpotifyReauthRequired when the user must log in again, SpotifyAuthError when
    Spotify refuses to refresh the token for another reason.
    """
    try:
        token, refresh = spotify_token_get(user=user)
    except SpotifyTokenRefreshFailed as exc:
        raise SpotifyAuthError(str(exc), status=exc.status) from exc

    def refresh_or_auth_error() -> str:
        try:
            return refresh()
        except SpotifyTokenRefreshFailed as exc:
            raise SpotifyAuthError(str(exc), status=exc.status) from exc

    return SpotifyClient(access_token=token, refresh=refresh_or_auth_error)
