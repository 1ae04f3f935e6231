"""Deterministic Spotify-shaped catalogue for the fake Spotify, in the Web API's JSON shapes.

Same arguments, same JSON: tests can assert on names and orderings. Each time range ranks a
different selection of one shared pool, so short vs medium term has rises, falls and new entries.
"""

from __future__ import annotations

import hashlib
import random
import string
from datetime import UTC, datetime, timedelta

TIME_RANGES = ("short_term", "medium_term", "long_term")
GENRES = (
    "indie rock",
    "modern rock",
    "shoegaze",
    "dream pop",
    "synthpop",
    "art pop",
    "hip hop",
    "neo soul",
    "jazz",
    "ambient",
    "electronica",
    "folk",
    "singer-songwriter",
    "post-punk",
    "k-pop",
)
_ADJECTIVES = (
    "Velvet",
    "Neon",
    "Silver",
    "Hollow",
    "Paper",
    "Quiet",
    "Golden",
    "Crimson",
    "Electric",
    "Lunar",
    "Wild",
    "Glass",
    "Midnight",
    "Static",
    "Northern",
    "Amber",
)
_NOUNS = (
    "Static",
    "Harbor",
    "Echo",
    "Tigers",
    "Satellites",
    "Gardens",
    "Machines",
    "Rivers",
    "Ghosts",
    "Parade",
    "Signal",
    "Horizon",
    "Foxes",
    "Atlas",
    "Choir",
    "Lanterns",
)
_WORDS = (
    "Hearts",
    "Bloom",
    "Frequency",
    "Summer",
    "Low",
    "Tide",
    "Weather",
    "Light",
    "Run",
    "Falling",
    "Home",
    "Fever",
    "Blue",
    "Waves",
    "Dust",
    "Gold",
    "Night",
    "Rain",
)
_BASE62 = string.digits + string.ascii_letters
PLAYED_AT_START = datetime(2026, 11, 20, 18, 4, 11, 512000, tzinfo=UTC)


