"""The Genius client's errors, one per way a request can fail."""

from __future__ import annotations

import requests

UNAVAILABLE_MESSAGE = "Lyrics are not available from Genius right now"


class GeniusError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class GeniusAuthError(GeniusError):
    """401: the access token is missing, expired or wrong."""


class GeniusForbidden(GeniusError):
    """403 from the API."""


class GeniusNotFound(GeniusError):
    """404: no such song."""


class GeniusRateLimited(GeniusError):
    """429 still after the bounded waits; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int, status: int | None = 429):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class GeniusUnavailable(GeniusError):
    """5xx, timeouts or connection errors after bounded retries."""


class GeniusBadResponse(GeniusError):
    """The answer was not the shape Genius documents."""


class GeniusLyricsUnavailable(GeniusError):
    """The song page gave no lyrics: a Cloudflare challenge (403), a page without lyrics,
    markup that parses to nothing, or a page we refuse to fetch (``GeniusPageRefused``)."""


class GeniusPageRefused(GeniusLyricsUnavailable):
    """A page URL off the Genius host, a redirect away from it, or a body over the size cap."""


def error_message(response: requests.Response) -> str:
    """Genius's message: ``meta.message``, OAuth's ``error_description``, or the status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        meta = body.get("meta")
        if isinstance(meta, dict) and meta.get("message"):
            return str(meta["message"])
        if body.get("error_description") or body.get("error"):
            return str(body.get("error_description") or body.get("error"))
    return f"HTTP {response.status_code} {response.reason or ''}".strip()
