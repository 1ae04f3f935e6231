"""The LRCLib client over HTTP against the fake LRCLib."""

import pytest

from lyrics.lrclib import LRCLibClient, LRCLibRateLimited, LRCLibUnavailable
from lyrics.text import TimedLine
from personalify.testing.fakehttp import Reply


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(fake_lrclib, sleeps):
    return LRCLibClient(sleep=sleeps.append, backoff=0.01)


def test_get_asks_by_track_artist_album_and_duration_in_seconds(client, fake_lrclib):
    client.get(
        track_name="Static Hearts",
        artist_name="The Velvet Static",
        album_name="Bloom",
        duration=231.84,
    )
    request = fake_lrclib.requests[0]
    assert request.query == {
        "track_name": "Static Hearts",
        "artist_name": "The Velvet Static",
        "album_name": "Bloom",
        "duration": "231",
    }
    assert request.headers["user-agent"].startswith("Personalify/")


def test_get_returns_plain_and_timed_lines_when_lrclib_has_synced_lyrics(client, fake_lrclib):
    entry = fake_lrclib.add(
        "Static Hearts",
        "The Velvet Static",
        "Bloom",
        232,
        plain="One\nTwo",
        synced="[00:01.00] One\n[00:03.50] Two",
    )
    found = client.get(
        track_name="static hearts",
        artist_name="the velvet static",
        album_name="Bloom",
        duration=231,
    )
    assert found.id == entry["id"] and not found.instrumental
    assert found.plain == "One\nTwo"
    assert found.lines == [TimedLine(1.0, "One"), TimedLine(3.5, "Two")]


def test_get_returns_none_when_lrclib_answers_track_not_found(client):
    assert client.get(track_name="Nope", artist_name="Nobody", album_name="", duration=100) is None


def test_get_says_instrumental_when_lrclib_marks_the_track_instrumental(client, fake_lrclib):
    fake_lrclib.add("Drift", "Quiet Harbor", "Tides", 301, instrumental=True)
    found = client.get(
        track_name="Drift", artist_name="Quiet Harbor", album_name="Tides", duration=301
    )
    assert found.instrumental and found.plain == "" and found.lines == []


def test_get_waits_retry_after_and_retries_when_rate_limited(client, fake_lrclib, sleeps):
    fake_lrclib.add("Drift", "Quiet Harbor", "Tides", 301, plain="words")
    fake_lrclib.rate_limit(retry_after=2)
    found = client.get(
        track_name="Drift", artist_name="Quiet Harbor", album_name="Tides", duration=301
    )
    assert found.plain == "words" and sleeps == [2]


def test_get_raises_rate_limited_when_retry_after_is_too_long(client, fake_lrclib):
    fake_lrclib.rate_limit(retry_after=600)
    with pytest.raises(LRCLibRateLimited):
        client.get(track_name="a", artist_name="b", album_name="", duration=1)


def test_get_raises_unavailable_after_bounded_retries_when_lrclib_fails(client, fake_lrclib):
    fake_lrclib.fail(Reply(503, body="down"), times=10)
    with pytest.raises(LRCLibUnavailable):
        client.get(track_name="a", artist_name="b", album_name="", duration=1)
    assert len(fake_lrclib.requests) == 3
