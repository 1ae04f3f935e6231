"""Generated Spotify privacy exports in the real shapes (tests and the benchmark).

Extended streaming history items carry every field Spotify sends (reference:
../shared/reference/more-sources.md); account data items are ``endTime``/``artistName``/
``trackName``/``msPlayed`` (music) and ``endTime``/``podcastName``/``episodeName``/``msPlayed``.
Files are written as JSON arrays with one item per line, as Spotify writes them.
"""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
EXTENDED_FOLDER = "Spotify Extended Streaming History"
ACCOUNT_FOLDER = "Spotify Account Data"
PLATFORMS = [
    "Android OS 14 API 34 (Google, Pixel 8)",
    "iOS 17.4 (iPhone15,2)",
    "Windows 10 (10.0.19045; x64)",
    "web_player linux chrome",
]


def track_id(n: int) -> str:
    """A 22-character id in Spotify's alphabet, one per track number."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = []
    for _ in range(22):
        n, rest = divmod(n, 62)
        digits.append(alphabet[rest])
    return "".join(reversed(digits))


def catalogue_entry(n: int) -> dict:
    artist = n % 97
    return {
        "track": f"Song {n}",
        "artist": f"Artist {artist}",
        "album": f"Album {n % 311}",
        "id": track_id(10_000 + n),
    }


def extended_track(
    played_at: datetime,
    n: int,
    *,
    ms_played: int = 200_000,
    skipped: bool | None = False,
    platform: str = PLATFORMS[0],
    country: str = "DE",
) -> dict:
    entry = catalogue_entry(n)
    return {
        "ts": played_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform,
        "ms_played": ms_played,
        "conn_country": country,
        "ip_addr": "203.0.113.7",
        "master_metadata_track_name": entry["track"],
        "master_metadata_album_artist_name": entry["artist"],
        "master_metadata_album_album_name": entry["album"],
        "spotify_track_uri": f"spotify:track:{entry['id']}",
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": "trackdone",
        "reason_end": "fwdbtn" if skipped else "trackdone",
        "shuffle": False,
        "skipped": skipped,
        "offline": False,
        "offline_timestamp": None,
        "incognito_mode": False,
    }


def extended_episode(played_at: datetime, n: int, *, ms_played: int = 1_500_000) -> dict:
    item = extended_track(played_at, n, ms_played=ms_played)
    item.update(
        {
            "master_metadata_track_name": None,
            "master_metadata_album_artist_name": None,
            "master_metadata_album_album_name": None,
            "spotify_track_uri": None,
            "episode_name": f"Episode {n}",
            "episode_show_name": f"Show {n % 3}",
            "spotify_episode_uri": f"spotify:episode:{track_id(900_000 + n)}",
        }
    )
    return item


def extended_items(
    count: int,
    *,
    start: datetime = START,
    step: timedelta = timedelta(minutes=4),
    tracks: int = 500,
    seed: int = 7,
) -> Iterator[dict]:
    """``count`` plays, one every ``step``; about 1 in 20 a skip, 1 in 50 a podcast episode."""
    rng = random.Random(seed)
    for i in range(count):
        at = start + i * step
        roll = rng.random()
        if roll < 0.02:
            yield extended_episode(at, i)
        elif roll < 0.07:
            yield extended_track(
                at,
                rng.randrange(tracks),
                ms_played=rng.randrange(1_000, 29_000),
                skipped=True,
                platform=rng.choice(PLATFORMS),
            )
        else:
            yield extended_track(
                at,
                rng.randrange(tracks),
                platform=rng.choice(PLATFORMS),
                country=rng.choice(["DE", "DE", "FR"]),
            )


def account_music(played_at: datetime, n: int, *, ms_played: int = 200_000) -> dict:
    entry = catalogue_entry(n)
    return {
        "endTime": played_at.strftime("%Y-%m-%d %H:%M"),
        "artistName": entry["artist"],
        "trackName": entry["track"],
        "msPlayed": ms_played,
    }


def account_podcast(played_at: datetime, n: int, *, ms_played: int = 1_200_000) -> dict:
    return {
        "endTime": played_at.strftime("%Y-%m-%d %H:%M"),
        "podcastName": f"Show {n % 3}",
        "episodeName": f"Episode {n}",
        "msPlayed": ms_played,
    }


def json_bytes(items: Iterable[dict]) -> bytes:
    return ("[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]").encode()


def write_json(path: Path, items: Iterable[dict]) -> Path:
    """A history file written item by item (never the whole list in memory)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for i, item in enumerate(items):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(item))
        out.write("\n]")
    return path


def write_zip(path: Path, files: dict[str, Iterable[dict] | bytes]) -> Path:
    """A zip as Spotify sends it: ``files`` maps member names (with their folder) to items or
    to raw bytes (a read-me, a broken file)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w") as member:
                member.write(b"[")
                for i, item in enumerate(content):
                    member.write((",\n" if i else "\n").encode() + json.dumps(item).encode())
                member.write(b"\n]")
    return path
