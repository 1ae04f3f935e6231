"""The Spotify client's errors, one per way a request can fail, and Spotify's own message."""

from __future__ import annotations

import requests

NOT_REGISTERED_HINT = "may not be registered"


class SpotifyError(Exception):
    """Spotify refused or failed a request; ``message`` is Spotify's own when it sent one."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class SpotifyAuthError(SpotifyError):
    """401 that survived one refresh and retry (or no way to refresh)."""


class SpotifyForbidden(SpotifyError):
    """403; ``not_allow_listed`` when a dev-mode app's owner has not added this user."""

    def __init__(self, message: str, *, status: int | None = 403):
        super().__init__(message, status=status)
        self.not_allow_listed = NOT_REGISTERED_HINT in message.lower()


class SpotifyBadRequest(SpotifyError):
    """Another 4xx (400, 404, ...): a request Spotify will not answer as asked."""


class SpotifyRateLimited(SpotifyError):
    """429 still after the bounded waits; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int, status: int | None = 429):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class SpotifyUnavailable(SpotifyError):
    """5xx, timeouts or connection errors after bounded retries."""


class SpotifyBadResponse(SpotifyError):
    """The answer was not the JSON shape Spotify documents."""


def error_message(response: requests.Response) -> str:
    """Spotify's message from a JSON error (API or token shape) or a plain-text body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return str(body.get("error_description") or error)
    text = response.text.strip()
    return text[:500] if text else f"HTTP {response.status_code} {response.reason or ''}".strip()
