"""Listening statistics: periods in the user's zone, the numbers (on node B through postgres_fdw
and in the main database alike), push-down of every statement, gaps, the cache, the pages."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from analytics.listening import queries
from analytics.listening.periods import PeriodInvalid, period_resolve
from analytics.listening.stats import (
    PYTHON_ROWS,
    coverage_get,
    coverage_with_stats,
    gaps_in,
    listening_cache_forget,
    listening_stats,
)
from music.models import Artist, Track, TrackArtist
from music.services.plays import PlayRow, plays_store

ARCHIVE_TX = pytest.mark.django_db(transaction=True, databases=["default", "archive"])
BERLIN = ZoneInfo("Europe/Berlin")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["node_b", "local"])
def archive(request):
    """Run the test once with the archive on node B (read through FDW), once in node A."""
    request.getfixturevalue("archive_local" if request.param == "local" else "archive_ready")
    return request.param


def play(
    when: datetime, track: str = "t1", ms: int = 180_000, user: str = "alice-sp", **extra
) -> PlayRow:
    return PlayRow(spotify_id=user, played_at=when, track_id=track, ms_played=ms, **extra)


def episode(when: datetime, show: str, uri: str, ms: int = 1_200_000) -> PlayRow:
    return PlayRow(
        spotify_id="alice-sp",
        played_at=when,
        track_id="",
        ms_played=ms,
        episode_name="Ep",
        episode_show_name=show,
        episode_uri=uri,
    )


def catalogue() -> None:
    aurora = Artist.objects.create(id="a1", name="Aurora")
    bjork = Artist.objects.create(id="a2", name="Björk")
    for tid, name, album, credited in [
        ("t1", "One", "First", [aurora]),
        ("t2", "Two", "First", [aurora, bjork]),
        ("t3", "Three", "Second", [bjork]),
    ]:
        track = Track.objects.create(id=tid, name=name, album_id=f"al-{album}", album_name=album)
        for position, artist in enumerate(credited):
            TrackArtist.objects.create(track=track, artist=artist, position=position)


def period(key="custom", *, zone=UTC_ZONE, start="2026-03-01", end="2026-03-31"):
    return period_resolve(key=key, zone=zone, now=NOW, start=start, end=end)


# --- Periods ------------------------------------------------------------------------------------


def test_period_today_is_the_users_local_day_when_utc_is_already_tomorrow():
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Berlin
    today = period_resolve(key="today", zone=BERLIN, now=late)
    assert today.first_day == date(2026, 3, 11)
    assert today.start == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)


def test_period_spans_the_dst_change_with_a_23_hour_day():
    spring = period("custom", zone=BERLIN, start="2026-03-29", end="2026-03-29")
    assert spring.end.astimezone(UTC) - spring.start.astimezone(UTC) == timedelta(hours=23)


def test_period_presets_resolve_in_the_users_calendar():
    assert period_resolve(key="year", zone=BERLIN, now=NOW).first_day == date(2026, 1, 1)
    last = period_resolve(key="last-year", zone=BERLIN, now=NOW)
    assert (last.first_day, last.last_day) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period_resolve(key="7d", zone=BERLIN, now=NOW).days == 7
    assert period_resolve(key="4w", zone=BERLIN, now=NOW).days == 28
    assert period_resolve(key="6m", zone=BERLIN, now=NOW).first_day == date(2025, 11, 2)
    first = datetime(2019, 6, 1, tzinfo=UTC)
    assert period_resolve(key="all", zone=BERLIN, now=NOW, first_play=first).first_day == date(
        2019, 6, 1
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-05", "2026-03-01", "ends before"),
        ("", "2026-03-01", "both dates"),
        ("1900-01-01", "2026-01-01", "30 years"),
    ],
)
def test_period_custom_is_refused_when_its_dates_make_no_sense(start, end, message):
    with pytest.raises(PeriodInvalid, match=message):
        period("custom", start=start, end=end)


# --- The numbers, in either mode ------------------------------------------------------------


def listening_month() -> None:
    catalogue()
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    rows = [
        play(day + timedelta(minutes=5 * i), "t1", platform="Android OS 14", country="DE")
        for i in range(5)
    ]
    rows += [
        play(
            day + timedelta(hours=1, minutes=5 * i),
            "t2",
            ms=400_000,
            platform="iOS 17.4 (iPhone15,2)",
            country="FR",
        )
        for i in range(3)
    ]
    rows += [
        play(
            day + timedelta(hours=2, minutes=i),
            "t3",
            ms=5_000,
            skipped=True,
            platform="web_player linux",
            country="DE",
        )
        for i in range(2)
    ]
    rows.append(
        play(
            day + timedelta(hours=3),
            "local:abc",
            track_name="Lost Song",
            artist_name="Nobody",
            album_name="Attic",
        )
    )
    rows += [
        episode(day + timedelta(hours=5 + i), "Radiolab", f"spotify:episode:e{i % 2}")
        for i in range(3)
    ]
    rows.append(play(datetime(2026, 4, 2, tzinfo=UTC), "t1"))  # outside March
    rows.append(play(day, "t1", user="bob-sp"))  # someone else's
    plays_store(plays=rows)


@ARCHIVE_TX
def test_listening_stats_rank_tracks_artists_and_albums_by_plays_and_minutes(archive, alice, bob):
    listening_month()
    stats = listening_stats(user=alice, period=period())
    by_plays = [(t["id"], t["plays"]) for t in stats["tracks"]["plays"]]
    by_minutes = [(t["id"], t["ms"]) for t in stats["tracks"]["ms"]]
    assert by_plays == [("t1", 5), ("t2", 3), ("t3", 2), ("local:abc", 1)]
    assert by_minutes[:2] == [("t2", 1_200_000), ("t1", 900_000)]
    # A play counts for each credited artist; a track missing from the catalogue by its names.
    artists = {a["name"]: (a["plays"], a["ms"]) for a in stats["artists"]["plays"]}
    assert artists == {"Aurora": (8, 2_100_000), "Björk": (5, 1_210_000), "Nobody": (1, 180_000)}
    assert [a["name"] for a in stats["albums"]["ms"]] == ["First", "Attic", "Second"]


@ARCHIVE_TX
def test_listening_stats_count_skips_platforms_countries_and_podcasts(archive, alice, bob):
    listening_month()
    stats = listening_stats(user=alice, period=period())
    totals = stats["totals"]
    assert (totals["plays"], totals["track_plays"], totals["podcast_plays"]) == (14, 11, 3)
    assert (totals["skips"], totals["skip_rate"]) == (2, round(2 / 11, 4))
    assert [(t["id"], t["skips"]) for t in stats["most_skipped"]] == [("t3", 2)]
    platforms = {p["name"]: p["plays"] for p in stats["platforms"]}
    assert platforms == {"Android": 5, "iOS": 3, "Web player": 2, "Unknown": 4}
    assert {c["name"]: c["plays"] for c in stats["countries"]} == {"DE": 7, "FR": 3, "Unknown": 4}
    assert stats["podcasts"] == [{"show": "Radiolab", "plays": 3, "ms": 3_600_000, "episodes": 2}]


@ARCHIVE_TX
def test_listening_stats_put_plays_in_the_users_local_hours_across_dst_changes(archive, alice):
    # Berlin moves from UTC+1 to UTC+2 on 29 March 2026 and back on 25 October 2026.
    rows = [
        play(datetime(2026, 3, 28, 6, 30, tzinfo=UTC)),  # Sat 07:30
        play(datetime(2026, 3, 29, 6, 30, tzinfo=UTC)),  # Sun 08:30 (summer time)
        play(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)),  # Mon 30th 00:30
        play(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # Sun 02:30, first time
        play(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ]  # Sun 02:30 again (winter)
    plays_store(plays=rows)
    spring = listening_stats(
        user=alice, period=period(zone=BERLIN, start="2026-03-27", end="2026-03-31")
    )
    clock = spring["clock"]
    assert clock[5][7] == clock[6][8] == clock[0][0] == 180_000  # Sat 7h, Sun 8h, Mon 0h
    assert sum(map(sum, clock)) == 3 * 180_000
    days = {d: plays for d, plays, _ in spring["series"]["day"]}
    assert days == {
        "2026-03-27": 0,
        "2026-03-28": 1,
        "2026-03-29": 1,
        "2026-03-30": 1,
        "2026-03-31": 0,
    }
    autumn = listening_stats(
        user=alice, period=period(zone=BERLIN, start="2026-10-25", end="2026-10-25")
    )
    assert autumn["clock"][6][2] == 2 * 180_000  # the hour that happens twice holds both


@ARCHIVE_TX
def test_listening_stats_series_cover_every_week_and_month_of_the_period(archive, alice):
    plays_store(
        plays=[
            play(datetime(2026, 1, 5, 9, tzinfo=UTC)),
            play(datetime(2026, 3, 31, 9, tzinfo=UTC), ms=60_000),
        ]
    )
    stats = listening_stats(user=alice, period=period(start="2026-01-01", end="2026-03-31"))
    months = stats["series"]["month"]
    assert months == [["2026-01-01", 1, 180_000], ["2026-02-01", 0, 0], ["2026-03-01", 1, 60_000]]
    weeks = stats["series"]["week"]
    assert weeks[0][0] == "2025-12-29" and weeks[-1][0] == "2026-03-30"  # Mondays
    assert sum(w[2] for w in weeks) == 240_000


# --- Gaps -------------------------------------------------------------------------------------


@ARCHIVE_TX
def test_coverage_marks_the_gap_between_the_export_and_polling(archive, alice):
    export = [
        play(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * i), source="export")
        for i in range(100)
    ]  # ends 29 January
    polled = [play(datetime(2026, 2, 10, tzinfo=UTC) + timedelta(hours=5 * i)) for i in range(50)]
    outage_after = [play(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=i)) for i in range(5)]
    plays_store(plays=export + polled + outage_after)
    coverage = coverage_get(spotify_id=alice.spotify_id)
    labels = [(g["start"][:10], g["end"][:10], g["label"]) for g in coverage["gaps"]]
    assert labels == [
        ("2026-01-29", "2026-02-10", "Between your imported history and polling"),
        ("2026-02-20", "2026-03-01", "Polling outage, or no listening"),
    ]
    shown = gaps_in(
        coverage,
        start=datetime(2025, 12, 1, tzinfo=UTC),
        end=datetime(2026, 2, 15, tzinfo=UTC),
        now=NOW,
    )
    assert [g["label"] for g in shown] == [
        "Before your history starts",
        "Between your imported history and polling",
    ]
    assert shown[0]["start"].startswith("2025-12-01") and shown[0]["end"].startswith("2026-01-01")
    since = gaps_in(coverage, start=datetime(2026, 4, 1, tzinfo=UTC), end=NOW, now=NOW)
    assert [g["label"] for g in since] == ["Since your last stored play"]


# --- Push-down: each statement's Remote SQL holds the user, the window and the GROUP BY -----


def remote_sql(template: str, params: list) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(queries.PUSH_DOWN_GROUPING)
        cursor.execute("EXPLAIN (VERBOSE) " + queries.statement(template), params)
        plan = [row[0] for row in cursor.fetchall()]
    return [line.strip() for line in plan if "Remote SQL" in line]


@pytest.fixture
def months_on_node_b(alice, archive_ready):
    catalogue()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [play(start + timedelta(hours=i), f"t{1 + i % 3}") for i in range(3000)]
    rows += [
        episode(
            start + timedelta(hours=i, minutes=30), f"Show {i % 4}", f"spotify:episode:e{i % 40}"
        )
        for i in range(0, 3000, 5)
    ]
    plays_store(plays=rows)
    from django.db import connections

    with connections["archive"].cursor() as cursor:
        cursor.execute("ANALYZE plays")


WINDOW = ["alice-sp", datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)]


@ARCHIVE_TX
@pytest.mark.parametrize(
    "name", ["PER_TRACK_SQL", "PER_QUARTER_SQL", "PER_PLATFORM_COUNTRY_SQL", "PER_EPISODE_SQL"]
)
def test_period_statements_filter_and_group_on_node_b(months_on_node_b, name):
    [remote] = remote_sql(getattr(queries, name), WINDOW)
    assert "FROM public.plays" in remote and "GROUP BY" in remote
    assert "spotify_id = " in remote
    assert "played_at >= '2026-02-01" in remote and "played_at < '2026-03-01" in remote


@ARCHIVE_TX
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("TRACK_NAMES_SQL", ["alice-sp", ["t1", "t2"]]),
        ("PER_DAY_SOURCE_SQL", ["alice-sp"]),
        ("ARTIST_PER_DAY_SQL", ["alice-sp", ["t1", "t2"]]),
        ("ARTIST_PER_TRACK_SQL", ["alice-sp", ["t1", "t2"]]),
    ],
)
def test_all_time_statements_filter_and_group_on_node_b(months_on_node_b, name, params):
    [remote] = remote_sql(getattr(queries, name), params)
    assert "FROM public.plays" in remote and "GROUP BY" in remote
    assert "spotify_id = " in remote
    if len(params) > 1:
        assert "track_id = ANY (" in remote


# --- The cache ------------------------------------------------------------------------------


@ARCHIVE_TX
def test_listening_stats_are_read_from_the_cache_until_new_plays_arrive(
    archive, alice, django_assert_num_queries
):
    plays_store(plays=[play(datetime(2026, 3, 3, tzinfo=UTC))])
    march = period()
    assert listening_stats(user=alice, period=march)["totals"]["plays"] == 1
    with django_assert_num_queries(0):
        assert listening_stats(user=alice, period=march)["totals"]["plays"] == 1
    plays_store(plays=[play(datetime(2026, 3, 4, tzinfo=UTC))])
    assert listening_stats(user=alice, period=march)["totals"]["plays"] == 2


@ARCHIVE_TX
def test_cold_page_computes_coverage_and_stats_in_one_batch_equal_to_each_alone(
    archive, alice, django_assert_num_queries
):
    catalogue()
    plays_store(
        plays=[play(datetime(2026, 1, 5, tzinfo=UTC), "t3")]
        + [play(datetime(2026, 3, d, 20, tzinfo=UTC), f"t{1 + d % 3}") for d in range(1, 29)]
        + [episode(datetime(2026, 3, 9, 7, tzinfo=UTC), "Show", "spotify:episode:e1")]
    )
    march = period()
    coverage = coverage_with_stats(user=alice, period=march)
    with django_assert_num_queries(0):  # both cached by the one batch
        assert coverage_get(spotify_id=alice.spotify_id) == coverage
        together = listening_stats(user=alice, period=march)
    listening_cache_forget(spotify_id=alice.spotify_id)
    assert coverage_get(spotify_id=alice.spotify_id) == coverage
    assert listening_stats(user=alice, period=march) == together
    assert together["totals"]["plays"] == 29 and coverage["plays"] == 30
    assert coverage["first"].startswith("2026-01-05") and len(coverage["gaps"]) == 1
    with django_assert_num_queries(0):  # warm: nothing computed again
        assert coverage_with_stats(user=alice, period=march) == coverage


@ARCHIVE_TX
def test_listening_stats_stay_cached_when_plays_already_stored_arrive_again(
    archive, alice, django_assert_num_queries
):
    rows = [play(datetime(2026, 3, 3, tzinfo=UTC))]
    plays_store(plays=rows)
    listening_stats(user=alice, period=period())
    plays_store(plays=rows)  # nothing new
    with django_assert_num_queries(0):
        listening_stats(user=alice, period=period())


# --- The pages ---------------------------------------------------------------------------------


@ARCHIVE_TX
def test_listening_page_shows_the_period_in_the_users_zone(archive_ready, alice, bob, client):
    listening_month()
    alice.time_zone = "Europe/Berlin"
    alice.save()
    client.force_login(alice)
    page = client.get("/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="total-plays">14<' in html and "Europe/Berlin" in html
    assert "One" in html and "Radiolab" in html and 'href="/analytics/listening/artist/a1/"' in html
    ms_page = client.get(
        "/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31&metric=ms"
    ).content.decode()
    top = ms_page.split('id="top-tracks"')[1]
    assert top.index("Two") < top.index("One")  # by minutes, Two (20 min) comes first


@ARCHIVE_TX
def test_listening_page_shows_no_query_text_back_when_the_period_is_not_custom(
    archive_ready, alice, client
):
    listening_month()
    client.force_login(alice)
    url = "/analytics/listening/?period=4w&from=planted-text-7q&to=2026-03-31"
    for _ in range(2):  # rendered, then the kept page
        page = client.get(url)
        assert page.status_code == 200
        assert b"planted-text-7q" not in page.content and b"2026-03-31" not in page.content
    # A custom period keeps its dates in the page's links and fields.
    custom = client.get("/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31")
    assert b"from=2026-03-01&amp;to=2026-03-31" in custom.content
    assert b'name="from" value="2026-03-01"' in custom.content


@ARCHIVE_TX
def test_listening_page_marks_gaps_on_the_timeline(archive_ready, alice, client):
    plays_store(
        plays=[
            play(datetime(2026, 3, 1, 9, tzinfo=UTC), source="export"),
            play(datetime(2026, 3, 20, 9, tzinfo=UTC)),
        ]
    )
    client.force_login(alice)
    with time_machine.travel(datetime(2026, 3, 21, 12, tzinfo=UTC)):
        html = client.get("/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31")
    html = html.content
    assert b"Between your imported history and polling" in html
    assert html.count(b"tl-bar tl-gap") == 18  # 2nd to 19th March hold no data


@ARCHIVE_TX
def test_listening_page_refuses_a_custom_period_that_ends_before_it_starts(
    archive_ready, alice, client
):
    client.force_login(alice)
    page = client.get("/analytics/listening/?period=custom&from=2026-03-05&to=2026-03-01")
    assert page.status_code == 400 and b"ends before it starts" in page.content


@ARCHIVE_TX
def test_listening_page_all_time_starts_at_the_first_play_and_counts_every_play(
    archive_ready, alice, client
):
    plays_store(
        plays=[play(datetime(2025, 6, 1, 9, tzinfo=UTC))]
        + [play(datetime.now(UTC) - timedelta(days=d)) for d in range(1, 4)]
    )
    client.force_login(alice)
    for key in ("all", "4w"):  # "all" needs the coverage first; the others fetch it together
        html = client.get(f"/analytics/listening/?period={key}").content.decode()
        assert f'id="total-plays">{4 if key == "all" else 3}<' in html, key


@ARCHIVE_TX
def test_listening_page_says_the_archive_is_unavailable_when_node_b_is_down(
    archive_ready, alice, client, node_b_down
):
    client.force_login(alice)
    page = client.get("/analytics/listening/?period=4w")
    assert page.status_code == 503 and b"archive unavailable" in page.content.lower()
    assert b"Dashboard" in page.content  # the rest of the site still renders


@ARCHIVE_TX
def test_listening_artist_page_shows_first_and_last_listen_and_months(archive_ready, alice, client):
    catalogue()
    plays_store(
        plays=[
            play(datetime(2025, 11, 3, 20, tzinfo=UTC), "t2"),
            play(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "t1"),  # 1 Feb, Berlin
            play(datetime(2026, 2, 2, tzinfo=UTC), "t3"),
        ]
    )  # Björk only
    alice.time_zone = "Europe/Berlin"
    alice.save()
    client.force_login(alice)
    html = client.get("/analytics/listening/artist/a1/").content.decode()
    assert 'id="artist-plays">2<' in html
    assert 'id="first-listen">3 Nov 2025<' in html and 'id="last-listen">1 Feb 2026<' in html
    assert html.count('class="tl-bar"') == 4  # November to February, empty months included


@ARCHIVE_TX
def test_listening_page_shows_only_the_users_own_plays(archive_ready, alice, bob, client):
    listening_month()
    client.force_login(bob)
    html = client.get("/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31")
    assert b'id="total-plays">1<' in html.content and b"Radiolab" not in html.content


# --- Without PostgreSQL (the embedded SQLite default): the same rows computed in Python -----


@ARCHIVE_TX
@pytest.mark.parametrize("name", sorted(PYTHON_ROWS))
def test_python_rows_equal_the_statements_rows_when_the_database_is_not_postgresql(
    archive_ready, alice, bob, name
):
    listening_month()
    plays_store(plays=[play(datetime(2026, 3, 20, tzinfo=UTC), "t2", source="export")])
    if name.startswith("ARTIST") or name == "TRACK_NAMES_SQL":
        params = ["alice-sp", ["t1", "t2", "local:abc"]]
    elif name == "PER_DAY_SOURCE_SQL":
        params = ["alice-sp"]
    else:
        params = ["alice-sp", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)]
    expected = queries.fetch(getattr(queries, name), params)
    assert expected
    assert sorted(PYTHON_ROWS[name](*params), key=repr) == sorted(expected, key=repr)


@ARCHIVE_TX
def test_listening_page_uses_the_browsers_zone_when_the_account_sets_none(archive_ready, alice,
                                                                          client):  # fmt: skip
    # 23:30 UTC on 9 March is 08:30 on 10 March in Tokyo.
    plays_store(plays=[play(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))])
    client.force_login(alice)
    client.cookies["tz"] = "Asia%2FTokyo"
    html = client.get("/analytics/listening/?period=custom&from=2026-03-10&to=2026-03-10").content
    assert b'id="total-plays">1<' in html and b"Asia/Tokyo" in html
    alice.time_zone = "UTC"  # the account's choice wins over the browser's
    alice.save()
    html = client.get("/analytics/listening/?period=custom&from=2026-03-10&to=2026-03-10").content
    assert b'id="total-plays">1<' not in html


@ARCHIVE_TX
def test_listening_page_of_the_demo_shows_its_generated_history_and_its_gap(archive_ready, client):
    from django.core.management import call_command

    from accounts.selectors import user_demo_get

    call_command("load_demo", stdout=io.StringIO())
    client.force_login(user_demo_get())
    html = client.get("/analytics/listening/?period=6m").content.decode()
    assert "Between your imported history and polling" in html
    assert 'class="tl-bar tl-gap"' in html and "Sound Science" in html
    assert "Android" in html and "skipped" in html


@ARCHIVE_TX
def test_listening_page_is_served_from_the_cache_when_nothing_changed(
    archive_ready, alice, client, django_assert_max_num_queries
):
    listening_month()
    client.force_login(alice)
    url = "/analytics/listening/?period=custom&from=2026-03-01&to=2026-03-31"
    first = client.get(url).content
    with django_assert_max_num_queries(2):  # the session and the user; no statement on plays
        again = client.get(url).content

    def body(html: bytes) -> bytes:  # the page without its per-request CSRF token
        return html.split(b'class="listening-totals"')[1]

    assert body(again) == body(first)
    plays_store(plays=[play(datetime(2026, 3, 30, tzinfo=UTC), "t3")])
    assert b'id="total-plays">15<' in client.get(url).content
