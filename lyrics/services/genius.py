"""Genius search and the lyrics of a Genius song, for the search page and the song page."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from django.conf import settings
from django.utils import timezone

from lyrics.genius import (
    GeniusClient,
    GeniusLyricsUnavailable,
    GeniusSong,
    lyrics_from_html,
    page_url,
)
from lyrics.models import Lyrics, Source, Status
from personalify.cache import cache_get, cache_set
from personalify.ratelimit import rate_limit_hit

from .store import retry_at_from

SEARCH_TTL = 24 * 60 * 60
MAX_QUERY_CHARS = 200


def search_cache_key(query: str) -> str:
    digest = hashlib.sha256(" ".join(query.lower().split()).encode()).hexdigest()[:32]
    return f"lyrics:search:{digest}"


def genius_search(*, query: str, client: GeniusClient | None = None) -> list[GeniusSong]:
    """Genius's song hits for ``query`` (kept a day in the cache). Raises the GeniusError
    subclasses; ValueError for an empty or too long query."""
    query = " ".join((query or "").split())
    if not query:
        raise ValueError("Type a song title or an artist.")
    if len(query) > MAX_QUERY_CHARS:
        raise ValueError(f"Keep the search under {MAX_QUERY_CHARS} characters.")
    key = search_cache_key(query)
    cached = cache_get(key)
    if isinstance(cached, list):
        try:
            return [GeniusSong(**hit) for hit in cached]
        except TypeError:
            pass  # an older shape: ask again
    songs = (client or GeniusClient()).search(query)
    cache_set(key, [asdict(s) for s in songs], SEARCH_TTL)
    return songs


def genius_lyrics_get(*, song_id: int, client: GeniusClient | None = None) -> Lyrics:
    """The stored lyrics of a Genius song, fetched (API song, then its page) when not stored
    or when an earlier "unavailable" is past its retry time. A page without lyrics is stored as
    unavailable (no text); API errors (GeniusNotFound, GeniusAuthError, ...) propagate."""
    now = timezone.now()
    stored = Lyrics.objects.filter(source=Source.GENIUS, source_id=str(song_id)).first()
    if stored and (stored.status != Status.UNAVAILABLE or (stored.retry_at or now) > now):
        return stored
    client = client or GeniusClient()
    song = client.song(song_id)
    fields = {
        "title": song.title,
        "artist": song.artist,
        "url": song.url,
        "image_url": song.image_url or "",
        "fetched_at": now,
    }
    try:
        if song.instrumental:
            fields.update(status=Status.INSTRUMENTAL, text="", error="", retry_at=None)
        else:
            text = lyrics_from_html(client.page(song.path), title=song.title)
            fields.update(status=Status.FOUND, text=text, error="", retry_at=None)
    except GeniusLyricsUnavailable as exc:
        fields.update(status=Status.UNAVAILABLE, text="", error=exc.message[:500])
        fields["retry_at"] = retry_at_from(now)
    lyrics, _ = Lyrics.objects.update_or_create(
        source=Source.GENIUS, source_id=str(song.id), defaults={**fields, "lines": []}
    )
    return lyrics


def genius_page_link(path_or_url: str) -> str:
    """The genius.com link shown to a reader ("" when it is not a page on GENIUS_WEB_URL)."""
    if path_or_url.startswith(settings.GENIUS_WEB_URL.rstrip("/") + "/"):
        return path_or_url
    try:
        return page_url(settings.GENIUS_WEB_URL, path_or_url)
    except GeniusLyricsUnavailable:
        return ""


def lyrics_rate_limit_hit(*, user_id: int) -> bool:
    """One Genius search or page fetch for the user; True when over LYRICS_RATE_LIMIT a minute."""
    return rate_limit_hit(key=f"lyrics:{user_id}", limit=settings.LYRICS_RATE_LIMIT)
