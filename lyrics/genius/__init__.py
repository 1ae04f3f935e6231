"""Genius: the API client (search, songs, pages), its answers and errors, and the page scraper.
Import from here: ``from lyrics.genius import GeniusClient, lyrics_from_html, ...``."""

from .client import GeniusClient, page_url
from .errors import (
    UNAVAILABLE_MESSAGE,
    GeniusAuthError,
    GeniusBadResponse,
    GeniusError,
    GeniusForbidden,
    GeniusLyricsUnavailable,
    GeniusNotFound,
    GeniusPageRefused,
    GeniusRateLimited,
    GeniusUnavailable,
)
from .parsing import GeniusSong, parse_song
from .scraper import lyrics_from_html

__all__ = [
    "UNAVAILABLE_MESSAGE",
    "GeniusAuthError",
    "GeniusBadResponse",
    "GeniusClient",
    "GeniusError",
    "GeniusForbidden",
    "GeniusLyricsUnavailable",
    "GeniusNotFound",
    "GeniusPageRefused",
    "GeniusRateLimited",
    "GeniusSong",
    "GeniusUnavailable",
    "lyrics_from_html",
    "page_url",
    "parse_song",
]
