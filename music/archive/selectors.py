"""Reads of the listening archive.

The per-user aggregates are single statements on node A over ``archive.plays`` (node B's table,
through postgres_fdw) joined with node A's ``users``, ``tracks``, ``track_artists`` and
``artists``. Each puts the filter and the GROUP BY on plays in a subquery over the plays table
alone, so postgres_fdw sends them to node B and only one row per group crosses the network
(see ``EXPLAIN (VERBOSE)``'s "Remote SQL"); node A then joins its own tables to those rows.
With no node B the same SQL runs on the local ``plays`` table (``personalify.archive``).

Errors become ``ArchiveUnavailable`` (node B down) or ``ArchiveNotSetUp`` (node A has no
foreign tables: ``setup_fdw``); every read runs in a savepoint, so a failed read leaves the
caller's transaction usable.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Max

from music.models import Play, Track
from personalify.archive import archive_alias, archive_errors, archive_remote, archive_table

RECENT_LIMIT = 50


@dataclass(frozen=True)
class TrackPlays:
    track_id: str
    name: str
    image_url: str | None
    plays: int
    ms_played: int

    @property
    def minutes(self) -> int:
        return round(self.ms_played / 60000)


@dataclass(frozen=True)
class ArtistPlays:
    artist_id: str
    name: str
    plays: int
    ms_played: int

    @property
    def minutes(self) -> int:
        return round(self.ms_played / 60000)


@dataclass(frozen=True)
class DayPlays:
    day: date
    plays: int
    ms_played: int

    @property
    def minutes(self) -> int:
        return round(self.ms_played / 60000)


@dataclass(frozen=True)
class RecentPlay:
    played_at: datetime
    track_id: str
    name: str
    artists: str
    image_url: str | None
    url: str
    ms_played: int
    source: str


# The plays of one user over [start, end), grouped by track, on node B. The user is named by
# node A's users table; postgres_fdw sends the looked-up Spotify id as a parameter ($1).
_PER_TRACK = """
    SELECT track_id, count(*) AS plays, sum(ms_played) AS ms_played,
           max(track_name) AS track_name
    FROM {plays}
    WHERE spotify_id = (SELECT spotify_id FROM users WHERE id = %s)
      AND played_at >= %s AND played_at < %s AND track_id <> ''
    GROUP BY track_id
"""

TOP_TRACKS_SQL = f"""
SELECT p.track_id, coalesce(t.name, nullif(p.track_name, ''), p.track_id), t.album_image_url,
       p.plays, p.ms_played
FROM ({_PER_TRACK}) p
LEFT JOIN tracks t ON t.id = p.track_id
ORDER BY p.plays DESC, p.ms_played DESC, p.track_id
LIMIT %s
"""  # noqa: S608 - constant SQL; values are parameters

TOP_ARTISTS_SQL = f"""
SELECT a.id, a.name, sum(p.plays) AS plays, sum(p.ms_played) AS ms_played
FROM ({_PER_TRACK}) p
JOIN track_artists ta ON ta.track_id = p.track_id
JOIN artists a ON a.id = ta.artist_id
GROUP BY a.id, a.name
ORDER BY plays DESC, ms_played DESC, a.name
LIMIT %s
"""  # noqa: S608 - constant SQL; values are parameters

# Day buckets: width_bucket() over the local midnights, computed on node A in the user's time
# zone, is an immutable built-in that postgres_fdw can send (unlike AT TIME ZONE or
# date_trunc, whose text arguments keep them on node A).
PER_DAY_SQL = """
SELECT width_bucket(played_at, %s::timestamptz[]) AS bucket, count(*), sum(ms_played)
FROM {plays}
WHERE spotify_id = (SELECT spotify_id FROM users WHERE id = %s)
  AND played_at >= %s AND played_at < %s
GROUP BY 1
"""

# node B cannot estimate how many day buckets there are (an expression) and answers "one group
# per play"; node A's planner then finds hashing the fetched plays itself as cheap as letting
# node B group them. Without hashing on node A, grouping on node B is the cheapest plan
# (measured in bench/archive.py). No ORDER BY either: node A would ask node B for the plays
# sorted by bucket and group them itself. SET LOCAL: this statement's transaction only.
_PUSH_DOWN_GROUPING = "SET LOCAL enable_hashagg = off"


def _sql(template: str) -> str:
    return template.format(plays=archive_table("plays"))


def _fetch(sql: str, params: list, *, setup: str | None = None) -> list[tuple]:
    with archive_errors(), transaction.atomic(), connection.cursor() as cursor:
        if setup and connection.vendor == "postgresql":
            cursor.execute(setup)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _window(start: datetime, end: datetime) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(start), adapt(end)]


def plays_by_track(*, user, start: datetime, end: datetime, limit: int = 50) -> list[TrackPlays]:
    """The user's most played tracks in [start, end): plays and time listened."""
    rows = _fetch(_sql(TOP_TRACKS_SQL), [user.pk, *_window(start, end), limit])
    return [TrackPlays(r[0], r[1], r[2], int(r[3]), int(r[4] or 0)) for r in rows]


