"""The statistics read from the plays' summaries (kept by triggers on plays) equal the same
statistics aggregated from the plays themselves, whatever wrote or deleted the plays and in any
zone, on node B and in the main database."""

from __future__ import annotations

import random
import shutil
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from analytics.listening import stats as listening_stats
from analytics.listening.periods import Period
from analytics.listening.stats import (
    _coverage,
    _coverage_from,
    _period_statements,
    _rows,
    _stats,
    _stats_from,
)
from music.models import Artist, PlayImport, Track, TrackArtist
from music.services.plays import PlayRow, plays_delete_for_user, plays_store
from personalify.archive import archive_alias
from personalify.testing.spotify_export import EXTENDED_FOLDER, extended_items, write_zip

ARCHIVE_TX = pytest.mark.django_db(transaction=True, databases=["default", "archive"])
ALICE = "alice-sp"
START = datetime(2025, 12, 20, tzinfo=UTC)


@pytest.fixture(params=["node_b", "local"])
def archive(request):
    """Once with the archive on node B (read through FDW), once in node A."""
    request.getfixturevalue("archive_local" if request.param == "local" else "archive_ready")
    return request.param


def plays_make(count: int, *, seed: int, start: datetime = START, days: int = 400) -> list[PlayRow]:
    """Plays of every kind spread over ``days``, denser around DST changes and month ends."""
    rng = random.Random(seed)
    dense = [
        datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin's spring change
        datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York's
        datetime(2026, 10, 25, 1, tzinfo=UTC),  # Berlin's autumn change
        datetime(2026, 1, 31, 23, 30, tzinfo=UTC),  # a month's end
    ]
    rows = []
    for n in range(count):
        if n % 3 == 0:
            when = rng.choice(dense) + timedelta(seconds=rng.randint(-7200, 7200))
        else:
            when = start + timedelta(seconds=rng.randint(0, days * 86400))
        common = {
            "spotify_id": ALICE,
            "played_at": when.replace(microsecond=rng.choice([0, 123000])),
            "ms_played": rng.choice([0, 4_000, 29_999, 30_000, 185_000, 2_400_000]),
            "source": rng.choice(["api", "export"]),
            "platform": rng.choice(["", "android", "iOS 17", "web_player linux"]),
            "country": rng.choice(["", "DE", "FR"]),
            "skipped": rng.choice([None, True, False]),
        }
        if n % 7 == 0:
            uri = f"spotify:episode:e{rng.randint(0, 5)}"
            show = rng.choice(["Radiolab", "Lingthusiasm"])
            rows.append(PlayRow(track_id="", episode_uri=uri, episode_show_name=show, **common))
        else:
            rows.append(PlayRow(track_id=f"t{rng.randint(0, 40)}", **common))
    return rows


def raw_stats(period: Period) -> dict:
    """The statistics aggregated from the plays (the statements over ``plays`` alone)."""
    window = [ALICE, period.start, period.end]
    rows = {
        "tracks": _rows("PER_TRACK_SQL", *window),
        "quarters": _rows("PER_QUARTER_SQL", *window),
        "places": _rows("PER_PLATFORM_COUNTRY_SQL", *window),
        "episodes": _rows("PER_EPISODE_SQL", *window),
    }
    return _stats_from(ALICE, period, rows)


def assert_summaries_equal_plays(period: Period) -> None:
    statements = _period_statements(ALICE, period)
    # The summaries answer (local hours from the quarter hours' summary).
    assert statements["time"].name == "LOCAL_HOURS" and statements["ranked"].sql
    assert _stats(ALICE, period) == raw_stats(period)
    assert _coverage(ALICE) == _coverage_from(_rows("PER_DAY_SOURCE_SQL", ALICE))


def summary_plays(spotify_id: str = ALICE) -> dict[str, int]:
    """Plays counted by each summary of the user, and by plays itself."""
    tables = ["plays", "play_quarters", "play_month_places", "play_day_sources"]
    counts = {}
    with connections[archive_alias()].cursor() as cursor:
        for table in tables:
            total = "count(*)" if table == "plays" else "coalesce(sum(plays), 0)"
            cursor.execute(f"SELECT {total} FROM {table} WHERE spotify_id = %s", [spotify_id])
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT coalesce(sum(plays), 0) FROM play_month_tracks WHERE spotify_id = %s)"
            " + (SELECT coalesce(sum(plays), 0) FROM play_month_episodes WHERE spotify_id = %s)",
            [spotify_id, spotify_id],
        )
        counts["tracks and episodes"] = cursor.fetchone()[0]
    return counts


