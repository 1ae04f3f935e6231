"""The listening archive's aggregates: the same results on node B (through postgres_fdw) and
in the main database, and on node B with the filtering and grouping done there (push-down)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from music.archive import selectors
from music.archive.selectors import (
    plays_by_artist,
    plays_by_day,
    plays_by_track,
    plays_recent_list,
)
from music.models import Artist, Track, TrackArtist
from music.services.plays import PlayRow, plays_store

ARCHIVE_TX = pytest.mark.django_db(transaction=True, databases=["default", "archive"])
PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture(params=["node_b", "local"])
def archive(request):
    """Run the test once with the archive on node B (read through FDW), once in node A."""
    if request.param == "local":
        request.getfixturevalue("archive_local")
    else:
        request.getfixturevalue("archive_ready")
    return request.param


def catalogue() -> None:
    a1 = Artist.objects.create(id="a1", name="Aurora")
    a2 = Artist.objects.create(id="a2", name="Björk")
    for tid, name, credited in [
        ("t1", "One", [a1]),
        ("t2", "Two", [a1, a2]),
        ("t3", "Three", [a2]),
    ]:
        track = Track.objects.create(id=tid, name=name, duration_ms=200_000)
        for position, artist in enumerate(credited):
            TrackArtist.objects.create(track=track, artist=artist, position=position)


def play(user: str, when: datetime, track: str, ms: int = 100_000, **extra) -> PlayRow:
    return PlayRow(spotify_id=user, played_at=when, track_id=track, ms_played=ms, **extra)


def listening(alice, bob) -> None:
    catalogue()
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    rows = [play(alice.spotify_id, day + timedelta(minutes=5 * i), "t1") for i in range(5)]
    rows += [
        play(alice.spotify_id, day + timedelta(hours=2, minutes=5 * i), "t2") for i in range(3)
    ]
    # 23:30 UTC on 10 March is 00:30 on 11 March in Paris.
    rows.append(play(alice.spotify_id, datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "t3", 60_000))
    # An imported play of a track the catalogue does not know: named by the play.
    rows.append(play(alice.spotify_id, day + timedelta(hours=5), "tx", track_name="Unknown Song"))
    rows.append(play(alice.spotify_id, END + timedelta(hours=1), "t1"))  # after the window
    rows += [play(bob.spotify_id, day + timedelta(minutes=i), "t3") for i in range(7)]
    plays_store(plays=rows)


@ARCHIVE_TX
def test_plays_by_track_counts_one_users_plays_in_the_window_in_either_mode(archive, alice, bob):
    listening(alice, bob)
    top = plays_by_track(user=alice, start=START, end=END)
    assert [(t.track_id, t.name, t.plays, t.ms_played) for t in top] == [
        ("t1", "One", 5, 500_000),
        ("t2", "Two", 3, 300_000),
        ("tx", "Unknown Song", 1, 100_000),
        ("t3", "Three", 1, 60_000),
    ]


@ARCHIVE_TX
def test_plays_by_artist_counts_through_the_catalogue_in_either_mode(archive, alice, bob):
    listening(alice, bob)
    top = plays_by_artist(user=alice, start=START, end=END)
    assert [(a.artist_id, a.plays, a.ms_played) for a in top] == [
        ("a1", 8, 800_000),
        ("a2", 4, 360_000),
    ]


@ARCHIVE_TX
def test_plays_by_day_uses_the_users_time_zone_in_either_mode(archive, alice, bob):
    listening(alice, bob)
    days = plays_by_day(user=alice, start=START, end=END, tz=PARIS)
    assert [(str(d.day), d.plays) for d in days] == [("2026-03-10", 9), ("2026-03-11", 1)]
    utc = plays_by_day(user=alice, start=START, end=END, tz=ZoneInfo("UTC"))
    assert [(str(d.day), d.plays) for d in utc] == [("2026-03-10", 10)]


@ARCHIVE_TX
def test_plays_recent_list_names_plays_newest_first_in_either_mode(archive, alice, bob):
    listening(alice, bob)
    recent = plays_recent_list(spotify_id=alice.spotify_id)
    assert recent[0].played_at == END + timedelta(hours=1)
    assert [p.name for p in recent[1:3]] == ["Three", "Unknown Song"]
    assert recent[1].artists == "Björk"
    assert len(recent) == 11 and all(p.track_id != "t3" or p.name == "Three" for p in recent)


# --- push-down: the Remote SQL of each aggregate holds the user, the window and the GROUP BY --


def remote_sql(sql: str, params: list, *, setup: str | None = None) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        if setup:
            cursor.execute(setup)
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    return [line.strip() for line in plan if "Remote SQL" in line]


@pytest.fixture
def a_year_of_plays(alice, bob, archive_ready):
    """A year of alice's plays on node B (about 9,000, 40 tracks), analysed as autovacuum
    would, and some of bob's."""
    catalogue()
    for i in range(4, 40):
        Track.objects.create(id=f"t{i}", name=f"Track {i}")
    start = datetime(2025, 4, 1, tzinfo=UTC)
    rows = [
        play(alice.spotify_id, start + timedelta(hours=i), f"t{1 + i % 39}") for i in range(9000)
    ]
    rows += [play(bob.spotify_id, start + timedelta(hours=i), "t1") for i in range(0, 9000, 9)]
    plays_store(plays=rows)
    with connections["archive"].cursor() as cursor:
        cursor.execute("ANALYZE plays")


def assert_pushed_down(lines: list[str]) -> None:
    assert len(lines) == 1, lines
    remote = lines[0]
    assert "FROM public.plays" in remote
    assert "GROUP BY" in remote
    assert "spotify_id = $1" in remote
    assert "played_at >= '2026-01-01" in remote and "played_at < '2026-02-01" in remote


@ARCHIVE_TX
def test_plays_by_track_runs_filter_and_group_by_on_node_b(a_year_of_plays, alice):
    window = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)]
    lines = remote_sql(selectors._sql(selectors.TOP_TRACKS_SQL), [alice.pk, *window, 50])
    assert_pushed_down(lines)
    assert "count(*)" in lines[0] and "sum(ms_played)" in lines[0]


@ARCHIVE_TX
def test_plays_by_artist_runs_filter_and_group_by_on_node_b(a_year_of_plays, alice):
    window = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)]
    assert_pushed_down(
        remote_sql(selectors._sql(selectors.TOP_ARTISTS_SQL), [alice.pk, *window, 50])
    )


@ARCHIVE_TX
def test_plays_by_day_runs_filter_and_group_by_on_node_b(a_year_of_plays, alice):
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    midnights = [datetime(2026, 1, d, tzinfo=PARIS) for d in range(2, 32)]
    lines = remote_sql(
        selectors._sql(selectors.PER_DAY_SQL),
        [midnights, alice.pk, start, end],
        setup=selectors._PUSH_DOWN_GROUPING,
    )
    assert_pushed_down(lines)
    assert "width_bucket(played_at" in lines[0]


@ARCHIVE_TX
def test_plays_by_track_on_node_b_returns_the_years_counts(a_year_of_plays, alice):
    start = datetime(2025, 4, 1, tzinfo=UTC)
    top = plays_by_track(user=alice, start=start, end=start + timedelta(days=365))
    assert sum(t.plays for t in top) == 365 * 24 and len(top) == 39
