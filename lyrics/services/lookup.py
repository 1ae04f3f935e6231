"""Finding one track's lyrics over HTTP: LRCLib first, then Genius matched on title and artist.

Pure lookups (no ORM), so a pool of threads can run them while one thread stores the answers.
A source that is down (or rate-limits past the longest wait) is skipped for the rest of the run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from django.conf import settings

from lyrics.demo import demo_lyrics
from lyrics.genius import (
    GeniusClient,
    GeniusError,
    GeniusLyricsUnavailable,
    GeniusRateLimited,
    lyrics_from_html,
)
from lyrics.lrclib import LRCLibClient, LRCLibError, LRCLibRateLimited
from lyrics.models import Source, Status
from lyrics.text import has_words, lrc_parse, same_song, text_from_timed, title_normalise
from lyrics.throttle import Throttle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrackQuery:
    track_id: str
    name: str
    artist: str  # primary artist
    album: str
    duration_s: int


@dataclass(frozen=True)
class Outcome:
    """What a lookup found; ``source``/``source_id`` set for found and instrumental."""

    status: str
    source: str = ""
    source_id: str = ""
    title: str = ""
    artist: str = ""
    url: str = ""
    image_url: str = ""
    text: str = ""
    lines: list = field(default_factory=list)
    error: str = ""


class SourceState:
    """Whether a source is still worth asking in this run (thread-safe)."""

    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self.down_reason = ""

    def down(self, reason: str) -> None:
        with self._lock:
            if not self.down_reason:
                logger.warning("Lyrics source %s skipped for this run: %s", self.name, reason)
                self.down_reason = reason


@dataclass
class Sources:
    lrclib: LRCLibClient | None
    genius: GeniusClient | None
    lrclib_state: SourceState = field(default_factory=lambda: SourceState("lrclib"))
    genius_state: SourceState = field(default_factory=lambda: SourceState("genius"))
    demo: bool = False  # the demo account: bundled lyrics only, no network


def _from_lrclib(query: TrackQuery, sources: Sources) -> Outcome | None:
    state = sources.lrclib_state
    if sources.lrclib is None or state.down_reason:
        return None
    try:
        found = sources.lrclib.get(
            track_name=query.name,
            artist_name=query.artist,
            album_name=query.album,
            duration=query.duration_s,
        )
    except LRCLibRateLimited as exc:
        state.down(f"rate-limited (retry after {exc.retry_after} s)")
        return None
    except LRCLibError as exc:
        state.down(exc.message)
        return None
    if found is None:
        return Outcome(status=Status.NOT_FOUND)
    common = {
        "source": Source.LRCLIB,
        "source_id": str(found.id),
        "title": found.track_name or query.name,
        "artist": found.artist_name or query.artist,
    }
    if found.instrumental:
        return Outcome(status=Status.INSTRUMENTAL, **common)
    if not has_words(found.plain):
        return Outcome(status=Status.NOT_FOUND)
    lines = [[line.seconds, line.text] for line in found.lines]
    return Outcome(status=Status.FOUND, text=found.plain, lines=lines, **common)


def _from_genius(query: TrackQuery, sources: Sources) -> Outcome | None:
    state = sources.genius_state
    if sources.genius is None or state.down_reason:
        return None
    try:
        hits = sources.genius.search(f"{title_normalise(query.name)} {query.artist}")
        song = next(
            (h for h in hits if same_song(h.title, h.artist, query.name, query.artist)), None
        )
        if song is None:
            return Outcome(status=Status.NOT_FOUND)
        common = {
            "source": Source.GENIUS,
            "source_id": str(song.id),
            "title": song.title,
            "artist": song.artist,
            "url": song.url,
            "image_url": song.image_url or "",
        }
        if song.instrumental:
            return Outcome(status=Status.INSTRUMENTAL, **common)
        text = lyrics_from_html(sources.genius.page(song.path), title=song.title)
        return Outcome(status=Status.FOUND, text=text, **common)
    except GeniusLyricsUnavailable as exc:
        return Outcome(status=Status.UNAVAILABLE, error=exc.message)
    except GeniusRateLimited as exc:
        state.down(f"rate-limited (retry after {exc.retry_after} s)")
    except GeniusError as exc:
        state.down(exc.message)
    return None


def _from_demo(query: TrackQuery) -> Outcome:
    entry = demo_lyrics().get(query.track_id)
    if not entry:
        return Outcome(status=Status.NOT_FOUND)
    common = {
        "source": Source.DEMO,
        "source_id": query.track_id,
        "title": query.name,
        "artist": query.artist,
    }
    if entry.get("instrumental"):
        return Outcome(status=Status.INSTRUMENTAL, **common)
    timed = lrc_parse(entry.get("synced", ""))
    text = entry.get("plain") or text_from_timed(timed)
    lines = [[line.seconds, line.text] for line in timed]
    return Outcome(status=Status.FOUND, text=text, lines=lines, **common)


def track_lookup(query: TrackQuery, sources: Sources) -> Outcome:
    """LRCLib, then Genius. "Not found" only when every source answered; otherwise a source
    that could not be asked makes it "unavailable" (asked again after a day)."""
    if sources.demo:
        return _from_demo(query)
    first = _from_lrclib(query, sources)
    if first is not None and first.status != Status.NOT_FOUND:
        return first
    second = _from_genius(query, sources)
    if second is not None and second.status != Status.NOT_FOUND:
        return second
    lrclib_answered = first is not None
    genius_answered = second is not None or sources.genius is None
    if lrclib_answered and genius_answered:
        return Outcome(status=Status.NOT_FOUND)
    reasons = [s.down_reason for s in (sources.lrclib_state, sources.genius_state) if s.down_reason]
    return Outcome(status=Status.UNAVAILABLE, error="; ".join(reasons) or "no source answered")


def sources_default(*, throttled: bool = True, demo: bool = False) -> Sources:
    """LRCLib (no key) and Genius (when GENIUS_ACCESS_TOKEN is set), each with at most
    LYRICS_IN_FLIGHT requests at once and a shared pause after a 429."""
    if demo:
        return Sources(lrclib=None, genius=None, demo=True)

    def throttle():
        return Throttle(in_flight=settings.LYRICS_IN_FLIGHT) if throttled else None

    genius = GeniusClient(throttle=throttle()) if settings.GENIUS_ACCESS_TOKEN else None
    return Sources(lrclib=LRCLibClient(throttle=throttle()), genius=genius)