def year(zone: str, first: date = date(2026, 1, 1), last: date = date(2026, 12, 31)) -> Period:
    return Period("custom", first, last, ZoneInfo(zone))


@ARCHIVE_TX
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "UTC"])
def test_summary_stats_equal_the_plays_when_the_year_crosses_dst_changes(archive, zone):
    plays_store(plays=plays_make(900, seed=1))
    assert_summaries_equal_plays(year(zone))


@ARCHIVE_TX
def test_summary_stats_equal_the_plays_when_a_custom_period_has_partial_months(archive):
    plays_store(plays=plays_make(900, seed=2))
    # Starts and ends mid-month, in a zone whose midnight is not UTC's, across a DST change.
    assert_summaries_equal_plays(year("Europe/Berlin", date(2026, 1, 17), date(2026, 4, 3)))
    # Shorter than a month: every play is an edge.
    assert_summaries_equal_plays(year("America/New_York", date(2026, 3, 2), date(2026, 3, 12)))


@ARCHIVE_TX
def test_summaries_count_each_play_once_when_the_same_plays_are_stored_twice(archive):
    rows = plays_make(600, seed=3)
    first = plays_store(plays=rows)
    again = plays_store(plays=rows[::-1])
    assert again.inserted == 0
    counts = summary_plays()
    assert set(counts.values()) == {first.inserted}, counts
    assert_summaries_equal_plays(year("Europe/Berlin"))


@ARCHIVE_TX
def test_summaries_follow_the_plays_when_polling_adds_plays_to_an_import(archive):
    plays_store(plays=plays_make(500, seed=4))
    before = _stats(ALICE, year("Europe/Berlin"))
    polled = [
        PlayRow(spotify_id=ALICE, played_at=datetime(2026, 6, 1, 8, i, tzinfo=UTC), track_id="t1")
        for i in range(5)
    ]
    assert plays_store(plays=polled).inserted == 5
    after = _stats(ALICE, year("Europe/Berlin"))
    assert after["totals"]["plays"] == before["totals"]["plays"] + 5
    assert_summaries_equal_plays(year("Europe/Berlin"))


@ARCHIVE_TX
def test_summaries_follow_the_plays_when_some_plays_are_deleted(archive):
    plays_store(plays=plays_make(700, seed=5))
    plays_store(
        plays=[PlayRow(spotify_id="bob-sp", played_at=START + timedelta(days=40), track_id="t1")]
    )
    with connections[archive_alias()].cursor() as cursor:
        cursor.execute(
            "DELETE FROM plays WHERE spotify_id = %s AND played_at >= %s AND played_at < %s",
            [ALICE, datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 4, 15, tzinfo=UTC)],
        )
        assert cursor.rowcount > 0
    assert_summaries_equal_plays(year("Europe/Berlin"))
    assert summary_plays("bob-sp")["play_quarters"] == 1


