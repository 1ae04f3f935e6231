"""Listening statistics of one user over one period, computed from a few pushed-down statements
(``queries``) and cached in Redis per user and period.

Cache: ``listening:<spotify id>:<version>:<zone>:<first day>:<last day>`` holds the page's data
as JSON; ``listening:version:<spotify id>`` changes whenever plays reach the archive
(``music.signals.plays_stored``), so every cached period of that user is dropped at once (its
keys are no longer read, and expire after ``CACHE_TTL``).
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections

from personalify.archive import archive_errors
from personalify.cache import cache_get, cache_set

from . import python_rows, queries
from .periods import Period
from .windows import QUARTER, month_window, zone_segments

TOP = 50
MOST_SKIPPED = 10
SERIES_KINDS = ("day", "week", "month")
GAP_LABELS = {
    ("export", "api"): "Between your imported history and polling",
    ("api", "api"): "Polling outage, or no listening",
    ("export", "export"): "No plays in your export",
    ("api", "export"): "No plays stored",
    ("before", ""): "Before your history starts",
    ("after", ""): "Since your last stored play",
}


def _version_key(spotify_id: str) -> str:
    return f"listening:version:{spotify_id}"


def listening_cache_forget(*, spotify_id: str) -> None:
    """Drop every cached statistic of the user (new plays arrived)."""
    cache_set(_version_key(spotify_id), uuid.uuid4().hex[:12], None)


def _cache_key(spotify_id: str, part: str) -> str:
    version = cache_get(_version_key(spotify_id)) or "0"
    return f"listening:{spotify_id}:{version}:{part}"


def _cached(spotify_id: str, part: str, compute):
    key = _cache_key(spotify_id, part)
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value, settings.CACHE_TTL)
    return value


def listening_html_cached(*, spotify_id: str, part: str, render) -> str:
    """A rendered section of the statistics, cached (and dropped) with the user's data."""
    return _cached(spotify_id, part, render)


# Each statement, and its rows computed in Python for a database that is not PostgreSQL.
PYTHON_ROWS = {
    "PER_TRACK_SQL": python_rows.per_track,
    "TRACK_NAMES_SQL": python_rows.track_names,
    "PER_QUARTER_SQL": python_rows.per_quarter,
    "PER_PLATFORM_COUNTRY_SQL": python_rows.per_platform_country,
    "PER_EPISODE_SQL": python_rows.per_episode,
    "PER_DAY_SOURCE_SQL": python_rows.per_day_source,
    "ARTIST_PER_DAY_SQL": python_rows.artist_per_day,
    "ARTIST_PER_TRACK_SQL": python_rows.artist_per_track,
}


def _rows(name: str, *params) -> list[tuple]:
    if connection.vendor == "postgresql":
        return queries.fetch(getattr(queries, name), list(params))
    with archive_errors():
        return PYTHON_ROWS[name](*params)


@dataclass(frozen=True)
class Statement:
    """One statement of the page: ``name`` (its rows computed in Python when the database is not
    PostgreSQL), its parameters, and its SQL when it is not ``queries.<name>`` (the summaries')."""

    name: str
    params: list
    sql: str = ""
    archive_only: bool = False  # reads the archive's tables alone: run on node B directly
    named: bool = False  # per-track rows from node B, then named from node A's catalogue
    # What the page needs from the rows, computed in the thread that fetched them (while
    # another waits for its statement): ``_fetch`` returns it instead of the rows.
    shape: Callable[[list[tuple]], object] | None = None


def _fetch(statement: Statement):
    rows = _fetch_rows(statement)
    return statement.shape(rows) if statement.shape else rows


def _fetch_rows(statement: Statement):
    if not statement.sql or connection.vendor != "postgresql":
        return _rows(statement.name, *statement.params)
    fetch = queries.fetch_archive if statement.archive_only else queries.fetch
    rows = fetch(statement.sql, statement.params)
    if statement.named:
        return [_ranked_in_sql(statement.params[0], rows)]
    return rows


