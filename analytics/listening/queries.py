"""The statements behind the listening statistics: single statements on node A over the
archive's plays (``archive.plays``, node B's table through postgres_fdw; the local ``plays``
table with no node B), each written so that the filter on user and time and the GROUP BY run
on node B and only grouped rows cross the network (their Remote SQL is asserted in
``analytics/tests/test_listening.py``).

Time buckets are computed on node B as whole quarter hours or UTC days with ``date_bin``, an
immutable function that postgres_fdw ships, where ``AT TIME ZONE`` or ``date_trunc`` (which
read the session's time zone) would keep the grouping on node A. Node A maps each bucket to
the user's local day, week, month, hour and weekday with zoneinfo, so DST changes are exact.

On PostgreSQL the period's page reads the plays' summaries instead (``SUMMARY_*``,
``local_hours_sql``; see ``music.archive.summaries``): those run on node B's own connection
(``fetch_archive``), and the statements above serve the artist page, zones not in whole quarter
hours, and the comparison in the tests.
"""

from __future__ import annotations

import psycopg
from django.db import connection, connections, transaction

from music.archive.summaries import SUMMARY_TABLES
from personalify.archive import archive_alias, archive_errors, archive_table

QUARTER = 900  # seconds: the finest bucket; a whole number of them fits any UTC offset
DAY = 86400
SKIP_MS = 30_000  # a play shorter than this is a skip when the source does not say

# When a play counts as skipped: what the export says, else shorter than 30 s.
# (Boolean operators, not coalesce(), which postgres_fdw does not ship.)
_SKIPPED = f"skipped OR (skipped IS NULL AND ms_played < {SKIP_MS})"
_WINDOW = "spotify_id = %s AND played_at >= %s AND played_at < %s"
# date_bin() is immutable and shipped; extract() on an interval is not.
_BUCKET = "date_bin('{size} seconds'::interval, played_at, '1970-01-01 00:00:00+00'::timestamptz)"

# Per track on node B (numbers only: text max() over every play costs node B more than the
# grouping); names, album and credits from node A's catalogue. A track the catalogue does not
# know ('' name) is named from its plays by TRACK_NAMES_SQL, for those tracks only.
# The credits are grouped once for all the period's tracks (a LATERAL subquery per track ran
# thousands of small joins: two thirds of this statement for a year of 8,000 tracks).
_PER_TRACK_NAMED = """
SELECT p.track_id, p.plays, p.ms_played, p.skips,
       coalesce(t.name, '') AS name, coalesce(t.album_name, '') AS album_name,
       coalesce(t.album_id, '') AS album_id, t.album_image_url, coalesce(t.url, '') AS url,
       '' AS artist_name, c.artist_ids, c.artist_names
FROM p
LEFT JOIN tracks t ON t.id = p.track_id
LEFT JOIN (
    SELECT ta.track_id, array_agg(a.id ORDER BY ta.position) AS artist_ids,
           array_agg(a.name ORDER BY ta.position) AS artist_names
    FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
    WHERE ta.track_id IN (SELECT track_id FROM p)
    GROUP BY ta.track_id
) c ON c.track_id = p.track_id
"""
PER_TRACK_SQL = f"""
WITH p AS MATERIALIZED (
    SELECT track_id, count(*) AS plays, sum(ms_played) AS ms_played,
           count(*) FILTER (WHERE {_SKIPPED}) AS skips
    FROM {{plays}}
    WHERE {_WINDOW} AND track_id <> ''
    GROUP BY track_id
)
{_PER_TRACK_NAMED}"""  # noqa: S608 - constant SQL; values are parameters

TRACK_NAMES_SQL = """
SELECT track_id, max(track_name), max(artist_name), max(album_name)
FROM {plays}
WHERE spotify_id = %s AND track_id = ANY(%s)
GROUP BY track_id
"""

