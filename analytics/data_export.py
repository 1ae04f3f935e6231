""" "Download my data": a zip of the user's plays, rankings, sync history, moods and imports, each
as JSON and CSV. Written to a temporary file member by member; plays are streamed from the
archive in chunks, so a long history never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

from music.history import HistoryUnavailable, sync_history_for_user
from music.models import Play, PlayImport, UserArtist, UserTrack
from personalify.archive import archive_errors

from .models import Vibe

PLAY_FIELDS = [
    "played_at",
    "track_id",
    "track_name",
    "artist_name",
    "album_name",
    "ms_played",
    "source",
    "platform",
    "country",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "incognito",
    "episode_name",
    "episode_show_name",
    "episode_uri",
    "context_uri",
]
VIBE_FIELDS = [
    "time_range",
    "sentence",
    "top",
    "coarse",
    "confidence",
    "confidence_level",
    "analysed_count",
    "updated_at",
]
IMPORT_FIELDS = [
    "created_at",
    "finished_at",
    "state",
    "upload_names",
    "plays_read",
    "imported",
    "already_there",
    "short_plays",
    "podcasts",
    "unreadable",
    "problems",
]
README = """Your data from Personalify, exported {when} (UTC).

plays.json / plays.csv        every play stored for you (listening archive), oldest first
rankings.json / rankings.csv  your top artists and tracks per time range, with rank
sync_history.json / .csv      every sync of your rankings (one row per sync in the CSV)
vibes.json / vibes.csv        the mood of each time range
imports.json / imports.csv    your imports of Spotify's data export, with their counts
Times are UTC (ISO 8601). Durations are milliseconds.
{missing}"""


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _write(archive: zipfile.ZipFile, name: str, fields: list[str], rows: Iterable[dict]) -> None:
    """``name``.json (an array, written row by row) and ``name``.csv with the same rows."""
    # One pass over the rows (plays are read once): the CSV goes to a temporary file meanwhile
    # (a zip takes one member at a time), then is copied in.
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as csv_file:
        writer = csv.DictWriter(csv_file, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        with archive.open(f"{name}.json", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write("[")
            for i, row in enumerate(rows):
                plain = {key: _plain(value) for key, value in row.items()}
                out.write(",\n" if i else "\n")
                out.write(json.dumps(plain, ensure_ascii=False))
                writer.writerow({k: _csv(v) for k, v in plain.items()})
            out.write("\n]\n")
            out.flush()
            out.detach()
        csv_file.seek(0)
        with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            for chunk in iter(lambda: csv_file.read(1 << 16), ""):
                out.write(chunk)
            out.flush()
            out.detach()


def _csv(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _plays(spotify_id: str) -> Iterator[dict]:
    plays = Play.objects.filter(spotify_id=spotify_id).order_by("played_at").values(*PLAY_FIELDS)
    with archive_errors():
        yield from plays.iterator(chunk_size=5000)


def _rankings(user) -> Iterator[dict]:
    for model, kind, name in (
        (UserArtist, "artist", "artist__name"),
        (UserTrack, "track", "track__name"),
    ):
        ranked = model.objects.filter(user=user).order_by("time_range", "rank")
        for time_range, rank, item_id, item_name in ranked.values_list(
            "time_range", "rank", f"{kind}_id", name
        ):
            yield {
                "time_range": time_range,
                "kind": kind,
                "rank": rank,
                "id": item_id,
                "name": item_name,
            }


def _syncs(documents: list[dict]) -> Iterator[dict]:
    for document in documents:
        for entry in document.get("history", []):
            yield {"time_range": document.get("time_range"), **entry}


def _vibes(user) -> Iterator[dict]:
    yield from Vibe.objects.filter(user=user).order_by("time_range").values(*VIBE_FIELDS)


def _imports(user) -> Iterator[dict]:
    yield from PlayImport.objects.filter(user=user).order_by("created_at").values(*IMPORT_FIELDS)


def user_data_zip(*, user, now: datetime) -> IO[bytes]:
    """The zip as an open temporary file at position 0. Raises ``ArchiveUnavailable`` when the
    plays cannot be read; MongoDB down leaves the sync history out and says so in README.txt."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open: FileResponse closes it
    missing = ""
    try:
        documents = sync_history_for_user(spotify_id=user.spotify_id)
    except HistoryUnavailable:
        documents, missing = [], "\nThe sync history store was unavailable: it is not included.\n"
    try:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", README.format(when=now.isoformat(), missing=missing))
            _write(archive, "plays", PLAY_FIELDS, _plays(user.spotify_id))
            _write(
                archive, "rankings", ["time_range", "kind", "rank", "id", "name"], _rankings(user)
            )
            history_fields = sorted({key for row in _syncs(documents) for key in row})
            _write(archive, "sync_history", history_fields, _syncs(documents))
            _write(archive, "vibes", VIBE_FIELDS, _vibes(user))
            _write(archive, "imports", IMPORT_FIELDS, _imports(user))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