def _ranked_in_sql(spotify_id: str, rows: list[tuple]) -> dict:
    """The per-track rows (id, plays, ms, skips) ranked with node A's catalogue
    (``queries.ranked_sql``): the shape ``_ranked_all`` gives from every named track."""
    if not rows:
        return _ranked_all(spotify_id, [])
    columns = [list(column) for column in zip(*rows, strict=True)]
    sql = queries.ranked_sql(TOP, MOST_SKIPPED)
    names: list[list] = [[], [], [], []]
    (ranked,) = queries.fetch_catalogue(sql, [*columns, *names])[0]
    if ranked["missing"]:  # tracks the catalogue does not name: named from their plays
        named = _rows("TRACK_NAMES_SQL", spotify_id, ranked["missing"])
        names = [[value or "" for value in column] for column in zip(*named, strict=True)]
        (ranked,) = queries.fetch_catalogue(sql, [*columns, *names])[0]
    tracks = []
    for row in ranked["tracks"]:
        artists = row["artists"]
        if not artists and row["artist_name"]:
            artists = [{"id": "", "name": row["artist_name"]}]
        tracks.append(
            {
                "id": row["id"],
                "name": row["name"],
                "artists": artists,
                "album": row["album"],
                "album_id": row["album_id"],
                "image": row["image"],
                "url": row["url"] if row["url"].startswith("https://") else "",
                "plays": int(row["plays"]),
                "ms": int(row["ms"] or 0),
                "skips": int(row["skips"]),
            }
        )
    return {
        "totals": {key: int(value) for key, value in ranked["totals"].items()},
        "tracks": tracks,
        "artists": ranked["artists"],
        "albums": ranked["albums"],
    }


def _ranked_all(spotify_id: str, rows: list[tuple]) -> dict:
    """Every track of the per-track rows (PER_TRACK_SQL's: named from the catalogue), with
    every artist and album they add up to, and the totals."""
    unnamed = [row[0] for row in rows if not row[4]]
    names = {}
    if unnamed:  # tracks the catalogue does not know: named from their plays
        names = {r[0]: r[1:] for r in _rows("TRACK_NAMES_SQL", spotify_id, unnamed)}
    tracks = [_track(row, names.get(row[0])) for row in rows]
    return {
        "totals": {
            "tracks": len(tracks),
            "plays": sum(t["plays"] for t in tracks),
            "skips": sum(t["skips"] for t in tracks),
        },
        "tracks": tracks,
        "artists": _artists(tracks),
        "albums": _albums(tracks),
    }


def _period_statements(spotify_id: str, period: Period) -> dict[str, Statement]:
    """The statements of a period's statistics: tracks, hours (local, or UTC quarter hours when
    the summaries cannot tell this zone's hours), places and episodes. On PostgreSQL from the
    plays' summaries (whole UTC months, quarter hours) and the plays of the edges."""
    window = [spotify_id, period.start, period.end]

    def from_quarters(rows):
        return _time_part(_local_hours(rows, period.zone), period)

    raw = {
        "tracks": Statement("PER_TRACK_SQL", window),
        "time": Statement("PER_QUARTER_SQL", window, shape=from_quarters),
        "places": Statement("PER_PLATFORM_COUNTRY_SQL", window),
        "episodes": Statement("PER_EPISODE_SQL", window),
    }
    if connection.vendor != "postgresql":
        return raw
    months = month_window(period.start, period.end)
    by_month = [spotify_id, months.first_month, months.end_month, spotify_id, *months.edges]
    statements = {
        "ranked": Statement(
            "PER_TRACK_SQL", by_month, queries.SUMMARY_TRACK_SQL, archive_only=True, named=True
        ),
        "places": Statement(
            "PER_PLATFORM_COUNTRY_SQL",
            by_month,
            queries.SUMMARY_PLATFORM_COUNTRY_SQL,
            archive_only=True,
        ),
        "episodes": Statement(
            "PER_EPISODE_SQL", by_month, queries.SUMMARY_EPISODE_SQL, archive_only=True
        ),
        "time": raw["time"],
    }
    segments = zone_segments(period.start, period.end, period.zone)
    if segments is not None and period.start.timestamp() >= 0:  # (integer division from 1970)
        offsets = [
            value for (_, off), (at, _) in itertools.pairwise(segments) for value in (at, off)
        ]
        first_quarter = int(period.start.timestamp()) // QUARTER
        end_quarter = int(period.end.timestamp()) // QUARTER
        statements["time"] = Statement(
            "LOCAL_HOURS",
            [*offsets, segments[-1][1], spotify_id, first_quarter, end_quarter],
            queries.local_hours_sql(len(segments)),
            archive_only=True,
            shape=lambda rows: _time_part(rows, period),
        )
    return statements