# Quarter hours as seconds since 1970 (counted on node A over the grouped rows): a year has
# 35,000 of them, and whole numbers cost node A nothing to read where timestamps cost psycopg
# a parse each (a third of the cold statistics page, measured in ``make bench``).
PER_QUARTER_SQL = f"""
SELECT extract(epoch FROM q.bucket)::bigint, q.plays, q.ms_played
FROM (
    SELECT {_BUCKET.format(size=QUARTER)} AS bucket, count(*) AS plays,
           sum(ms_played) AS ms_played
    FROM {{plays}}
    WHERE {_WINDOW}
    GROUP BY 1
) q
"""  # noqa: S608

PER_PLATFORM_COUNTRY_SQL = f"""
SELECT platform, country, count(*), sum(ms_played)
FROM {{plays}}
WHERE {_WINDOW}
GROUP BY platform, country
"""  # noqa: S608

# Per episode (count(DISTINCT) is not shipped); node A adds the episodes of each show up.
PER_EPISODE_SQL = f"""
SELECT episode_show_name, episode_uri, count(*), sum(ms_played)
FROM {{plays}}
WHERE {_WINDOW} AND episode_uri <> ''
GROUP BY episode_show_name, episode_uri
"""  # noqa: S608

# All of a user's plays per UTC day and source: coverage and gaps.
PER_DAY_SOURCE_SQL = f"""
SELECT {_BUCKET.format(size=DAY)} AS day, source, count(*),
       min(played_at), max(played_at)
FROM {{plays}}
WHERE spotify_id = %s
GROUP BY 1, 2
"""  # noqa: S608

# One artist's plays (the tracks the catalogue credits to them), per UTC day and per track.
ARTIST_PER_DAY_SQL = f"""
SELECT {_BUCKET.format(size=DAY)} AS day, count(*), sum(ms_played),
       min(played_at), max(played_at)
FROM {{plays}}
WHERE spotify_id = %s AND track_id = ANY(%s)
GROUP BY 1
"""  # noqa: S608

ARTIST_PER_TRACK_SQL = """
SELECT p.track_id, coalesce(t.name, nullif(p.track_name, ''), p.track_id), p.plays, p.ms_played
FROM (
    SELECT track_id, count(*) AS plays, sum(ms_played) AS ms_played, max(track_name) AS track_name
    FROM {plays}
    WHERE spotify_id = %s AND track_id = ANY(%s)
    GROUP BY track_id
) p
LEFT JOIN tracks t ON t.id = p.track_id
ORDER BY p.plays DESC, p.ms_played DESC, 2
"""

# --- From the summaries (``music.models.PlayQuarter`` ...; PostgreSQL) ----------------------------
# The same rows as the statements above, read from the plays' summaries, which triggers on plays
# keep (``music.archive.summaries``). Per track, platform and episode: whole UTC months from the
# month summaries, and the plays themselves for the period's edges outside whole months
# (``MonthWindow``); the two parts are grouped on node B each and added up on node A.
# Parameters: user, first and end month (dates), user, the two edge windows (four instants).
_EDGES = (
    "spotify_id = %s AND (played_at >= %s AND played_at < %s OR played_at >= %s AND played_at < %s)"
)
_MONTHS = "spotify_id = %s AND month >= %s AND month < %s"

# Per track in two steps: the numbers grouped on node B alone (``fetch_archive``), then ranked
# with node A's catalogue, the grouped rows handed to it as arrays (``ranked_sql``). Through
# postgres_fdw the one statement cost node A's planner a remote EXPLAIN per path
# (use_remote_estimate) and a postgres_fdw session per connection, and node A grouped the two
# parts again: more than the statement itself on a busy machine.
SUMMARY_TRACK_SQL = f"""
SELECT track_id, sum(plays)::bigint, sum(ms_played)::bigint, sum(skips)::bigint
FROM (
    SELECT track_id, plays, ms_played, skips
    FROM {{play_month_tracks}}
    WHERE {_MONTHS}
    UNION ALL
    SELECT track_id, 1, ms_played, CASE WHEN {_SKIPPED} THEN 1 ELSE 0 END
    FROM {{plays}}
    WHERE {_EDGES} AND track_id <> ''
) u
GROUP BY track_id
"""  # noqa: S608


