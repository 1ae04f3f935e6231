"""Title matching, LRC parsing, sections and the words a model reads."""

import pytest

from lyrics.text import (
    TimedLine,
    artist_normalise,
    lrc_parse,
    same_song,
    sections_split,
    text_for_reading,
    timed_sections,
    title_normalise,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Let It Be - Remastered 2009", "let it be"),
        ("Let It Be - 2009 Remaster", "let it be"),
        ("Hey Jude (Remastered 2015)", "hey jude"),
        ("Umbrella (feat. JAY-Z)", "umbrella"),
        ("Stay [with Justin Bieber]", "stay"),
        ("Lose Control feat. Somebody", "lose control"),
        ("Don't Stop Me Now - Live at Wembley '86", "don t stop me now"),
        ("Café del Mar!", "cafe del mar"),
        ("Rock & Roll", "rock and roll"),
        ("Mr. Brightside", "mr brightside"),
    ],
)
def test_title_normalise_strips_editions_features_punctuation_and_case_when_present(
    title, expected
):
    assert title_normalise(title) == expected


def test_title_normalise_keeps_a_dash_that_is_part_of_the_title_when_no_edition_follows():
    assert title_normalise("Part I - The Beginning") == "part i the beginning"


def test_artist_normalise_drops_a_leading_the_and_features_when_present():
    assert artist_normalise("The Velvet Static") == artist_normalise("velvet static")
    assert artist_normalise("Beyoncé feat. JAY-Z") == "beyonce"


def test_same_song_matches_on_title_and_primary_artist_when_only_the_edition_differs():
    assert same_song("Let It Be - Remastered 2009", "The Beatles", "Let It Be", "Beatles")
    assert not same_song("Let It Be", "The Beatles", "Let It Bleed", "The Beatles")
    assert not same_song("Let It Be", "The Beatles", "Let It Be", "Aretha Franklin")
    assert not same_song("", "", "", "")


def test_lrc_parse_keeps_timestamps_repeats_multi_stamp_lines_and_drops_tags_when_given():
    lines = lrc_parse(
        "[ar:The Velvet Static]\n[ti:Static Hearts]\n[length: 03:52]\n"
        "[00:12.34] First line\n[00:15.90][01:15.90] Chorus line\n[00:20.00]\n[1:02:50] late"
    )
    assert lines == [
        TimedLine(12.34, "First line"),
        TimedLine(15.9, "Chorus line"),
        TimedLine(20.0, ""),
        TimedLine(62.5, "late"),
        TimedLine(75.9, "Chorus line"),
    ]


def test_sections_split_starts_a_section_at_each_header_when_headers_are_present():
    sections = sections_split("[Verse 1]\na\nb\n\n[Chorus]\nc\n[Verse 2]\nd")
    assert [(s.label, s.text) for s in sections] == [
        ("[Verse 1]", "a\nb"),
        ("[Chorus]", "c"),
        ("[Verse 2]", "d"),
    ]


def test_sections_split_uses_stanzas_and_cuts_long_runs_when_there_are_no_headers():
    text = "a\nb\n\n" + "\n".join(f"l{i}" for i in range(12))
    sections = sections_split(text)
    assert [s.label for s in sections] == ["Stanza 1", "Stanza 2 (1/2)", "Stanza 3 (2/2)"]
    assert sections[1].text.count("\n") == 7


def test_timed_sections_group_lines_at_breaks_and_label_them_by_time_when_synced():
    lines = [TimedLine(i * 5.0, f"line {i}") for i in range(7)]
    lines.insert(2, TimedLine(9.0, ""))
    groups = timed_sections(lines)
    assert [(g.label, g.seconds) for g in groups] == [("0:00", 0.0), ("0:10", 10.0), ("0:30", 30.0)]
    assert groups[1].text == "line 2\nline 3\nline 4\nline 5"


def test_text_for_reading_drops_headers_and_keeps_stanza_breaks_when_given_lyrics():
    assert text_for_reading("[Intro]\na\n\n\n[Verse 1: Someone]\nb") == "a\n\nb"
