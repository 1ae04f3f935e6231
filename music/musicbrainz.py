"""The MusicBrainz client: a Spotify artist's MusicBrainz artist, and that artist's genres.

Open data, no key. Their rules: a meaningful User-Agent (settings.MUSICBRAINZ_USER_AGENT) and at
most one request a second per client address, so every request first claims its moment from
``personalify.ratelimit.spacing_wait`` (shared by every process of the site through Redis). A 503
or 429 pauses that shared clock for its Retry-After, then retries (bounded); a longer wait than
settings.MUSICBRAINZ_MAX_RETRY_AFTER raises ``MusicBrainzRateLimited`` for the caller to come back
later. 404 is an answer ("no artist links that URL"), not an error.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from django.conf import settings

from personalify.cache import CacheUnavailable
from personalify.http import http_session
from personalify.ratelimit import spacing_pause, spacing_wait

SPACING_KEY = "musicbrainz"  # one clock for the whole site
SPOTIFY_ARTIST_URL = "https://open.spotify.com/artist/{id}"


class MusicBrainzError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class MusicBrainzRateLimited(MusicBrainzError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, status=503)
        self.retry_after = retry_after


class MusicBrainzUnavailable(MusicBrainzError):
    """No answer (timeouts, connection errors, the shared rate clock down) or 5xx after bounded
    retries, or another refusal."""


class MusicBrainzBadResponse(MusicBrainzError):
    """Not the JSON shape MusicBrainz documents."""


@dataclass(frozen=True)
class MusicBrainzArtistRef:
    mbid: str
    name: str


@dataclass(frozen=True)
class MusicBrainzGenre:
    name: str
    count: int  # votes


@dataclass(frozen=True)
class MusicBrainzArtist:
    mbid: str
    name: str
    genres: tuple[MusicBrainzGenre, ...]  # most votes first


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError as exc:
        raise MusicBrainzBadResponse("MusicBrainz answered with invalid JSON") from exc
    if not isinstance(body, dict):
        raise MusicBrainzBadResponse("MusicBrainz answered with JSON that is not an object")
    return body


def parse_url_artist(body: dict) -> MusicBrainzArtistRef | None:
    """The one artist a URL entity's relations name; None when none does. Several distinct
    artists on one Spotify URL (an error in the data) is not a match we can defend: None."""
    relations = body.get("relations")
    if not isinstance(relations, list):
        raise MusicBrainzBadResponse("Unexpected MusicBrainz URL shape: no relations")
    artists = {}
    for relation in relations:
        if not isinstance(relation, dict) or relation.get("target-type") != "artist":
            continue
        artist = relation.get("artist")
        if not isinstance(artist, dict) or not isinstance(artist.get("id"), str):
            raise MusicBrainzBadResponse("Unexpected MusicBrainz relation shape: no artist id")
        artists[artist["id"]] = MusicBrainzArtistRef(
            mbid=artist["id"], name=str(artist.get("name") or "")
        )
    return next(iter(artists.values())) if len(artists) == 1 else None


def parse_artist(body: dict) -> MusicBrainzArtist:
    genres = body.get("genres", [])
    if not isinstance(body.get("id"), str) or not isinstance(genres, list):
        raise MusicBrainzBadResponse("Unexpected MusicBrainz artist shape")
    parsed = []
    for genre in genres:
        if not isinstance(genre, dict) or not isinstance(genre.get("name"), str):
            raise MusicBrainzBadResponse("Unexpected MusicBrainz genre shape")
        count = genre.get("count")
        parsed.append(
            MusicBrainzGenre(name=genre["name"], count=count if isinstance(count, int) else 0)
        )
    parsed.sort(key=lambda g: (-g.count, g.name))
    return MusicBrainzArtist(
        mbid=body["id"], name=str(body.get("name") or ""), genres=tuple(parsed)
    )


def retry_after(response: requests.Response) -> int:
    """Seconds the answer asks to wait (1 when it does not say or says nonsense)."""
    try:
        return max(int(float(response.headers.get("Retry-After", "1"))), 1)
    except ValueError:
        return 1


class MusicBrainzClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        session: requests.Session | None = None,
        min_interval: float | None = None,
        max_retry_after: float | None = None,
        max_retries: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = (base_url or settings.MUSICBRAINZ_URL).rstrip("/")
        self.session = session or http_session(
            pool_size=1, user_agent=settings.MUSICBRAINZ_USER_AGENT
        )
        self.session.headers["Accept"] = "application/json"
        self.min_interval = (
            settings.MUSICBRAINZ_MIN_INTERVAL if min_interval is None else min_interval
        )
        self.max_retry_after = (
            settings.MUSICBRAINZ_MAX_RETRY_AFTER if max_retry_after is None else max_retry_after
        )
        self.max_retries = settings.MUSICBRAINZ_MAX_RETRIES if max_retries is None else max_retries
        self.sleep = sleep

    def artist_for_spotify(self, *, spotify_id: str) -> MusicBrainzArtistRef | None:
        """The MusicBrainz artist whose URL relationships link this Spotify artist; None when
        no artist does (404)."""
        # Reference: https://musicbrainz.org/doc/MusicBrainz_API#Lookups (url, inc=artist-rels)
        response = self._get(
            "/ws/2/url",
            params={
                "resource": SPOTIFY_ARTIST_URL.format(id=spotify_id),
                "inc": "artist-rels",
                "fmt": "json",
            },
        )
        if response.status_code == 404:
            return None
        return parse_url_artist(_json(response))

    def artist_genres(self, *, mbid: str) -> MusicBrainzArtist | None:
        """The artist with its curated genres (votes); None when the artist is gone (404)."""
        # Reference: https://musicbrainz.org/doc/MusicBrainz_API#inc= (artist, inc=genres)
        response = self._get(f"/ws/2/artist/{mbid}", params={"inc": "genres", "fmt": "json"})
        if response.status_code == 404:
            return None
        return parse_artist(_json(response))

    def _wait_turn(self) -> None:
        try:
            spacing_wait(key=SPACING_KEY, interval=self.min_interval, sleep=self.sleep)
        except CacheUnavailable as exc:
            # Without the shared clock every worker would send at its own pace: wait instead.
            raise MusicBrainzUnavailable(
                "The site-wide MusicBrainz rate limit (Redis) is unavailable"
            ) from exc

    def _get(self, path: str, *, params: dict) -> requests.Response:
        """One GET on the site's shared clock; 200 and 404 are returned, 503/429 wait their
        Retry-After (bounded), anything else raises."""
        limited = failures = 0
        while True:
            self._wait_turn()
            try:
                response = self.session.get(f"{self.base_url}{path}", params=params)
            except (requests.Timeout, requests.ConnectionError) as exc:
                # http_session already retried the connection: the service (or the network)
                # is down; the caller stops its run instead of waiting on every artist.
                raise MusicBrainzUnavailable(
                    f"MusicBrainz did not answer: {type(exc).__name__}"
                ) from exc
            status = response.status_code
            if status in (200, 404):
                return response
            response.close()
            if status in (429, 503):
                wait = retry_after(response)
                limited += 1
                with contextlib.suppress(CacheUnavailable):  # the next claim fails and says so
                    spacing_pause(key=SPACING_KEY, seconds=wait)
                if wait > self.max_retry_after or limited > self.max_retries:
                    raise MusicBrainzRateLimited(
                        f"MusicBrainz asked to wait {wait} s", retry_after=wait
                    )
                continue
            if status >= 500 and failures < self.max_retries:
                failures += 1
                continue  # the shared clock spaces the retry
            raise MusicBrainzUnavailable(f"MusicBrainz answered {status}", status=status)