# The page's tracks, artists and albums ranked on node A in one statement, from the per-track
# numbers (SUMMARY_TRACK_SQL's rows, handed over as arrays) and the catalogue: one row of JSON
# with the totals, the tracks that can be in the top lists (by plays, by minutes, by skips), the
# same for artists and albums, and the tracks the catalogue does not name, whose names a second
# call passes from their plays (``missing``: TRACK_NAMES_SQL). The same names, credits and
# albums as PER_TRACK_SQL's rows ranked in Python (``stats._ranked_all``), without sending the
# 8,000 named tracks of a year back to Python: the thousands are grouped and cut on numbers
# alone, and only the few kept are named.
# A top of N "with ties" keeps every row whose (first, second) pair is at least the Nth's: the
# rows ranked N or better, ties at the cut included, so Python's final order (ties by name) is
# that of the whole list. The cut is found with a bounded sort (LIMIT 1 OFFSET N - 1).
# An album is keyed as in Python (its id, else its name and first artist); its name, artist and
# image are the least non-empty of its tracks' (Python took the first track's, in row order).
# Parameters: track ids, plays, milliseconds, skips; the named-from-plays track ids, track,
# artist and album names (arrays).
def _with_ties(source: str, first: str, second: str, top: int, where: str = "TRUE") -> str:
    """A condition on ``source``'s rows: in its top ``top`` by (first, second), ties kept."""
    # names are this module's; the size an integer
    cut = (
        f"(SELECT {first}, {second} FROM {source} WHERE {where} "  # noqa: S608
        f"ORDER BY {first} DESC, {second} DESC LIMIT 1 OFFSET {int(top) - 1})"
    )
    return f"({where}) AND (NOT EXISTS {cut} OR ({first}, {second}) >= {cut})"


