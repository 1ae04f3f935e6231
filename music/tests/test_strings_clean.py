"""strings_clean: the quick scan of clean answers never lets an unclean string through."""

from __future__ import annotations

import pytest

from music.spotify.parsing import strings_clean

UNCLEAN = ["\x00", "\x08", "\x0c", "\x0b", "\x1f", "\x7f", "\ud800", "\udfff"]


@pytest.mark.parametrize("character", UNCLEAN)
def test_strings_clean_cleans_a_nested_string_when_it_holds_an_unclean_character(character):
    answer = {"items": [{"name": "ok", "album": {"artists": [{"name": f"a{character}b"}]}}]}
    cleaned, changed = strings_clean(answer)
    assert changed == 1
    name = cleaned["items"][0]["album"]["artists"][0]["name"]
    assert name in {"ab", "a\ufffdb"}


def test_strings_clean_returns_clean_answers_unchanged_when_only_allowed_text_is_there():
    answer = {"items": [{"name": "Tab\tnew\nline\r, back\\slash, é, 😀", "n": 3, "x": None}]}
    cleaned, changed = strings_clean(answer)
    assert (cleaned, changed) == (answer, 0)
