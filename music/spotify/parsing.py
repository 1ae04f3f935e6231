"""Spotify's JSON answers parsed into frozen dataclasses.

Both the full response shapes and the 2026 development-mode shapes (no popularity/followers/
genres, null preview_url) parse. A field the catalogue cannot do without (an id, a name) raises
ValueError; the client turns that into a skipped item or a ``SpotifyBadResponse``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

MAX_ID_LENGTH = 64  # the catalogue's keys; Spotify's ids are 22 characters
T = TypeVar("T")


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
    malformed (no id or name, an unusable credit); the rest of the list is still good.
    ``cleaned``: items kept after text PostgreSQL cannot store was cleaned out of them."""

    skipped: int = 0
    cleaned: int = 0


# NUL and the other control characters (PostgreSQL refuses NUL in text; the rest only garble a
# page), and UTF-16 surrogates with no partner (they cannot be encoded as UTF-8 at all).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# What the JSON text of a value shows (ASCII escapes) when one of its strings may need
# cleaning: a control character other than tab, newline and carriage return (\b, \f, \u00XX,
# \u007f) or a surrogate (a lone one, or half of a pair: a false alarm only costs the full walk).
_ESCAPED_UNCLEAN = re.compile(r"\\(?:[bf]|u00[01][0-9a-f]|u007f|ud[89a-f])")


def strings_clean(data):
    """``(data, n)``: the JSON value with every string cleaned of control characters (removed)
    and lone surrogates (replaced by U+FFFD), and how many strings were changed.

    Clean values (nearly all) are returned as they are after one scan of their JSON text in C:
    walking every string of a 50-track answer in Python held the GIL for ~10 ms, serialising the
    sync's concurrent fetches."""
    if isinstance(data, dict | list):
        try:
            text = json.dumps(data)
        except (TypeError, ValueError):
            text = "\\b"  # not JSON text (never from a response): walk it
        if _ESCAPED_UNCLEAN.search(text) is None:
            return data, 0
    return _strings_clean(data)


def _strings_clean(data):
    if isinstance(data, str):
        cleaned = _SURROGATE.sub("\ufffd", _CONTROL.sub("", data))
        return cleaned, int(cleaned != data)
    if isinstance(data, dict):
        changed = 0
        out = {}
        for key, value in data.items():
            out[key], n = _strings_clean(value)
            changed += n
        return out, changed
    if isinstance(data, list):
        changed = 0
        out_list = []
        for value in data:
            value, n = _strings_clean(value)
            out_list.append(value)
            changed += n
        return out_list, changed
    return data, 0


def _images(data: list | None) -> tuple[SpotifyImage, ...]:
    return tuple(
        SpotifyImage(url=i["url"], height=i.get("height"), width=i.get("width"))
        for i in data or ()
        if isinstance(i.get("url"), str) and i["url"].startswith(("https://", "http://"))
    )


def _url(data: dict) -> str:
    """The item's Spotify link; only https links, since pages put it in an href."""
    url = (data.get("external_urls") or {}).get("spotify") or ""
    return url if isinstance(url, str) and url.startswith("https://") else ""


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
