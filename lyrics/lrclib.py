"""The LRCLib client: ``GET /api/get`` by track name, artist, album and duration. No key.

Built on ``personalify.http.http_session`` with a descriptive User-Agent, as LRCLib asks.
404 ("TrackNotFound") is an answer, not an error: ``get`` returns None. 429 waits
``Retry-After`` (bounded) and retries; 5xx, timeouts and connection errors retry with back-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from django.conf import settings

from personalify.http import http_session

from .retry import get_with_retries
from .text import TimedLine, lrc_parse, text_from_timed
from .throttle import Throttle


class LRCLibError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class LRCLibRateLimited(LRCLibError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, status=429)
        self.retry_after = retry_after


class LRCLibUnavailable(LRCLibError):
    """5xx, timeouts or connection errors after bounded retries, or another refusal."""


class LRCLibBadResponse(LRCLibError):
    """Not the JSON shape LRCLib documents."""


@dataclass(frozen=True)
class LRCLibLyrics:
    id: int
    track_name: str
    artist_name: str
    instrumental: bool
    plain: str  # "" when instrumental or none
    lines: list[TimedLine]  # empty unless synced lyrics were sent

    @property
    def synced(self) -> bool:
        return bool(self.lines)


def parse_lyrics(body: dict) -> LRCLibLyrics:
    if not isinstance(body, dict) or not isinstance(body.get("id"), int):
        raise LRCLibBadResponse("Unexpected LRCLib shape: no id")
    lines = lrc_parse(body.get("syncedLyrics") or "")
    plain = (body.get("plainLyrics") or "").strip() or text_from_timed(lines)
    return LRCLibLyrics(
        id=body["id"],
        track_name=str(body.get("trackName") or body.get("name") or ""),
        artist_name=str(body.get("artistName") or ""),
        instrumental=bool(body.get("instrumental")),
        plain=plain,
        lines=lines,
    )


class LRCLibClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        session: requests.Session | None = None,
        max_retry_after: float | None = None,
        max_retries: int | None = None,
        backoff: float | None = None,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = (base_url or settings.LRCLIB_URL).rstrip("/")
        self.session = session or http_session(pool_size=4)
        self.max_retry_after = (
            settings.LYRICS_MAX_RETRY_AFTER if max_retry_after is None else max_retry_after
        )
        self.max_retries = settings.LYRICS_MAX_RETRIES if max_retries is None else max_retries
        self.backoff = settings.LYRICS_RETRY_BACKOFF if backoff is None else backoff
        self.throttle = throttle
        self.sleep = sleep

    def get(
        self, *, track_name: str, artist_name: str, album_name: str, duration: int
    ) -> LRCLibLyrics | None:
        # Reference: https://lrclib.net/docs (GET /api/get)
        params = {
            "track_name": track_name,
            "artist_name": artist_name,
            "album_name": album_name,
            "duration": int(duration),
        }
        response = get_with_retries(
            self,
            f"{self.base_url}/api/get",
            name="LRCLib",
            unavailable=LRCLibUnavailable,
            rate_limited=LRCLibRateLimited,
            message_of=lambda answer: f"LRCLib answered {answer.status_code}",
            params=params,
        )
        status = response.status_code
        if status == 200:
            try:
                return parse_lyrics(response.json())
            except ValueError as exc:
                raise LRCLibBadResponse("LRCLib answered with invalid JSON") from exc
        if status == 404:
            return None
        raise LRCLibUnavailable(f"LRCLib answered {status}", status=status)
