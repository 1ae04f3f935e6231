"""Genius API answers as dataclasses. Fields are read with ``.get()``: older answers lack some."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GeniusSong:
    id: int
    title: str
    artist: str  # the primary artist
    full_title: str
    path: str  # "/Artist-song-lyrics": the page, joined to GENIUS_WEB_URL by the scraper
    url: str
    image_url: str | None
    instrumental: bool = False
    lyrics_state: str = ""
    release_date: str = ""


def _web(url: object) -> str:
    """A link we may show: http(s) only (never a ``javascript:`` URL in a page)."""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""


def parse_song(data: dict) -> GeniusSong:
    if not isinstance(data, dict):
        raise TypeError("song is not an object")
    song_id = data["id"]
    if not isinstance(song_id, int) or isinstance(song_id, bool):
        raise ValueError(f"song id {song_id!r} is not an integer")
    primary = data.get("primary_artist") or {}
    artist = primary.get("name") or data.get("primary_artist_names") or data.get("artist_names")
    title = data.get("title") or ""
    if not title:
        raise ValueError("song without a title")
    return GeniusSong(
        id=song_id,
        title=title.replace("\u00a0", " "),
        artist=(artist or "").replace("\u00a0", " "),
        full_title=(data.get("full_title") or title).replace("\u00a0", " "),
        path=str(data.get("path") or ""),
        url=_web(data.get("url")),
        image_url=_web(data.get("song_art_image_thumbnail_url"))
        or _web(data.get("header_image_thumbnail_url"))
        or None,
        instrumental=bool(data.get("instrumental")),
        lyrics_state=str(data.get("lyrics_state") or ""),
        release_date=str(data.get("release_date_for_display") or ""),
    )