# --- Coverage and gaps ---------------------------------------------------------------------------


def coverage_get(*, spotify_id: str) -> dict:
    """All of the user's plays at a glance: first and last play, and the gaps (stretches of
    ``LISTENING_GAP_DAYS`` or more with no play stored) with what probably caused each."""
    return _cached(spotify_id, "coverage", lambda: _coverage(spotify_id))


def _coverage(spotify_id: str) -> dict:
    return _fetch(_coverage_statement(spotify_id))


def _coverage_statement(spotify_id: str) -> Statement:
    if connection.vendor == "postgresql":
        return Statement(
            "PER_DAY_SOURCE_SQL",
            [spotify_id],
            queries.SUMMARY_DAY_SOURCE_SQL,
            archive_only=True,
            shape=_coverage_from,
        )
    return Statement("PER_DAY_SOURCE_SQL", [spotify_id], shape=_coverage_from)


def _coverage_from(rows: list[tuple]) -> dict:
    days: dict[int, dict] = {}
    for day, source, count, first, last in rows:
        entry = days.setdefault(
            day,
            {
                "first": first,
                "last": last,
                "first_source": source,
                "last_source": source,
                "plays": 0,
            },
        )
        entry["plays"] += count
        if first < entry["first"]:
            entry["first"], entry["first_source"] = first, source
        if last > entry["last"]:
            entry["last"], entry["last_source"] = last, source
    ordered = [days[d] for d in sorted(days)]
    threshold = timedelta(days=settings.LISTENING_GAP_DAYS)
    gaps = []
    for before, after in itertools.pairwise(ordered):
        if after["first"] - before["last"] >= threshold:
            label = GAP_LABELS.get((before["last_source"], after["first_source"]), "No plays")
            gaps.append(
                {
                    "start": before["last"].isoformat(),
                    "end": after["first"].isoformat(),
                    "label": label,
                }
            )
    first = ordered[0]["first"] if ordered else None
    last = ordered[-1]["last"] if ordered else None
    sources = {source for _, source, *_ in rows}
    return {
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "plays": sum(d["plays"] for d in ordered),
        "gaps": gaps,
        "sources": sorted(sources),
    }


def gaps_in(coverage: dict, *, start: datetime, end: datetime, now: datetime) -> list[dict]:
    """The gaps that touch [start, end), clipped to it, with "before the history starts" and
    "since the last play" added where the period reaches them."""
    found = []
    first = datetime.fromisoformat(coverage["first"]) if coverage["first"] else None
    last = datetime.fromisoformat(coverage["last"]) if coverage["last"] else None
    if first is None:
        return []
    if start < first:
        found.append((start, min(first, end), GAP_LABELS[("before", "")]))
    for gap in coverage["gaps"]:
        found.append(
            (datetime.fromisoformat(gap["start"]), datetime.fromisoformat(gap["end"]), gap["label"])
        )
    threshold = timedelta(days=settings.LISTENING_GAP_DAYS)
    if last is not None and now - last >= threshold:
        found.append((last, now, GAP_LABELS[("after", "")]))
    clipped = []
    edges = {GAP_LABELS[("before", "")], GAP_LABELS[("after", "")]}
    for gap_start, gap_end, label in found:
        lo, hi = max(gap_start, start), min(gap_end, end)
        # A period's edge a few hours from the first or last play is no hole worth marking.
        if lo < hi and (label not in edges or hi - lo >= timedelta(days=1)):
            clipped.append({"start": lo.isoformat(), "end": hi.isoformat(), "label": label})
    return clipped


# --- The statistics of a period --------------------------------------------------------------


def listening_stats(*, user, period: Period) -> dict:
    """Everything the statistics page shows for ``period`` (plain data, cached)."""
    return _cached(user.spotify_id, period.cache_part, lambda: _stats(user.spotify_id, period))


