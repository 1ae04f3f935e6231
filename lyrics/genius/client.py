"""The Genius client: the API (search, songs) and song pages, one method per endpoint.

Built on ``personalify.http.http_session`` like the Spotify client. The token goes in the
``Authorization`` header, never in a URL. 429 waits ``Retry-After`` (bounded by
``LYRICS_MAX_RETRY_AFTER``) and retries; 5xx, timeouts and connection errors retry with
exponential back-off, ``LYRICS_MAX_RETRIES`` times.

Pages come only from ``GENIUS_WEB_URL`` joined with a song's ``path`` from the API: a path that
is absolute or protocol-relative, a redirect off that host, or a body over
``GENIUS_PAGE_MAX_BYTES`` is refused (``GeniusPageRefused``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from lyrics.retry import get_with_retries
from lyrics.throttle import Throttle
from personalify.http import http_session

from .errors import (
    GeniusAuthError,
    GeniusBadResponse,
    GeniusForbidden,
    GeniusLyricsUnavailable,
    GeniusNotFound,
    GeniusPageRefused,
    GeniusRateLimited,
    GeniusUnavailable,
    error_message,
)
from .parsing import GeniusSong, parse_song

logger = logging.getLogger(__name__)

# Genius pages are fetched like a browser would; Cloudflare answers 403 more often otherwise.
PAGE_HEADERS = {
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Language": "en-US,en;q=0.8",
}
MAX_REDIRECTS = 3


def page_url(web_url: str, path: str) -> str:
    """``web_url`` joined with an API ``path``; GeniusPageRefused for anything but a path on
    that host ("/Artist-song-lyrics")."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise GeniusPageRefused(f"Refused page path {path!r}: not a path on the Genius site")
    if "\\" in path or any(ord(c) < 33 for c in path):
        raise GeniusPageRefused(f"Refused page path {path!r}")
    base = web_url.rstrip("/")
    url = base + path
    if urlsplit(url).netloc != urlsplit(base).netloc:
        raise GeniusPageRefused(f"Refused page path {path!r}: it leaves {base}")
    return url


class GeniusClient:
    """Genius's API and pages. Safe to share between threads."""

    def __init__(
        self,
        *,
        access_token: str | None = None,
        base_url: str | None = None,
        web_url: str | None = None,
        session: requests.Session | None = None,
        max_retry_after: float | None = None,
        max_retries: int | None = None,
        backoff: float | None = None,
        max_page_bytes: int | None = None,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._access_token = access_token or settings.GENIUS_ACCESS_TOKEN
        self.base_url = (base_url or settings.GENIUS_API_URL).rstrip("/")
        self.web_url = (web_url or settings.GENIUS_WEB_URL).rstrip("/")
        self.session = session or http_session(pool_size=4)
        self.max_retry_after = (
            settings.LYRICS_MAX_RETRY_AFTER if max_retry_after is None else max_retry_after
        )
        self.max_retries = settings.LYRICS_MAX_RETRIES if max_retries is None else max_retries
        self.backoff = settings.LYRICS_RETRY_BACKOFF if backoff is None else backoff
        self.max_page_bytes = max_page_bytes or settings.GENIUS_PAGE_MAX_BYTES
        self.throttle = throttle
        self.sleep = sleep

    # --- endpoints ---------------------------------------------------------------------------
    def search(self, query: str, *, per_page: int = 10) -> list[GeniusSong]:
        # Reference: https://docs.genius.com/#search-h2
        body = self._api("/search", params={"q": query, "per_page": per_page})
        try:
            hits = body["response"]["hits"]
            if not isinstance(hits, list):
                raise TypeError("hits is not a list")
        except (KeyError, TypeError) as exc:
            raise GeniusBadResponse(f"Unexpected search shape: {exc!r}") from exc
        songs = []
        for hit in hits:
            if not isinstance(hit, dict) or hit.get("type") != "song":
                continue
            try:
                songs.append(parse_song(hit.get("result")))
            except (KeyError, TypeError, ValueError) as exc:
                logger.debug("Skipped a malformed Genius hit: %r", exc)
        return songs

    def song(self, song_id: int) -> GeniusSong:
        # Reference: https://docs.genius.com/#songs-h2
        body = self._api(f"/songs/{int(song_id)}", params={"text_format": "plain"})
        try:
            return parse_song(body["response"]["song"])
        except (KeyError, TypeError, ValueError) as exc:
            raise GeniusBadResponse(f"Unexpected song shape: {exc!r}") from exc

    def page(self, path: str) -> str:
        """The HTML of the song page at ``path`` (from the API); see the module docstring.

        Reference: https://genius.com (pages are not part of the API; no lyrics in the API)."""
        url = page_url(self.web_url, path)
        host = urlsplit(self.web_url).netloc
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, headers=PAGE_HEADERS, allow_redirects=False, stream=True)
            with response:
                if response.is_redirect:
                    target = urljoin(url, response.headers.get("Location", ""))
                    if urlsplit(target).netloc != host or urlsplit(target).scheme not in (
                        "http",
                        "https",
                    ):
                        raise GeniusPageRefused(f"Refused redirect off {host}: {target}")
                    url = target
                    continue
                if response.status_code != 200:
                    challenge = response.headers.get("cf-mitigated") == "challenge"
                    raise GeniusLyricsUnavailable(
                        "Cloudflare challenge" if challenge else error_message(response),
                        status=response.status_code,
                    )
                return self._read_capped(response)
        raise GeniusPageRefused("Too many redirects")

    # --- plumbing ----------------------------------------------------------------------------
    def _read_capped(self, response: requests.Response) -> str:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_page_bytes:
            raise GeniusPageRefused(f"Page of {declared} bytes is over the cap")
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_page_bytes:
                raise GeniusPageRefused(f"Page over the cap of {self.max_page_bytes} bytes")
            chunks.append(chunk)
        raw = b"".join(chunks)
        return raw.decode(response.encoding or "utf-8", errors="replace")

    def _api(self, path: str, *, params: dict | None = None) -> Any:
        if not self._access_token:
            raise GeniusAuthError("GENIUS_ACCESS_TOKEN is not set", status=401)
        response = self._send(
            f"{self.base_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {self._access_token}"},
        )
        status = response.status_code
        if status < 300:
            try:
                return response.json()
            except ValueError as exc:
                raise GeniusBadResponse("Genius answered with invalid JSON") from exc
        message = error_message(response)
        if status == 401:
            raise GeniusAuthError(message, status=status)
        if status == 403:
            raise GeniusForbidden(message, status=status)
        if status == 404:
            raise GeniusNotFound(message, status=status)
        raise GeniusBadResponse(message, status=status)

    def _send(self, url: str, **kwargs) -> requests.Response:
        """One GET with the bounded retries: 429 (Retry-After), 5xx, timeouts, connections."""
        return get_with_retries(
            self,
            url,
            name="Genius",
            unavailable=GeniusUnavailable,
            rate_limited=GeniusRateLimited,
            message_of=error_message,
            **kwargs,
        )
