"""The Spotify Web API client: one method per endpoint, dataclasses out, typed errors.

Built on ``personalify.http.http_session``. Retries that need domain knowledge live here:
429 waits ``Retry-After`` (bounded by ``SPOTIFY_MAX_RETRY_AFTER``) and retries; 5xx, timeouts and
connection errors retry with exponential back-off; a 401 calls the ``refresh`` callback once
(serialized across threads) and retries once. Both the full response shapes and the 2026
development-mode shapes (no popularity/followers/genres, null preview_url) parse. In a list, an
item without an id or a name is skipped and counted (``SpotifyItems.skipped``) rather than failing
the whole list; a list with no usable item at all is a ``SpotifyBadResponse``.
The client never touches the ORM: token lookup and refresh live in ``accounts.services``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import requests
from django.conf import settings

from personalify.http import http_session

logger = logging.getLogger(__name__)

TIME_RANGES = ("short_term", "medium_term", "long_term")
MAX_LIMIT = 50
MAX_ID_LENGTH = 64  # the catalogue's keys; Spotify's ids are 22 characters
T = TypeVar("T")
NOT_REGISTERED_HINT = "may not be registered"


# --- Results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpotifyImage:
    url: str
    height: int | None
    width: int | None


@dataclass(frozen=True)
class SpotifyArtistRef:
    id: str
    name: str
    url: str


@dataclass(frozen=True)
class SpotifyArtist:
    id: str
    name: str
    url: str
    images: tuple[SpotifyImage, ...]
    genres: tuple[str, ...] | None  # None: Spotify sent no "genres" key; (): unclassified
    popularity: int | None
    followers: int | None


@dataclass(frozen=True)
class SpotifyAlbum:
    id: str
    name: str
    album_type: str
    release_date: str
    release_date_precision: str
    images: tuple[SpotifyImage, ...]
    url: str


@dataclass(frozen=True)
class SpotifyTrack:
    id: str
    name: str
    url: str
    duration_ms: int
    explicit: bool
    popularity: int | None
    preview_url: str | None
    album: SpotifyAlbum
    artists: tuple[SpotifyArtistRef, ...]


@dataclass(frozen=True)
class SpotifyProfile:
    id: str
    display_name: str
    email: str | None
    images: tuple[SpotifyImage, ...]


@dataclass(frozen=True)
class SpotifyPlay:
    track: SpotifyTrack
    played_at: datetime
    context_uri: str | None


class SpotifyItems(list[T], Generic[T]):
    """The parsed items of a list answer. ``skipped``: items left out because they were
    malformed (no id or name, an unusable credit); the rest of the list is still good."""

    skipped: int = 0


# --- Errors ---------------------------------------------------------------------------------
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


# --- Parsing --------------------------------------------------------------------------------
def _images(data: list | None) -> tuple[SpotifyImage, ...]:
    return tuple(
        SpotifyImage(url=i["url"], height=i.get("height"), width=i.get("width")) for i in data or ()
    )


def _url(data: dict) -> str:
    return (data.get("external_urls") or {}).get("spotify") or ""


def _text(data: dict, key: str, *, max_length: int | None = None) -> str:
    """A field the catalogue cannot do without: a non-empty string (ValueError otherwise)."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} is {value!r}, not a non-empty string")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{key!r} is longer than {max_length} characters")
    return value


def _id(data: dict) -> str:
    return _text(data, "id", max_length=MAX_ID_LENGTH)


def parse_artist(data: dict) -> SpotifyArtist:
    genres = data.get("genres")
    followers = data.get("followers")
    return SpotifyArtist(
        id=_id(data),
        name=_text(data, "name"),
        url=_url(data),
        images=_images(data.get("images")),
        genres=None if genres is None else tuple(genres),
        popularity=data.get("popularity"),
        followers=followers.get("total") if isinstance(followers, dict) else None,
    )


def _artist_ref(data: dict) -> SpotifyArtistRef:
    return SpotifyArtistRef(id=_id(data), name=_text(data, "name"), url=_url(data))


def parse_track(data: dict) -> SpotifyTrack:
    album = data["album"]
    if not isinstance(album, dict):
        raise TypeError(f"'album' is {album!r}, not an object")
    # The album is descriptive: missing album fields are stored empty, the track is kept.
    return SpotifyTrack(
        id=_id(data),
        name=_text(data, "name"),
        url=_url(data),
        duration_ms=int(data["duration_ms"]),
        explicit=bool(data.get("explicit", False)),
        popularity=data.get("popularity"),
        preview_url=data.get("preview_url"),
        album=SpotifyAlbum(
            id=album.get("id") or "",
            name=album.get("name") or "",
            album_type=album.get("album_type") or "album",
            release_date=album.get("release_date") or "",
            release_date_precision=album.get("release_date_precision") or "day",
            images=_images(album.get("images")),
            url=_url(album),
        ),
        artists=tuple(_artist_ref(a) for a in data["artists"]),
    )


def parse_profile(data: dict) -> SpotifyProfile:
    return SpotifyProfile(
        id=data["id"],
        display_name=data.get("display_name") or "",
        email=data.get("email") or None,
        images=_images(data.get("images")),
    )


def parse_play(data: dict) -> SpotifyPlay:
    context = data.get("context") or {}
    return SpotifyPlay(
        track=parse_track(data["track"]),
        played_at=datetime.fromisoformat(data["played_at"].replace("Z", "+00:00")),
        context_uri=context.get("uri"),
    )


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


def _retry_after(response: requests.Response) -> int:
    try:
        return max(int(float(response.headers.get("Retry-After", "1"))), 0)
    except ValueError:
        return 1


# --- Client ---------------------------------------------------------------------------------
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

    def recently_played(self, *, limit: int = MAX_LIMIT) -> SpotifyItems[SpotifyPlay]:
        # Reference: https://developer.spotify.com/documentation/web-api/reference/get-recently-played
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1..{MAX_LIMIT}")
        body = self._get("/me/player/recently-played", params={"limit": limit})
        return self._parse_items(parse_play, body)

    # --- plumbing ----------------------------------------------------------------------------
    @staticmethod
    def _top_params(time_range: str, limit: int) -> dict[str, Any]:
        if time_range not in TIME_RANGES:
            raise ValueError(f"time_range must be one of {TIME_RANGES}")
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