def coverage_with_stats(*, user, period: Period) -> dict:
    """``coverage_get``; when neither the coverage nor ``period``'s statistics are cached (the
    cold page), both are computed from one batch of statements run at once, and both cached.
    ``period`` must not depend on the coverage (any period but "all")."""
    spotify_id = user.spotify_id
    coverage_key = _cache_key(spotify_id, "coverage")
    coverage = cache_get(coverage_key)
    if coverage is not None:
        return coverage
    stats_key = _cache_key(spotify_id, period.cache_part)
    if cache_get(stats_key) is not None:
        return coverage_get(spotify_id=spotify_id)
    statements = _period_statements(spotify_id, period)
    rows = _rows_together({**statements, "coverage": _coverage_statement(spotify_id)})
    coverage = rows["coverage"]
    cache_set(stats_key, _stats_from(spotify_id, period, rows), settings.CACHE_TTL)
    cache_set(coverage_key, coverage, settings.CACHE_TTL)
    return coverage


def _rows_together(statements: dict[str, Statement]) -> dict[str, list[tuple]]:
    """The rows of several statements (by key) at the same time (``LISTENING_PARALLEL_QUERIES``):
    the first statement that reads node A on this thread's connections, each other one on
    connections of its own, and those over the summaries alone one after the other on one
    connection to node B (each takes milliseconds; a connection more per statement, and the
    postgres_fdw session its node A connection opens, cost more than that). One after the other
    when inside a transaction (whose rows other connections cannot see) or not on PostgreSQL."""
    if (
        not settings.LISTENING_PARALLEL_QUERIES
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        return {key: _fetch(statement) for key, statement in statements.items()}
    on_b = {key: s for key, s in statements.items() if s.archive_only and s.sql and not s.named}
    on_a = [(key, s) for key, s in statements.items() if key not in on_b]

    def one(part: list[tuple[str, Statement]]) -> dict[str, list[tuple]]:
        try:
            return {key: _fetch(statement) for key, statement in part}
        finally:
            connections.close_all()  # this thread's own connections

    parts = [[item] for item in on_a[1:]] + ([list(on_b.items())] if on_b else [])
    with ThreadPoolExecutor(max_workers=max(1, len(parts))) as pool:
        futures = [pool.submit(one, part) for part in parts]
        rows = {key: _fetch(statement) for key, statement in on_a[:1]}
        for future in futures:
            rows.update(future.result())
    return {key: rows[key] for key in statements}


def _stats(spotify_id: str, period: Period) -> dict:
    rows = _rows_together(_period_statements(spotify_id, period))
    return _stats_from(spotify_id, period, rows)


def _stats_from(spotify_id: str, period: Period, rows: dict[str, list[tuple]]) -> dict:
    if "ranked" in rows:  # ranked by node A (the tracks that can be in the top lists)
        (ranked,) = rows["ranked"]
    else:
        ranked = _ranked_all(spotify_id, rows["tracks"])
    tracks = ranked["tracks"]
    if "time" in rows:
        time_part = rows["time"]
    else:  # the rows of the statements themselves (the tests' raw aggregation)
        hours = rows["hours"] if "hours" in rows else _local_hours(rows["quarters"], period.zone)
        time_part = _time_part(hours, period)
    places = rows["places"]
    episodes = rows["episodes"]
    track_plays = ranked["totals"]["plays"]
    skips = ranked["totals"]["skips"]
    shows: dict[str, dict] = {}
    for show, _uri, count, ms in episodes:
        name = show or "Unknown show"
        entry = shows.setdefault(name, {"show": name, "plays": 0, "ms": 0, "episodes": 0})
        entry["plays"] += int(count)
        entry["ms"] += int(ms or 0)
        entry["episodes"] += 1
    podcasts = sorted(shows.values(), key=lambda s: (-s["ms"], s["show"]))
    return {
        "totals": {
            "plays": time_part["plays"],
            "ms": time_part["ms"],
            "track_plays": track_plays,
            "tracks": ranked["totals"]["tracks"],
            "podcast_plays": sum(p["plays"] for p in podcasts),
            "podcast_ms": sum(p["ms"] for p in podcasts),
            "skips": skips,
            "skip_rate": round(skips / track_plays, 4) if track_plays else None,
            "days_listened": time_part["days"],
        },
        "tracks": {"plays": _top(tracks, "plays"), "ms": _top(tracks, "ms")},
        "artists": _ranked(ranked["artists"]),
        "albums": _ranked(ranked["albums"]),
        "most_skipped": sorted(
            (t for t in tracks if t["skips"] >= 2),
            key=lambda t: (-t["skips"], -t["plays"], t["name"]),
        )[:MOST_SKIPPED],
        "series": time_part["series"],
        "clock": time_part["clock"],
        "platforms": _shares(places, 0, _platform_family),
        "countries": _shares(places, 1, lambda c: c or "Unknown"),
        "podcasts": podcasts[:TOP],
    }


def _track(row, from_plays: tuple | None = None) -> dict:
    """A track of the per-track rows; ``from_plays`` (track, artist, album names) when the
    catalogue does not know it."""
    (
        track_id,
        plays,
        ms,
        skips,
        name,
        album,
        album_id,
        image,
        url,
        artist_name,
        artist_ids,
        artist_names,
    ) = row
    if from_plays:
        play_track, artist_name, play_album = from_plays
        name, album = name or play_track or track_id, album or play_album
    name = name or track_id
    if artist_ids:
        artists = [{"id": i, "name": n} for i, n in zip(artist_ids, artist_names, strict=True)]
    else:
        artists = [{"id": "", "name": artist_name}] if artist_name else []
    return {
        "id": track_id,
        "name": name,
        "artists": artists,
        "album": album or "",
        "album_id": album_id,
        "image": image,
        "url": url if url.startswith("https://") else "",
        "plays": int(plays),
        "ms": int(ms or 0),
        "skips": int(skips),
    }


def _top(items: list[dict], by: str) -> list[dict]:
    # sorted(...)[:TOP] without sorting the thousands below the top (same order, ties too).
    other = "ms" if by == "plays" else "plays"
    return heapq.nsmallest(TOP, items, key=lambda i: (-i[by], -i[other], i["name"]))


def _ranked(items: list[dict]) -> dict:
    return {"plays": _top(items, "plays"), "ms": _top(items, "ms")}


def _artists(tracks: list[dict]) -> list[dict]:
    """A play counts for each credited artist (as on Spotify's own artist pages)."""
    totals: dict[str, dict] = {}
    for track in tracks:
        for artist in track["artists"]:
            key = artist["id"] or f"name:{artist['name']}"
            entry = totals.get(key)
            if entry is None:
                entry = totals[key] = {
                    "id": artist["id"],
                    "name": artist["name"],
                    "plays": 0,
                    "ms": 0,
                }
            entry["plays"] += track["plays"]
            entry["ms"] += track["ms"]
    return list(totals.values())


def _albums(tracks: list[dict]) -> list[dict]:
    totals: dict[str, dict] = {}
    for track in tracks:
        if not track["album"]:
            continue
        artist = track["artists"][0]["name"] if track["artists"] else ""
        key = track["album_id"] or f"{track['album']}\x1f{artist}"
        entry = totals.get(key)
        if entry is None:
            entry = totals[key] = {
                "name": track["album"],
                "artist": artist,
                "image": track["image"],
                "plays": 0,
                "ms": 0,
            }
        entry["plays"] += track["plays"]
        entry["ms"] += track["ms"]
        entry["image"] = entry["image"] or track["image"]
    return list(totals.values())


def _platform_family(platform: str) -> str:
    text = (platform or "").lower()
    for needle, family in (
        ("android", "Android"),
        ("ios", "iOS"),
        ("iphone", "iOS"),
        ("ipad", "iOS"),
        ("windows", "Windows"),
        ("os x", "macOS"),
        ("macos", "macOS"),
        ("web_player", "Web player"),
        ("web player", "Web player"),
        ("linux", "Linux"),
        ("cast", "Cast / speakers"),
        ("sonos", "Cast / speakers"),
        ("tv", "TV"),
        ("playstation", "Console"),
        ("xbox", "Console"),
    ):
        if needle in text:
            return family
    return "Other" if text else "Unknown"


def _shares(rows, column: int, name) -> list[dict]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        entry = totals[name(row[column])]
        entry[0] += int(row[2])
        entry[1] += int(row[3] or 0)
    all_plays = sum(plays for plays, _ in totals.values()) or 1
    return sorted(
        (
            {"name": key, "plays": plays, "ms": ms, "share": round(plays / all_plays, 4)}
            for key, (plays, ms) in totals.items()
        ),
        key=lambda e: (-e["plays"], e["name"]),
    )


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


SERIES_KEY = {"day": lambda d: d, "week": _week_start, "month": lambda d: d.replace(day=1)}


EPOCH_DAY = date(1970, 1, 1)  # a Thursday


def _local_hours(quarters, zone: ZoneInfo) -> list[tuple[int, int, int]]:
    """UTC quarter hours (seconds since 1970) as local hours (hours since 1970-01-01 00:00 in
    ``zone``), with their plays and milliseconds: the rows the summaries give."""
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for bucket, count, ms in quarters:
        local = datetime.fromtimestamp(bucket, zone)
        entry = hours[(local.date() - EPOCH_DAY).days * 24 + local.hour]
        entry[0] += int(count)
        entry[1] += int(ms or 0)
    return [(hour, count, ms) for hour, (count, ms) in hours.items()]


def _time_part(hours, period: Period) -> dict:
    """What the page shows of the local hours' rows: plays and milliseconds, the series, the
    clock and the days listened."""
    series, clock, days = _time_shapes(hours, period)
    return {
        "plays": sum(int(n) for _, n, _ in hours),
        "ms": sum(int(ms or 0) for _, _, ms in hours),
        "series": series,
        "clock": clock,
        "days": days,
    }


def _time_shapes(hours, period: Period) -> tuple[dict, list[list[int]], int]:
    """Minutes per day/week/month (every bucket of the period, zeros included) and the
    listening clock (weekday x hour, milliseconds), from local hours (see ``_local_hours``)."""
    per_day: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    clock = [[0] * 24 for _ in range(7)]
    for hour, count, ms in hours:
        day, hour_of_day = divmod(int(hour), 24)
        entry = per_day[day]
        entry[0] += int(count)
        entry[1] += int(ms or 0)
        clock[(day + 3) % 7][hour_of_day] += int(ms or 0)
    series = {}
    for kind in SERIES_KINDS:
        key = SERIES_KEY[kind]
        totals: dict[date, list[int]] = {}
        day = period.first_day
        while day <= period.last_day:
            totals.setdefault(key(day), [0, 0])
            day += timedelta(days=1)
        for number, (count, ms) in per_day.items():
            bucket = key(EPOCH_DAY + timedelta(days=number))
            if bucket in totals:
                totals[bucket][0] += count
                totals[bucket][1] += ms
        series[kind] = [[d.isoformat(), plays, ms] for d, (plays, ms) in sorted(totals.items())]
    return series, clock, len(per_day)


# --- One artist -------------------------------------------------------------------------------


def artist_history(*, user, artist_id: str, track_ids: list[str], zone: ZoneInfo) -> dict:
    """The user's plays of one artist over all time, per month in ``zone`` (cached)."""

    def compute() -> dict:
        if not track_ids:
            return {"first": None, "last": None, "plays": 0, "ms": 0, "months": [], "tracks": []}
        params = [user.spotify_id, track_ids]
        days = _rows("ARTIST_PER_DAY_SQL", *params)
        per_track = _rows("ARTIST_PER_TRACK_SQL", *params)
        return _artist_shape(days, per_track, zone)

    return _cached(user.spotify_id, f"artist:{zone.key}:{artist_id}", compute)


def _artist_shape(days, per_track, zone: ZoneInfo) -> dict:
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    first = last = None
    for _day, count, ms, day_first, day_last in days:
        month = day_first.astimezone(zone).date().replace(day=1)
        months[month][0] += int(count)
        months[month][1] += int(ms or 0)
        first = day_first if first is None or day_first < first else first
        last = day_last if last is None or day_last > last else last
    filled = []
    if months:
        month, end = min(months), max(months)
        while month <= end:
            plays, ms = months.get(month, (0, 0))
            filled.append([month.isoformat(), plays, ms])
            month = (month + timedelta(days=32)).replace(day=1)
    return {
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "plays": sum(m[1] for m in filled),
        "ms": sum(m[2] for m in filled),
        "months": filled,
        "tracks": [
            {"id": t, "name": n, "plays": int(p), "ms": int(ms or 0)}
            for t, n, p, ms in per_track[:TOP]
        ],
    }