def plays_by_artist(*, user, start: datetime, end: datetime, limit: int = 50) -> list[ArtistPlays]:
    """The user's most played artists in [start, end), through the catalogue's credits (a play
    counts for each credited artist)."""
    rows = _fetch(_sql(TOP_ARTISTS_SQL), [user.pk, *_window(start, end), limit])
    return [ArtistPlays(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    return [first + timedelta(days=i) for i in range((last.date() - first).days + 1)]


def plays_by_day(*, user, start: datetime, end: datetime, tz: ZoneInfo) -> list[DayPlays]:
    """The user's plays per day of ``tz`` in [start, end), days without plays left out."""
    days = _days(start, end, tz)
    # Bucket i holds the plays from midnight of days[i] (tz) to the next midnight.
    midnights = [datetime.combine(day, time(0), tzinfo=tz) for day in days[1:]]
    if connection.vendor != "postgresql":  # SQLite, the embedded default: bucket here
        return _plays_by_day_python(user=user, start=start, end=end, days=days, bounds=midnights)
    rows = _fetch(_sql(PER_DAY_SQL), [midnights, user.pk, start, end], setup=_PUSH_DOWN_GROUPING)
    return [DayPlays(days[b], int(count), int(ms or 0)) for b, count, ms in sorted(rows)]


def _plays_by_day_python(*, user, start, end, days, bounds) -> list[DayPlays]:
    totals: dict[int, list[int]] = {}
    with archive_errors():
        plays = Play.objects.filter(
            spotify_id=user.spotify_id, played_at__gte=start, played_at__lt=end
        ).values_list("played_at", "ms_played")
        for played_at, ms in plays:
            bucket = totals.setdefault(bisect.bisect_right(bounds, played_at), [0, 0])
            bucket[0] += 1
            bucket[1] += ms
    return [DayPlays(days[i], count, ms) for i, (count, ms) in sorted(totals.items())]


def plays_recent_list(*, spotify_id: str, limit: int = RECENT_LIMIT) -> list[RecentPlay]:
    """The user's last plays, newest first, named from the catalogue where it has the track
    (else from the play). Two queries: the archive, then node A's catalogue."""
    with archive_errors():
        plays = list(
            Play.objects.filter(spotify_id=spotify_id)
            .order_by("-played_at")
            .values(
                "played_at",
                "track_id",
                "track_name",
                "artist_name",
                "ms_played",
                "source",
                "episode_name",
                "episode_show_name",
            )[:limit]
        )
    tracks = Track.objects.prefetch_related("credits__artist").in_bulk(
        {p["track_id"] for p in plays if p["track_id"]}
    )
    recent = []
    for play in plays:
        track = tracks.get(play["track_id"])
        if track is not None:
            artists = ", ".join(c.artist.name for c in track.credits.all())
            name, image, url = track.name, track.album_image_url, track.url
        else:
            name = play["track_name"] or play["episode_name"] or play["track_id"]
            artists = play["artist_name"] or play["episode_show_name"]
            image, url = None, ""
        recent.append(
            RecentPlay(
                played_at=play["played_at"],
                track_id=play["track_id"],
                name=name,
                artists=artists,
                image_url=image,
                url=url,
                ms_played=play["ms_played"],
                source=play["source"],
            )
        )
    return recent


def play_latest_at(*, spotify_id: str) -> datetime | None:
    """When the user's last stored play happened: the cursor of the recently-played poll,
    read from the archive itself, so it moves only when plays are really stored."""
    with archive_errors():
        return Play.objects.filter(spotify_id=spotify_id).aggregate(latest=Max("played_at"))[
            "latest"
        ]


def archive_ping() -> str:
    """The /healthz check: node B answers and node A can read it (raises otherwise)."""
    with archive_errors():
        Play.objects.using(archive_alias()).exists()
    if not archive_remote():
        return "local (in the main database)"
    _fetch(f"SELECT 1 FROM {archive_table('plays')} LIMIT 1", [])  # noqa: S608
    return "node B, through postgres_fdw"