@ARCHIVE_TX
def test_summaries_of_a_user_are_emptied_when_their_plays_are_deleted(archive):
    plays_store(plays=plays_make(300, seed=7))
    plays_store(
        plays=[PlayRow(spotify_id="bob-sp", played_at=START + timedelta(days=3), track_id="t9")]
    )
    plays_delete_for_user(spotify_id=ALICE)
    assert summary_plays() == dict.fromkeys(summary_plays(), 0)
    with connections[archive_alias()].cursor() as cursor:
        for table in ("play_quarters", "play_month_tracks", "play_day_sources"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE spotify_id = %s", [ALICE])
            assert cursor.fetchone()[0] == 0, table
    assert summary_plays("bob-sp")["play_month_places"] == 1


@ARCHIVE_TX
def test_summary_stats_equal_the_plays_when_an_export_is_imported_twice(
    archive, alice, settings, tmp_path
):
    from music.services.plays_import import play_import_claim, play_import_run

    settings.PLAY_IMPORT_DIR = str(tmp_path / "imports")
    items = extended_items(400, start=START, step=timedelta(hours=7), tracks=30, seed=8)
    export = write_zip(
        tmp_path / "my_spotify_data.zip",
        {f"{EXTENDED_FOLDER}/Streaming_History_Audio_2026_0.json": items},
    )
    jobs = []
    for _ in range(2):
        upload = Path(settings.PLAY_IMPORT_DIR) / uuid.uuid4().hex / "0000"
        upload.mkdir(parents=True)
        shutil.copy(export, upload / export.name)
        job = PlayImport.objects.create(
            user=alice, upload_dir=str(upload.parent), upload_names=[export.name]
        )
        jobs.append(play_import_run(import_id=job.pk, attempt=play_import_claim(import_id=job.pk)))
    assert (jobs[0].imported, jobs[1].imported) == (400, 0)
    assert set(summary_plays(alice.spotify_id).values()) == {400}
    assert alice.spotify_id == ALICE
    assert_summaries_equal_plays(year("Europe/Berlin", date(2025, 12, 1), date(2026, 4, 30)))


@ARCHIVE_TX
def test_summary_stats_fall_back_to_the_plays_when_the_zone_is_not_in_quarter_hours(archive):
    # Amsterdam kept local mean time (+00:19:32) until 1937: no quarter hour fits its midnight.
    old = datetime(1930, 5, 1, tzinfo=UTC)
    plays_store(
        plays=[
            PlayRow(spotify_id=ALICE, played_at=old + timedelta(hours=h), track_id="t1")
            for h in range(30)
        ]
    )
    period = year("Europe/Amsterdam", date(1930, 5, 1), date(1930, 5, 2))
    assert _period_statements(ALICE, period)["time"].name == "PER_QUARTER_SQL"
    stats = _stats(ALICE, period)
    assert stats == raw_stats(period)
    assert stats["totals"]["plays"] == 30


def catalogue_make() -> None:
    """Names for plays_make's tracks: t0-t24 in the catalogue with credits (one, two or three
    artists, shared between tracks), albums by id (shared) and by name alone (no album id);
    t25-t29 in the catalogue with no credits; t30-t40 only named by their plays."""
    artists = [Artist.objects.create(id=f"a{n}", name=f"Artist {n % 5}") for n in range(8)]
    for n in range(30):
        album_id = f"al{n % 6}" if n % 4 else ""
        if n >= 25:  # an album's tracks share their first artist: these have none
            album_id = f"al{n}"
        album = f"Album {n % 6}" if album_id else ["Night", "Day", ""][n % 3]
        track = Track.objects.create(
            id=f"t{n}",
            name=f"Track {n % 17}",  # names repeat: ties are broken by name, then further
            album_id=album_id,
            album_name=album,
            album_image_url=f"https://i.scdn.co/image/{n % 6}" if n % 6 != 5 else None,
            url=f"https://open.spotify.com/track/t{n}" if n % 5 else "",
        )
        if n >= 25:
            continue
        first = n % 6 if album_id else n % 8  # an album's tracks share their first artist
        credited = [first, *(((first + k * 3) % 8) for k in range(1, n % 3 + 1))]
        for position, artist in enumerate(dict.fromkeys(credited)):
            TrackArtist.objects.create(track=track, artist=artists[artist], position=position)


def plays_named(rows: list[PlayRow], seed: int) -> list[PlayRow]:
    """The plays of the tracks the catalogue does not know, with names as an export gives them
    (some albums also named by catalogue tracks with no album id, by the same artist)."""
    rng = random.Random(seed)
    named = []
    for row in rows:
        number = int(row.track_id[1:]) if row.track_id else -1
        if number >= 30:
            row = replace(
                row,
                track_name=f"Track {number % 17}" if number % 5 else "",
                artist_name=["Artist 0", "Artist 1", "Solo", ""][number % 4],
                album_name=rng.choice(["Night", "Day", ""]) if number % 2 else "Night",
            )
        named.append(row)
    return named


@ARCHIVE_TX
@pytest.mark.parametrize("top", [listening_stats.TOP, 3])
def test_summary_rankings_equal_the_plays_when_tracks_are_named_by_catalogue_and_plays(
    archive, monkeypatch, top
):
    catalogue_make()
    plays_store(plays=plays_named(plays_make(900, seed=11), seed=11))
    # A short top: ties at the cut (ranked by node A) are ordered by name as Python orders them.
    monkeypatch.setattr(listening_stats, "TOP", top)
    monkeypatch.setattr(listening_stats, "MOST_SKIPPED", min(top, 10))
    # A custom period with partial months at both ends, across Berlin's spring DST change.
    period = year("Europe/Berlin", date(2026, 1, 17), date(2026, 4, 3))
    assert_summaries_equal_plays(period)
    stats = _stats(ALICE, period)
    for kind in ("tracks", "artists", "albums"):
        for metric in ("plays", "ms"):
            length = len(stats[kind][metric])
            assert length == top if top < 10 else 10 < length < top, (kind, metric)
    names = {a["name"] for metric in ("plays", "ms") for a in stats["artists"][metric]}
    assert names & {"Solo", "Artist 0"}  # named from the plays, and from the catalogue
    assert stats["most_skipped"] and len(stats["most_skipped"]) <= min(top, 10)
    assert_summaries_equal_plays(year("America/New_York"))