def ranked_sql(top: int, most_skipped: int) -> str:
    """``RANKED`` statement (see above) for tops of ``top`` and ``most_skipped`` rows."""
    top_tracks = " OR ".join(
        [
            _with_ties("n", "plays", "ms_played", top),
            _with_ties("n", "ms_played", "plays", top),
            _with_ties("n", "skips", "plays", most_skipped, "skips >= 2"),
        ]
    )

    def kept(source: str) -> str:
        return " OR ".join(
            [_with_ties(source, "plays", "ms", top), _with_ties(source, "ms", "plays", top)]
        )

    return f"""
WITH p AS MATERIALIZED (
    SELECT * FROM unnest(%b::text[], %b::bigint[], %b::bigint[], %b::bigint[])
        AS p(track_id, plays, ms_played, skips)
),
u AS MATERIALIZED (
    SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[])
        AS u(track_id, track_name, artist_name, album_name)
),
n AS MATERIALIZED (
    SELECT p.track_id, p.plays, p.ms_played, p.skips,
           coalesce(t.name, '') = '' AND u.track_id IS NULL AS missing,
           coalesce(nullif(t.name, ''), nullif(u.track_name, ''), p.track_id) AS name,
           coalesce(nullif(t.album_name, ''), u.album_name, '') AS album,
           coalesce(t.album_id, '') AS album_id, t.album_image_url AS image,
           coalesce(u.artist_name, '') AS artist_name
    FROM p
    LEFT JOIN tracks t ON t.id = p.track_id
    LEFT JOIN u ON u.track_id = p.track_id
),
artist AS MATERIALIZED (
    SELECT ta.artist_id AS id, sum(n.plays) AS plays, sum(n.ms_played) AS ms
    FROM track_artists ta JOIN n ON n.track_id = ta.track_id
    GROUP BY ta.artist_id
),
artist_by_name AS MATERIALIZED (
    SELECT artist_name AS name, sum(plays) AS plays, sum(ms_played) AS ms
    FROM n
    WHERE artist_name <> ''
      AND NOT EXISTS (SELECT FROM track_artists ta WHERE ta.track_id = n.track_id)
    GROUP BY artist_name
),
first_credit AS MATERIALIZED (
    SELECT DISTINCT ON (ta.track_id) ta.track_id, a.name
    FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
    WHERE ta.track_id IN (SELECT track_id FROM n WHERE album <> '')
    ORDER BY ta.track_id, ta.position
),
album_track AS MATERIALIZED (
    SELECT CASE WHEN n.album_id <> '' THEN n.album_id
                ELSE n.album || chr(31) || coalesce(f.name, n.artist_name) END AS key,
           n.album, n.image, n.plays, n.ms_played, coalesce(f.name, n.artist_name) AS artist
    FROM n LEFT JOIN first_credit f ON f.track_id = n.track_id
    WHERE n.album <> ''
),
album AS MATERIALIZED (
    SELECT key, min(album) AS name, coalesce(min(nullif(image, '')), min(image)) AS image,
           sum(plays) AS plays, sum(ms_played) AS ms
    FROM album_track
    GROUP BY key
),
album_kept AS MATERIALIZED (SELECT * FROM album WHERE {kept("album")}),
album_artist AS (
    SELECT at.key, coalesce(min(nullif(at.artist, '')), '') AS artist
    FROM album_track at JOIN album_kept k ON k.key = at.key
    GROUP BY at.key
)
SELECT json_build_object(
    'missing', (SELECT coalesce(json_agg(track_id), '[]') FROM n WHERE missing),
    'totals', (
        SELECT json_build_object(
            'tracks', count(*), 'plays', coalesce(sum(plays), 0), 'skips', coalesce(sum(skips), 0)
        )
        FROM p
    ),
    'tracks', (
        SELECT coalesce(json_agg(json_build_object(
            'id', n.track_id, 'name', n.name, 'album', n.album, 'album_id', n.album_id,
            'image', n.image, 'url', coalesce(t.url, ''), 'plays', n.plays, 'ms', n.ms_played,
            'skips', n.skips, 'artist_name', n.artist_name,
            'artists', ARRAY(
                SELECT json_build_object('id', a.id, 'name', a.name)
                FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
                WHERE ta.track_id = n.track_id
                ORDER BY ta.position
            )
        )), '[]')
        FROM n LEFT JOIN tracks t ON t.id = n.track_id
        WHERE {top_tracks}
    ),
    'artists', (
        SELECT coalesce(json_agg(json_build_object(
            'id', id, 'name', name, 'plays', plays, 'ms', ms
        )), '[]')
        FROM (
            SELECT k.id, a.name, k.plays, k.ms
            FROM (SELECT * FROM artist WHERE {kept("artist")}) k
            JOIN artists a ON a.id = k.id
            UNION ALL
            SELECT '', name, plays, ms FROM artist_by_name WHERE {kept("artist_by_name")}
        ) r
    ),
    'albums', (
        SELECT coalesce(json_agg(json_build_object(
            'name', k.name, 'artist', aa.artist, 'image', k.image, 'plays', k.plays, 'ms', k.ms
        )), '[]')
        FROM album_kept k JOIN album_artist aa ON aa.key = k.key
    )
)
"""  # noqa: S608 - the sizes are integers; values are parameters


SUMMARY_PLATFORM_COUNTRY_SQL = f"""
SELECT platform, country, sum(plays)::bigint, sum(ms_played)::bigint
FROM (
    SELECT platform, country, sum(plays) AS plays, sum(ms_played) AS ms_played
    FROM {{play_month_places}}
    WHERE {_MONTHS}
    GROUP BY platform, country
    UNION ALL
    SELECT platform, country, count(*), sum(ms_played)
    FROM {{plays}}
    WHERE {_EDGES}
    GROUP BY platform, country
) u
GROUP BY platform, country
"""  # noqa: S608

SUMMARY_EPISODE_SQL = f"""
SELECT episode_show_name, episode_uri, sum(plays)::bigint, sum(ms_played)::bigint
FROM (
    SELECT episode_show_name, episode_uri, sum(plays) AS plays, sum(ms_played) AS ms_played
    FROM {{play_month_episodes}}
    WHERE {_MONTHS}
    GROUP BY episode_show_name, episode_uri
    UNION ALL
    SELECT episode_show_name, episode_uri, count(*), sum(ms_played)
    FROM {{plays}}
    WHERE {_EDGES} AND episode_uri <> ''
    GROUP BY episode_show_name, episode_uri
) u
GROUP BY episode_show_name, episode_uri
"""  # noqa: S608

