"""The triggers that keep the plays' summaries (``PlayQuarter``, ``PlayMonthTrack``, ...) equal to
the plays, on PostgreSQL (node B, or the main database with no node B).

Statement-level triggers with transition tables: one grouped upsert per summary and statement,
whatever the number of rows. The transition table of an ``INSERT ... ON CONFLICT DO NOTHING``
holds only the rows actually inserted, so a duplicate is never counted. Deletes subtract (and
drop the rows that reach zero plays); the first and last play of a day are recomputed from the
plays of the days touched. An update is a delete of the old rows and an insert of the new ones.
TRUNCATE fires no trigger: truncate the summaries with plays (as Django's flush does, every
table at once; a trigger truncating them inside that statement is refused by PostgreSQL).

Installed by migration ``music.0006_play_summaries`` (which fills the summaries from the plays
already stored) wherever the plays table lives. A later change of this SQL needs a migration
that calls ``summaries_install`` again.
"""

# ruff: noqa: S608 - table and column names are this module's constants; no value is spliced

from __future__ import annotations

# Buckets, from a play's end (played_at): UTC quarter hours as whole numbers, UTC months, UTC days.
QUARTER_OF = "floor(extract(epoch FROM {t}.played_at) / 900)::integer"
MONTH_OF = "date_trunc('month', {t}.played_at AT TIME ZONE 'UTC')::date"
DAY_OF = "({t}.played_at AT TIME ZONE 'UTC')::date"
# As analytics.listening.queries counts a skip: what the export says, else shorter than 30 s.
SKIPPED = "({t}.skipped OR ({t}.skipped IS NULL AND {t}.ms_played < 30000))"

SUMMARY_TABLES = (
    "play_quarters",
    "play_month_tracks",
    "play_month_places",
    "play_month_episodes",
    "play_day_sources",
)


def _additive(source: str, sign: str) -> list[str]:
    """Upserts adding (sign "+") or subtracting ("-") the plays of ``source`` (a table name)."""
    t = "r"
    q, m = QUARTER_OF.format(t=t), MONTH_OF.format(t=t)
    skipped = SKIPPED.format(t=t)

    def upsert(table: str, keys: str, key_values: str, values: str, where: str = "") -> str:
        sums = [v.split(" AS ")[-1] for v in values.split(", ")]
        sets = ", ".join(f"{c} = s.{c} + excluded.{c}" for c in sums)
        group = ", ".join(str(i + 1) for i in range(len(keys.split(", "))))
        return (
            f"INSERT INTO {table} AS s ({keys}, {', '.join(sums)}) "
            f"SELECT {key_values}, {values} FROM {source} {t} {where} GROUP BY {group} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
        )

    return [
        upsert(
            "play_quarters",
            "spotify_id, quarter",
            f"{t}.spotify_id, {q}",
            f"{sign}count(*) AS plays, {sign}sum({t}.ms_played) AS ms_played",
        ),
        upsert(
            "play_month_tracks",
            "spotify_id, month, track_id",
            f"{t}.spotify_id, {m}, {t}.track_id",
            f"{sign}count(*) AS plays, {sign}sum({t}.ms_played) AS ms_played, "
            f"{sign}count(*) FILTER (WHERE {skipped}) AS skips",
            f"WHERE {t}.track_id <> ''",
        ),
        upsert(
            "play_month_places",
            "spotify_id, month, platform, country",
            f"{t}.spotify_id, {m}, {t}.platform, {t}.country",
            f"{sign}count(*) AS plays, {sign}sum({t}.ms_played) AS ms_played",
        ),
        upsert(
            "play_month_episodes",
            "spotify_id, month, episode_uri, episode_show_name",
            f"{t}.spotify_id, {m}, {t}.episode_uri, {t}.episode_show_name",
            f"{sign}count(*) AS plays, {sign}sum({t}.ms_played) AS ms_played",
            f"WHERE {t}.episode_uri <> ''",
        ),
    ]


def _days_add(source: str) -> str:
    d = DAY_OF.format(t="r")
    return (
        "INSERT INTO play_day_sources AS s "
        "(spotify_id, day, source, plays, first_played_at, last_played_at) "
        f"SELECT r.spotify_id, {d}, r.source, count(*), min(r.played_at), max(r.played_at) "
        f"FROM {source} r GROUP BY 1, 2, 3 "
        "ON CONFLICT (spotify_id, day, source) DO UPDATE SET plays = s.plays + excluded.plays, "
        "first_played_at = least(s.first_played_at, excluded.first_played_at), "
        "last_played_at = greatest(s.last_played_at, excluded.last_played_at)"
    )