def spotify_id(seed: str) -> str:
    """A 22-character base62 id, stable for a seed (Spotify ids look like this)."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(_BASE62[rest])
    return "".join(chars)


def _images(kind: str, ident: str, sizes=(640, 300, 64)) -> list[dict]:
    prefix = {"artist": "ab6761610000", "album": "ab67616d0000", "user": "ab6775700000"}[kind]
    return [
        {
            "url": f"https://i.scdn.co/image/{prefix}{size:04d}{ident[:16].lower()}",
            "height": size,
            "width": size,
        }
        for size in sizes
    ]


def _urls(kind: str, ident: str) -> dict:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{ident}"},
        "href": f"https://api.spotify.com/v1/{kind}s/{ident}",
        "id": ident,
        "type": kind,
        "uri": f"spotify:{kind}:{ident}",
    }


class Catalogue:
    """``n_items`` artists and tracks per time range, drawn from a pool of about 1.5 n."""

    def __init__(
        self,
        *,
        n_items: int = 20,
        dev_mode: bool = False,
        seed: str = "personalify",
        user_id: str = "testuser123",
        display_name: str | None = "Test User",
    ):
        self.n_items = n_items
        self.dev_mode = dev_mode
        self.seed = seed
        self.user_id = user_id
        self.display_name = display_name
        pool_size = max(n_items + n_items // 2, n_items + 1)
        self.artists = [self._artist(i) for i in range(pool_size)]
        self.tracks = [self._track(i) for i in range(pool_size)]

    # --- objects ---------------------------------------------------------------------------
    def _artist(self, i: int) -> dict:
        rnd = random.Random(f"{self.seed}:artist:{i}")
        name = f"The {_ADJECTIVES[i % 16]} {_NOUNS[(i // 16 + i * 7) % 16]}"
        if i >= 256:
            name += f" {i // 256 + 1}"
        ident = spotify_id(f"{self.seed}:artist:{i}")
        artist = {**_urls("artist", ident), "images": _images("artist", ident), "name": name}
        if not self.dev_mode:
            # Every 7th artist is "not yet classified": an empty genres list, as Spotify sends.
            genres = [] if i % 7 == 6 else sorted(rnd.sample(GENRES, rnd.randint(1, 3)))
            artist["followers"] = {"href": None, "total": rnd.randint(1_000, 5_000_000)}
            artist["genres"] = genres
            artist["popularity"] = rnd.randint(20, 95)
        return dict(sorted(artist.items()))

    def _simple_artist(self, i: int) -> dict:
        artist = self.artists[i]
        return {k: artist[k] for k in ("external_urls", "href", "id", "name", "type", "uri")}

    def _track(self, i: int) -> dict:
        rnd = random.Random(f"{self.seed}:track:{i}")
        n_artists = len(self.artists)
        artist_indexes = [i % n_artists]
        if i % 5 == 4:  # some tracks have a featured artist
            artist_indexes.append((i * 3 + 1) % n_artists)
        artists = [self._simple_artist(a) for a in artist_indexes]
        album_id = spotify_id(f"{self.seed}:album:{i}")
        precision = ("day", "day", "month", "year")[i % 4]
        year = 1990 + rnd.randint(0, 35)
        release = {
            "day": f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "month": f"{year}-{rnd.randint(1, 12):02d}",
            "year": str(year),
        }[precision]
        album_type = ("album", "album", "single", "compilation")[i % 4]
        album = {
            **_urls("album", album_id),
            "album_type": album_type,
            "artists": artists[:1],
            "images": _images("album", album_id),
            "name": f"{_WORDS[(i * 5) % 18]} {_WORDS[(i * 11 + 3) % 18]}",
            "release_date": release,
            "release_date_precision": precision,
            "total_tracks": 1 if album_type == "single" else rnd.randint(6, 16),
        }
        ident = spotify_id(f"{self.seed}:track:{i}")
        track = {
            **_urls("track", ident),
            "album": album,
            "artists": artists,
            "disc_number": 1,
            "duration_ms": rnd.randint(120_000, 330_000),
            "explicit": i % 3 == 1,
            "external_ids": {"isrc": f"USXX1{i:07d}"},
            "is_local": False,
            "name": f"{_WORDS[i % 18]} {_WORDS[(i * 7 + 1) % 18]}",
            "preview_url": None,
            "track_number": rnd.randint(1, 12),
        }
        if not self.dev_mode:
            markets = ["CA", "DE", "GB", "US"]
            album["available_markets"] = markets
            track["available_markets"] = markets
            track["popularity"] = rnd.randint(10, 90)
            if i % 2 == 0:
                track["preview_url"] = f"https://p.scdn.co/mp3-preview/{ident}"
        album = dict(sorted(album.items()))
        track["album"] = album
        return dict(sorted(track.items()))

    # --- rankings ----------------------------------------------------------------------------
    def ranking(self, kind: str, time_range: str) -> list[dict]:
        """The top ``n_items`` of ``kind`` for ``time_range``: a different order per range."""
        pool = self.artists if kind == "artists" else self.tracks
        order = list(range(len(pool)))
        if time_range != "medium_term":
            random.Random(f"{self.seed}:{kind}:{time_range}").shuffle(order)
        return [pool[i] for i in order[: self.n_items]]

    def me(self) -> dict:
        me = {
            "account_id": spotify_id(f"account:{self.user_id}")[:10],
            "display_name": self.display_name,
            "external_urls": {"spotify": f"https://open.spotify.com/user/{self.user_id}"},
            "href": f"https://api.spotify.com/v1/users/{self.user_id}",
            "id": self.user_id,
            "images": _images("user", spotify_id(self.user_id), sizes=(64, 300))[::-1],
            "type": "user",
            "uri": f"spotify:user:{self.user_id}",
        }
        if not self.dev_mode:
            me.update(
                country="US",
                email=f"{self.user_id}@example.com",
                explicit_content={"filter_enabled": False, "filter_locked": False},
                followers={"href": None, "total": 3},
                product="premium",
            )
        return dict(sorted(me.items()))

    def plays(self) -> list[dict]:
        """Recently played, newest first, one play every 3.5 minutes."""
        return self.plays_between(count=self.n_items, newest=PLAYED_AT_START, every_s=210)

    def plays_between(self, *, count: int, newest: datetime, every_s: int) -> list[dict]:
        """``count`` plays, newest first, the newest at ``newest``, one every ``every_s`` s."""
        plays = []
        for i in range(count):
            track = self.tracks[(i * 3) % len(self.tracks)]
            played_at = newest - timedelta(seconds=every_s * i)
            context = None
            if i % 2 == 0:
                album = track["album"]
                context = {k: album[k] for k in ("type", "href", "external_urls", "uri")}
            plays.append(
                {
                    "track": track,
                    "played_at": played_at.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z"
                    ),
                    "context": context,
                }
            )
        return plays
