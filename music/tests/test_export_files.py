"""The streaming reader of the export's JSON arrays (``history_items``), against the standard
library's whole-file parse, across chunk boundaries and with broken files."""

from __future__ import annotations

import io
import json

import pytest

from music.services import export_files
from music.services.export_files import ExportFileBroken, history_items

ITEMS = [
    {"ts": "2024-03-01T06:00:00Z", "ms_played": 215_000, "skipped": None, "n": 1.5},
    {"name": "Zoë \u00e9\u6f22\u5b57 \U0001f3b5", "escaped": 'a\\"b\nc', "nested": {"x": [1]}},
    12345678901234567890,
    "a text",
    True,
    None,
    [],
    {},
]


def _read(data: bytes, **kwargs) -> list:
    return list(history_items(io.BytesIO(data), **kwargs))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
@pytest.mark.parametrize("indent", [None, 2])
def test_items_equal_the_whole_file_parse_across_chunk_boundaries(monkeypatch, chunk, indent):
    monkeypatch.setattr(export_files, "CHUNK", chunk)
    data = json.dumps(ITEMS, indent=indent, ensure_ascii=False).encode()
    assert _read(data) == json.loads(data) == ITEMS
    assert _read(b"\xef\xbb\xbf \n" + data + b"\n") == ITEMS  # byte order mark, white space
    assert _read(data, skip=3) == ITEMS[3:]
    assert _read(b"[]") == _read(b" [ \n ] ") == []


@pytest.mark.parametrize("chunk", [1, 5, 1 << 16])
def test_a_file_cut_anywhere_yields_its_complete_items_then_names_the_position(monkeypatch, chunk):
    monkeypatch.setattr(export_files, "CHUNK", chunk)
    data = json.dumps(ITEMS, indent=1).encode()
    for cut in range(1, len(data) - 1):
        got = []
        with pytest.raises(ExportFileBroken) as broken:
            for item in history_items(io.BytesIO(data[:cut])):
                got.append(item)
        assert got == ITEMS[: len(got)], cut
        assert broken.value.position == len(got)
        assert f"after item {len(got)}" in str(broken.value)


def test_a_cut_after_a_complete_item_is_reported_as_truncated():
    data = json.dumps(ITEMS[:2], indent=1).encode()
    cut = data[: data.rindex(b"}") + 1]  # the last item complete, the array not closed
    with pytest.raises(ExportFileBroken, match="truncated") as broken:
        _read(cut)
    assert broken.value.position == 2


@pytest.mark.parametrize(
    ("data", "position", "message"),
    [
        (b'[{"a": 1} {"b": 2}]', 1, "expected ',' or ']'"),
        (b'[{"a": 1},, {"b": 2}]', 1, "Expecting value"),
        (b'[{"a": 1}] trailing', 1, "more text after"),
        (b'[{"a": NaN}]', 0, "NaN is not JSON"),
        # Text is decoded by the chunk: the chunk holding the bad byte is refused whole.
        (b'[{"a": 1}, {"b": "\xff"}]', 0, "not UTF-8"),
        (b"", 0, "an empty file"),
        (b'{"ts": 1}', 0, "not a list of plays"),
    ],
)
def test_broken_files_name_the_position_and_the_reason(data, position, message):
    got = []
    with pytest.raises(ExportFileBroken, match=message) as broken:
        for item in history_items(io.BytesIO(data)):
            got.append(item)
    assert broken.value.position == position == len(got)


def test_an_item_that_never_ends_breaks_the_file_without_reading_it_all(monkeypatch):
    monkeypatch.setattr(export_files, "ITEM_MAX", 1000)
    endless = b'[{"a": 1}, {"b": "' + b"x" * 100_000 + b'"}]'
    with pytest.raises(ExportFileBroken, match="too long") as broken:
        _read(endless)
    assert broken.value.position == 1
