"""The Spotify Web API client (``client``), its answers as dataclasses (``parsing``) and its
errors (``errors``). Import from here: ``from music.spotify import SpotifyClient, ...``."""

from .client import MAX_LIMIT, SpotifyClient
from .errors import (
    NOT_REGISTERED_HINT,
    SpotifyAuthError,
    SpotifyBadRequest,
    SpotifyBadResponse,
    SpotifyError,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    error_message,
)
from .parsing import (
    MAX_ID_LENGTH,
    SpotifyAlbum,
    SpotifyArtist,
    SpotifyArtistRef,
    SpotifyImage,
    SpotifyItems,
    SpotifyPlay,
    SpotifyProfile,
    SpotifyTrack,
    parse_artist,
    parse_play,
    parse_profile,
    parse_track,
)
from .ranges import TimeRange

__all__ = [
    "MAX_ID_LENGTH",
    "MAX_LIMIT",
    "NOT_REGISTERED_HINT",
    "SpotifyAlbum",
    "SpotifyArtist",
    "SpotifyArtistRef",
    "SpotifyAuthError",
    "SpotifyBadRequest",
    "SpotifyBadResponse",
    "SpotifyClient",
    "SpotifyError",
    "SpotifyForbidden",
    "SpotifyImage",
    "SpotifyItems",
    "SpotifyPlay",
    "SpotifyProfile",
    "SpotifyRateLimited",
    "SpotifyTrack",
    "SpotifyUnavailable",
    "TimeRange",
    "error_message",
    "parse_artist",
    "parse_play",
    "parse_profile",
    "parse_track",
]
