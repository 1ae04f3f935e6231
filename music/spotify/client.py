"""The Spotify Web API client: one method per endpoint, dataclasses out, typed errors.

Built on ``personalify.http.http_session``. Retries that need domain knowledge live here:
429 waits ``Retry-After`` (bounded by ``SPOTIFY_MAX_RETRY_AFTER``) and retries; 5xx, timeouts and
connection errors retry with exponential back-off; a 401 calls the ``refresh`` callback once
(serialized across threads) and retries once. In a list, an item without an id or a name is
skipped and counted (``SpotifyItems.skipped``) rather than failing the whole list; a list with no
usable item at all is a ``SpotifyBadResponse``.
The client never touches the ORM: token lookup and refresh live in ``accounts.services``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings

from personalify.http import http_session

from .errors import (
    SpotifyAuthError,
    SpotifyBadRequest,
    SpotifyBadResponse,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    error_message,
)
from .parsing import (
    SpotifyArtist,
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

logger = logging.getLogger(__name__)

MAX_LIMIT = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _retry_after(response: requests.Response) -> int:
    try:
        return max(int(float(response.headers.get("Retry-After", "1"))), 0)
    except ValueError:
        return 1


class SpotifyClient:
    """A user's view of the Web API. Safe to share between threads of one sync."""

    def __init__(
        self,
        *,
        access_token: str,
        refresh: Callable[[], str] | None = None,
        base_url: str | None = None,
        session: requests.Session | None = None,
        max_retry_after: float | None = None,
        max_retries: int | None = None,
        backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._access_token = access_token
        self._refresh = refresh
        self._refresh_lock = threading.Lock()
        self.base_url = (base_url or settings.SPOTIFY_API_URL).rstrip("/")
        self.session = session or http_session()
        self.max_retry_after = (
            settings.SPOTIFY_MAX_RETRY_AFTER if max_retry_after is None else max_retry_after
        )
        self.max_retries = settings.SPOTIFY_MAX_RETRIES if max_retries is None else max_retries
        self.backoff = settings.SPOTIFY_RETRY_BACKOFF if backoff is None else backoff
        self.sleep = sleep

    # --- endpoints ---------------------------------------------------------------------------
    def me(self) -> SpotifyProfile:
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile
        return self._parse(parse_profile, self._get("/me"))

    def top_artists(
        self, *, time_range: str, limit: int = MAX_LIMIT
    ) -> SpotifyItems[SpotifyArtist]:
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-users-top-artists-and-tracks
        body = self._get("/me/top/artists", params=self._top_params(time_range, limit))
        return self._parse_items(parse_artist, body)

    def top_tracks(self, *, time_range: str, limit: int = MAX_LIMIT) -> SpotifyItems[SpotifyTrack]:
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-users-top-artists-and-tracks
        body = self._get("/me/top/tracks", params=self._top_params(time_range, limit))
        return self._parse_items(parse_track, body)

    def recently_played(
        self, *, limit: int = MAX_LIMIT, after: datetime | None = None
    ) -> SpotifyItems[SpotifyPlay]:
        """The last plays, newest first; with ``after``, only the plays after that moment
        (Spotify's ``after`` cursor, in Unix milliseconds, not included)."""
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-recently-played
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}")
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = (after - EPOCH) // timedelta(milliseconds=1)  # exact, no float
        body = self._get("/me/player/recently-played", params=params)
        return self._parse_items(parse_play, body)

    # --- plumbing ----------------------------------------------------------------------------
    @staticmethod
    def _top_params(time_range: str, limit: int) -> dict[str, Any]:
        if time_range not in TimeRange.values:
            raise ValueError(f"time_range must be one of {TimeRange.values}")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}")
        return {"time_range": time_range, "limit": limit, "offset": 0}

    @staticmethod
    def _parse(parser, data):
        try:
            return parser(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SpotifyBadResponse(f"Unexpected response shape: {exc!r}") from exc

    def _parse_items(self, parser, body) -> SpotifyItems:
        """Parse each item; a malformed one is skipped and counted, not fatal to the list.

        A list in which no item parses is not Spotify's documented shape: SpotifyBadResponse.
        """
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise SpotifyBadResponse("Unexpected response shape: no items list")
        parsed = SpotifyItems()
        problem = None
        for item in body["items"]:
            try:
                parsed.append(self._parse(parser, item))
            except SpotifyBadResponse as exc:
                parsed.skipped += 1
                problem = problem or exc
        if problem is not None and not parsed:
            raise problem
        if problem is not None:
            logger.debug("Skipped %d malformed item(s), e.g. %s", parsed.skipped, problem)
        return parsed

    def _fresh_token(self, rejected: str) -> str:
        """A new access token after ``rejected`` got a 401; concurrent 401s refresh once."""
        with self._refresh_lock:
            if self._access_token == rejected:
                self._access_token = self._refresh()
            return self._access_token

    def _get(self, path: str, *, params: dict | None = None) -> Any:
        url = f"{self.base_url}{path}"
        refreshed = False
        rate_limited = failures = 0
        while True:
            token = self._access_token
            try:
                response = self.session.get(
                    url, params=params, headers={"Authorization": f"Bearer {token}"}
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                failures += 1
                logger.info(
                    "Spotify GET %s failed (%s), attempt %d", path, type(exc).__name__, failures
                )
                if failures > self.max_retries:
                    raise SpotifyUnavailable(
                        f"Spotify did not answer: {type(exc).__name__}"
                    ) from exc
                self.sleep(self.backoff * 2 ** (failures - 1))
                continue
            status = response.status_code
            logger.debug("Spotify GET %s -> %d", path, status)
            if status < 300:
                try:
                    return response.json()
                except ValueError as exc:
                    raise SpotifyBadResponse("Spotify answered with invalid JSON") from exc
            message = error_message(response)
            if status == 401:
                if refreshed or self._refresh is None:
                    raise SpotifyAuthError(message, status=status)
                refreshed = True
                self._fresh_token(token)
                continue
            if status == 429:
                wait = _retry_after(response)
                rate_limited += 1
                if wait > self.max_retry_after or rate_limited > self.max_retries:
                    raise SpotifyRateLimited(message, retry_after=wait)
                logger.info("Spotify rate limit on %s: waiting %ss", path, wait)
                self.sleep(wait)
                continue
            if status >= 500:
                failures += 1
                if failures > self.max_retries:
                    raise SpotifyUnavailable(message, status=status)
                self.sleep(self.backoff * 2 ** (failures - 1))
                continue
            if status == 403:
                raise SpotifyForbidden(message, status=status)
            raise SpotifyBadRequest(message, status=status)