# Coverage: the same rows as PER_DAY_SOURCE_SQL (the day as a date).
SUMMARY_DAY_SOURCE_SQL = """
SELECT day, source, plays, first_played_at, last_played_at
FROM {play_day_sources}
WHERE spotify_id = %s
"""


def local_hours_sql(segments: int) -> str:
    """Plays and milliseconds per local hour (hours since 1970-01-01 00:00 local time) from the
    quarter hours, grouped on node B: the user's zone is one offset (in quarter hours) per
    stretch between DST changes (``ZoneSegments``), chosen by a CASE on the quarter, integer
    arithmetic that postgres_fdw ships. Parameters: for each segment but the last its end
    quarter and offset, then the last offset; then user, first and end quarter."""
    arms = " ".join("WHEN quarter < %s THEN %s" for _ in range(segments - 1))
    offset = f"CASE {arms} ELSE %s END" if arms else "%s"
    return f"""
SELECT (quarter + {offset}) / 4 AS hour, sum(plays)::bigint, sum(ms_played)::bigint
FROM {{play_quarters}}
WHERE spotify_id = %s AND quarter >= %s AND quarter < %s
GROUP BY 1
"""  # noqa: S608


# node B cannot estimate how many groups an expression makes and answers "one per play"; node
# A's planner then finds hashing the fetched plays itself as cheap as letting node B group
# them. Without hash aggregation on node A, grouping on node B is the cheapest plan.
# SET LOCAL: this statement's transaction only (the fdw issue measured the same).
PUSH_DOWN_GROUPING = "SET LOCAL enable_hashagg = off"
# Node A's work on the grouped rows is small, but the planner's estimates (node B's "one group
# per play") exceed jit_above_cost, and compiling cost more than the joins it was for.
NO_JIT = "SET LOCAL jit = off"


_TABLES = ("plays", *SUMMARY_TABLES)


def statement(template: str) -> str:
    """A template with the archive's tables (plays, summaries) for this configuration."""
    return template.format(**{name: archive_table(name) for name in _TABLES})


def fetch(template: str, params: list) -> list[tuple]:
    """Rows of one statement; node B's errors become ``ArchiveUnavailable``. In a savepoint,
    so a failed read leaves the caller's transaction usable; the planner setting is put back
    for whatever else that transaction runs."""
    with archive_errors(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PUSH_DOWN_GROUPING)
        cursor.execute(NO_JIT)
        cursor.execute(statement(template), params)
        rows = cursor.fetchall()
        cursor.execute("SET LOCAL enable_hashagg = DEFAULT")
        cursor.execute("SET LOCAL jit = DEFAULT")
        return rows


def fetch_catalogue(sql: str, params: list) -> list[tuple]:
    """Rows of a statement over node A's own tables (the catalogue), its parameters bound by
    the server (``%b``: binary, for arrays of thousands: Django's client-side binding writes
    them into the SQL text, which node A parses again: 56 ms for a year's four arrays of 8,000,
    13 ms in binary), and without JIT: the many small steps of ``ranked_sql`` add up to a cost
    above jit_above_cost, and compiling them took 1.8 s of a 2 s statement (``make bench``)."""
    with transaction.atomic(), connection.cursor() as django_cursor:
        django_cursor.execute(NO_JIT)
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        django_cursor.execute("SET LOCAL jit = DEFAULT")
        return rows


def fetch_archive(template: str, params: list) -> list[tuple]:
    """Rows of a statement over the archive's tables alone (the summaries), run on the
    archive's own connection: all of it on node B. Through postgres_fdw, node A's planner
    pushes a GROUP BY down only when node B's estimate shows it shrinks the rows, which it
    does not see for rows already grouped (summaries, expressions of a quarter): node A would
    then fetch every summary row and group them itself."""
    alias = archive_alias()
    sql = template.format(**{name: name for name in _TABLES})
    with archive_errors(), transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
