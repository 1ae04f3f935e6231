"""Spotify's privacy export, read as streams: which files it holds and the plays in each.

An export arrives as Spotify's zip (``my_spotify_data.zip``, any folder layout inside) or as the
JSON files taken out of it. Files are told apart by name, as Spotify names them:

- extended streaming history: ``Streaming_History_Audio_<years>_<n>.json`` (and the older
  ``endsong_<n>.json``); ``Streaming_History_Video_*.json`` is counted and skipped;
- account data: ``StreamingHistory_music_<n>.json``, ``StreamingHistory_podcast_<n>.json`` (and
  the older ``StreamingHistory<n>.json``, music).

Every file is a JSON array of objects. It is parsed item by item (``_array_items``: chunks of
text, each item decoded by the standard library's C decoder), so a 15 MB file, or a zip of
dozens, never sits in memory: what is held is one chunk and one item. A file that is not an
array, or that breaks part-way, raises ``ExportFileBroken`` with the number of items read
before the break; the items before it have been yielded already.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

EXTENDED = "extended"
VIDEO = "video"
ACCOUNT_MUSIC = "account_music"
ACCOUNT_PODCAST = "account_podcast"
OTHER = "other"

# Spotify's file names, by kind (matched on the base name, case-insensitively).
_KINDS = [
    (re.compile(r"^streaming_history_audio_.*\.json$", re.I), EXTENDED),
    (re.compile(r"^endsong(_\d+)?\.json$", re.I), EXTENDED),
    (re.compile(r"^streaming_history_video_.*\.json$", re.I), VIDEO),
    (re.compile(r"^streaminghistory_music_\d+\.json$", re.I), ACCOUNT_MUSIC),
    (re.compile(r"^streaminghistory\d+\.json$", re.I), ACCOUNT_MUSIC),
    (re.compile(r"^streaminghistory_podcast_\d+\.json$", re.I), ACCOUNT_PODCAST),
]
# Extended history first: when an export holds both, the account data's plays (minute
# precision, no ids) are then recognised as the same plays (see plays_import).
_ORDER = {EXTENDED: 0, ACCOUNT_MUSIC: 1, ACCOUNT_PODCAST: 1, VIDEO: 2, OTHER: 3}
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


class ExportUnreadable(Exception):
    """A whole upload cannot be read (a corrupt zip, a file that is neither zip nor JSON)."""


class ExportFileBroken(Exception):
    """A history file broke part-way; ``position`` items were read before the break."""

    def __init__(self, message: str, *, position: int):
        super().__init__(message)
        self.position = position


def file_kind(name: str) -> str:
    """The kind of a file of the export, from its base name."""
    base = PurePosixPath(name).name
    for pattern, kind in _KINDS:
        if pattern.match(base):
            return kind
    return OTHER


@dataclass(frozen=True)
class ExportFile:
    """One file of an upload: ``name`` as shown to the user ("upload.zip/folder/file.json")."""

    name: str
    kind: str
    size: int  # uncompressed bytes
    source: Path  # the uploaded file on disk
    member: str = ""  # the zip member, "" for a loose file

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        if not self.member:
            with self.source.open("rb") as stream:
                yield stream
            return
        try:
            with zipfile.ZipFile(self.source) as archive, archive.open(self.member) as stream:
                yield stream
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise ExportFileBroken(f"the zip member cannot be read ({exc})", position=0) from exc


def _is_zip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) in (ZIP_MAGIC, EMPTY_ZIP_MAGIC)


def _skipped_member(name: str) -> bool:
    # Folders, and the resource forks macOS adds when a user re-zips the folder.
    base = PurePosixPath(name).name
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith("._")


def export_files(paths: list[Path]) -> list[ExportFile]:
    """The files of an upload (loose files and the members of zips), in processing order:
    extended history, then account data, then the rest (``kind`` other/video: counted only).
    Raises ``ExportUnreadable`` naming an upload that is a broken zip."""
    found: list[ExportFile] = []
    for path in paths:
        if not _is_zip(path):
            found.append(ExportFile(path.name, file_kind(path.name), path.stat().st_size, path))
            continue
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not _skipped_member(m.filename)]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ExportUnreadable(f"{path.name}: not a readable zip file ({exc})") from exc
        for member in members:
            name = f"{path.name}/{member.filename}"
            found.append(
                ExportFile(
                    name, file_kind(member.filename), member.file_size, path, member.filename
                )
            )
    return sorted(found, key=lambda f: (_ORDER[f.kind], f.name))


class CountingReader(io.RawIOBase):
    """Counts the bytes read through it (the import's progress in bytes)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _first_byte(stream: io.BufferedReader) -> bytes:
    """The first significant byte (after a UTF-8 byte order mark and whitespace), not consumed."""
    while True:
        head = stream.peek(64)[:64]
        if not head:
            return b""
        if head.startswith(b"\xef\xbb\xbf"):
            stream.read(3)
            continue
        stripped = head.lstrip()
        if stripped:
            stream.read(len(head) - len(stripped))
            return stripped[:1]
        stream.read(len(head))


def history_items(stream: BinaryIO, *, skip: int = 0) -> Iterator[object]:
    """The items of one history file (a JSON array), one at a time; the first ``skip`` are
    parsed but not yielded (resuming). Raises ``ExportFileBroken``."""
    buffered = io.BufferedReader(
        stream if isinstance(stream, io.RawIOBase) else CountingReader(stream)
    )
    position = 0
    try:
        first = _first_byte(buffered)
        if first != b"[":
            what = "an empty file" if not first else "not a list of plays (JSON array)"
            raise ExportFileBroken(f"{what}", position=0)
        for item in _array_items(buffered):
            position += 1
            if position > skip:
                yield item
    except _Truncated:
        raise ExportFileBroken(
            f"invalid JSON after item {position:,}: the file ends part-way (truncated)",
            position=position,
        ) from None
    except UnicodeDecodeError as exc:
        raise ExportFileBroken(
            f"not UTF-8 text after item {position:,}", position=position
        ) from exc
    except ValueError as exc:  # JSONDecodeError, or NaN / Infinity
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise ExportFileBroken(
            f"invalid JSON after item {position:,}: {detail}", position=position
        ) from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ExportFileBroken(
            f"the zip member breaks after item {position:,} ({exc})", position=position
        ) from exc


# The array is read in chunks of text and each item decoded by the standard library's C JSON
# decoder (``raw_decode`` at an offset): about twice as fast as ijson's C backend building the
# same objects, which made parsing the import's limit. What is held is one chunk and the item
# being decoded; an item that does not end within ``ITEM_MAX`` characters breaks the file.
CHUNK = 1 << 16
ITEM_MAX = 1 << 22
_SPACE = re.compile(r"[ \t\n\r]*")


class _Truncated(Exception):
    """The text ended inside the array."""


def _no_constant(name: str) -> object:
    # NaN and Infinity are not JSON (ijson refused them too).
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _array_items(stream: BinaryIO) -> Iterator[object]:
    """The items of the JSON array ``stream`` starts with (at its ``[``)."""
    decode = codecs.getincrementaldecoder("utf-8")().decode
    raw_decode, space = _DECODER.raw_decode, _SPACE.match
    text, pos, eof = "", 0, False

    def more() -> None:
        nonlocal text, pos, eof
        if eof:
            raise _Truncated
        data = stream.read(CHUNK)
        eof = not data
        text = text[pos:] + decode(data, final=eof)
        pos = 0

    more()
    pos = space(text, pos).end() + 1  # the "[" (checked by the caller)
    expect_item = None  # None: an item or "]"; True: an item (after ","); False: "," or "]"
    while True:
        pos = space(text, pos).end()
        if pos >= len(text):
            more()
            continue
        if expect_item is False or (expect_item is None and text[pos] == "]"):
            char = text[pos]
            pos += 1
            if char == "]":
                break
            if char != ",":
                raise json.JSONDecodeError("expected ',' or ']' after an item", text, pos - 1)
            expect_item = True
            continue
        try:
            item, end = raw_decode(text, pos)
        except ValueError as exc:  # JSONDecodeError, or a NaN
            if eof:
                if isinstance(exc, json.JSONDecodeError) and (
                    exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
                ):
                    raise _Truncated from None
                raise
            if len(text) - pos > ITEM_MAX:
                raise json.JSONDecodeError("an item too long to be a play", text, pos) from None
            more()  # the item goes on in the next chunk
            continue
        if end >= len(text):
            if not eof:
                more()  # a number may go on in the next chunk: decode it again whole
                continue
            if text[end - 1].isdigit():
                raise _Truncated  # a number the cut may have shortened
        pos = end
        expect_item = False
        yield item
    # Only white space may follow the array.
    while True:
        pos = space(text, pos).end()
        if pos < len(text):
            raise json.JSONDecodeError("more text after the list of plays", text, pos)
        if eof:
            return
        more()