def _days_recount(source: str) -> list[str]:
    """The days (and sources) ``source``'s plays were in, counted again from ``plays``."""
    touched = (
        f"SELECT DISTINCT r.spotify_id, {DAY_OF.format(t='r')} AS day, r.source FROM {source} r"
    )
    return [
        f"DELETE FROM play_day_sources s USING ({touched}) k "
        "WHERE s.spotify_id = k.spotify_id AND s.day = k.day AND s.source = k.source",
        "INSERT INTO play_day_sources "
        "(spotify_id, day, source, plays, first_played_at, last_played_at) "
        "SELECT p.spotify_id, k.day, p.source, count(*), min(p.played_at), max(p.played_at) "
        f"FROM ({touched}) k JOIN plays p ON p.spotify_id = k.spotify_id "
        "AND p.source = k.source AND p.played_at >= k.day::timestamp AT TIME ZONE 'UTC' "
        "AND p.played_at < (k.day + 1)::timestamp AT TIME ZONE 'UTC' GROUP BY 1, 2, 3",
    ]


def _emptied(source: str) -> list[str]:
    users = f"SELECT DISTINCT e.spotify_id FROM {source} e"
    return [
        f"DELETE FROM {table} WHERE spotify_id IN ({users}) AND plays <= 0"
        for table in SUMMARY_TABLES
        if table != "play_day_sources"
    ]


def _function(name: str, statements: list[str]) -> str:
    body = "\n".join(f"    {s};" for s in statements)
    return (
        # SET search_path FROM CURRENT: the tables of the schema it was made in, also when
        # postgres_fdw writes (its sessions on node B search pg_catalog only).
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path FROM CURRENT AS $$\n"
        f"BEGIN\n{body}\n    RETURN NULL;\nEND\n$$"
    )


def summaries_sql() -> list[str]:
    """The statements that create the trigger functions and the triggers on ``plays``."""
    inserted = [*_additive("new_plays", ""), _days_add("new_plays")]
    deleted = [*_additive("old_plays", "-"), *_emptied("old_plays"), *_days_recount("old_plays")]
    # Days are counted again from the plays after both halves (the new rows are in them).
    both = "(SELECT * FROM old_plays UNION ALL SELECT * FROM new_plays)"
    updated = [
        *_additive("old_plays", "-"),
        *_additive("new_plays", ""),
        *_emptied("old_plays"),
        *_days_recount(both),
    ]
    return [
        _function("plays_summaries_insert", inserted),
        _function("plays_summaries_delete", deleted),
        _function("plays_summaries_update", updated),
        "DROP TRIGGER IF EXISTS plays_summaries_insert ON plays",
        "DROP TRIGGER IF EXISTS plays_summaries_delete ON plays",
        "DROP TRIGGER IF EXISTS plays_summaries_update ON plays",
        "CREATE TRIGGER plays_summaries_insert AFTER INSERT ON plays "
        "REFERENCING NEW TABLE AS new_plays FOR EACH STATEMENT "
        "EXECUTE FUNCTION plays_summaries_insert()",
        "CREATE TRIGGER plays_summaries_delete AFTER DELETE ON plays "
        "REFERENCING OLD TABLE AS old_plays FOR EACH STATEMENT "
        "EXECUTE FUNCTION plays_summaries_delete()",
        "CREATE TRIGGER plays_summaries_update AFTER UPDATE ON plays "
        "REFERENCING OLD TABLE AS old_plays NEW TABLE AS new_plays FOR EACH STATEMENT "
        "EXECUTE FUNCTION plays_summaries_update()",
    ]


def summaries_fill_sql() -> list[str]:
    """The statements that fill the summaries from the plays stored (after emptying them)."""
    return [
        f"TRUNCATE {', '.join(SUMMARY_TABLES)}",
        *_additive("plays", ""),
        _days_add("plays"),
    ]


def summaries_install(cursor) -> None:
    """Create the triggers and fill the summaries, plays locked against writes meanwhile (a
    play written between the two would be counted twice, or not at all)."""
    cursor.execute("LOCK TABLE plays IN SHARE ROW EXCLUSIVE MODE")
    for statement in [*summaries_sql(), *summaries_fill_sql()]:
        cursor.execute(statement)
