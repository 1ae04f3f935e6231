"""The listening archive's table and write path, on node B (the session's second PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from music.models import Play
from music.services.plays import PlayRow, plays_store

ARCHIVE = pytest.mark.django_db(databases=["default", "archive"])
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def rows(n: int, *, user: str = "alice-sp", start: datetime = T0) -> list[PlayRow]:
    return [
        PlayRow(spotify_id=user, played_at=start + timedelta(minutes=4 * i), track_id=f"t{i % 7}",
                ms_played=180_000)
        for i in range(n)
    ]  # fmt: skip


@ARCHIVE
def test_play_table_lives_on_node_b_when_an_archive_database_is_configured():
    plays_store(plays=rows(3))
    assert Play.objects.db == "archive"
    with connections["archive"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM plays")
        assert cursor.fetchone()[0] == 3
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.plays')")
        assert cursor.fetchone()[0] is None


@ARCHIVE
def test_plays_store_counts_inserted_and_duplicates_when_some_plays_are_known():
    first = plays_store(plays=rows(10))
    again = plays_store(plays=rows(15))
    assert (first.received, first.inserted, first.duplicates) == (10, 10, 0)
    assert (again.received, again.inserted, again.duplicates) == (15, 5, 10)
    assert Play.objects.count() == 15


@ARCHIVE
def test_plays_store_keeps_one_row_when_the_input_repeats_a_play():
    play = rows(1)[0]
    stored = plays_store(plays=[play, play, play])
    assert (stored.inserted, stored.duplicates) == (1, 2)


@ARCHIVE
def test_plays_store_writes_every_column_when_an_import_fills_them():
    row = PlayRow(
        spotify_id="alice-sp", played_at=T0, track_id="", ms_played=1234, source="export",
        platform="android", country="DE", reason_start="clickrow", reason_end="endplay",
        shuffle=True, skipped=False, offline=None, incognito=False, episode_name="Ep 1",
        episode_show_name="Show", episode_uri="spotify:episode:abc", track_name="",
    )  # fmt: skip
    plays_store(plays=[row])
    play = Play.objects.get()
    assert (play.platform, play.country, play.shuffle, play.offline) == (
        "android",
        "DE",
        True,
        None,
    )
    assert (play.episode_uri, play.ms_played, play.source) == (
        "spotify:episode:abc",
        1234,
        "export",
    )


@ARCHIVE
def test_plays_store_uses_two_statements_per_batch_when_many_plays_arrive(
    django_assert_num_queries,
):
    # savepoint, staging table, per batch (after its COPY) INSERT ... SELECT and TRUNCATE, release
    with django_assert_num_queries(7, using="archive"):
        stored = plays_store(plays=rows(250), batch_size=200)
    assert stored.inserted == 250


def test_play_row_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        PlayRow(spotify_id="a", played_at=datetime(2026, 1, 1), track_id="t")


@ARCHIVE
def test_plays_store_stores_nothing_when_a_later_batch_fails():
    from django.db import DataError

    with pytest.raises(DataError):  # bad data is not "archive unavailable"
        plays_store(plays=[*rows(3), _overflow()], batch_size=2)
    assert Play.objects.count() == 0


def _overflow() -> PlayRow:
    # ms_played beyond PostgreSQL's integer: refused by node B, not by PlayRow.
    return PlayRow(spotify_id="alice-sp", played_at=T0, track_id="big", ms_played=2**31)


def test_play_row_refuses_a_value_longer_than_its_column():
    with pytest.raises(ValueError, match="track_id is longer than 64 characters"):
        PlayRow(spotify_id="a", played_at=T0, track_id="x" * 65)


@ARCHIVE
def test_plays_store_writes_the_main_database_when_there_is_no_node_b(archive_local):
    stored = plays_store(plays=rows(4))
    assert stored.inserted == 4
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM plays")
        assert cursor.fetchone()[0] == 4
