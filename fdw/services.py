"""postgres_fdw on node A: the foreign server, its user mapping and node B's tables, from settings.

``fdw_setup`` makes the catalogue of node A match the FDW_REMOTE_* settings and node B's
schema, changing only what differs (so a second run changes nothing), and moves plays stored
locally before node B existed into node B, counts checked. ``fdw_check`` says whether node B
answers, how many rows each side holds and how the standard per-user aggregate is run.
The extension and the ``archive`` schema come from this app's migrations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from personalify.archive import FOREIGN_SCHEMA, archive_tables

SERVER = "archive_node"
REMOTE_SCHEMA = "public"  # where node B's migrations create the archive's tables
STAGING_SCHEMA = "archive_import_check"  # a fresh import, compared with the current one
MASKED = "'********'"


class FdwNotConfigured(Exception):
    """No node B (FDW_REMOTE_HOST empty) or not PostgreSQL: there is nothing to set up."""


class FdwSetupError(Exception):
    """setup_fdw could not finish; nothing it had started is kept."""


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def server_options() -> dict[str, str]:
    """The foreign server's options. Why each (measured in bench/archive.py):
    fetch_size: rows per round trip when node A reads (postgres_fdw's default, 100, costs a
    round trip per 100 rows of an unaggregated scan); use_remote_estimate: node B's planner
    estimates the rows a filtered scan returns (its statistics and indexes), so node A plans
    joins with the real row counts instead of guesses; batch_size: rows per INSERT when node A
    writes (the move of local plays); connect_timeout: a node B that is down fails a page's
    archive section in seconds."""
    return {
        "host": settings.FDW_REMOTE_HOST,
        "port": str(settings.FDW_REMOTE_PORT),
        "dbname": settings.FDW_REMOTE_DB,
        "connect_timeout": "3",
        "fetch_size": str(settings.FDW_FETCH_SIZE),
        "batch_size": str(settings.FDW_BATCH_SIZE),
        "use_remote_estimate": "true",
    }


def mapping_options() -> dict[str, str]:
    options = {"user": settings.FDW_REMOTE_USER}
    if settings.FDW_REMOTE_PASSWORD:
        options["password"] = settings.FDW_REMOTE_PASSWORD
    return options


def _options_sql(current: dict[str, str], wanted: dict[str, str]) -> str:
    """``OPTIONS (SET/ADD/DROP ...)`` turning ``current`` into ``wanted``; "" if equal."""
    parts = [
        f"SET {k} {_literal(v)}" for k, v in wanted.items() if k in current and current[k] != v
    ]
    parts += [f"ADD {k} {_literal(v)}" for k, v in wanted.items() if k not in current]
    parts += [f"DROP {k}" for k in current if k not in wanted]
    return f"OPTIONS ({', '.join(parts)})" if parts else ""


def _masked(sql: str) -> str:
    password = settings.FDW_REMOTE_PASSWORD
    return sql.replace(_literal(password), MASKED) if password else sql


def _parse_options(raw: list[str] | None) -> dict[str, str]:
    return dict(item.split("=", 1) for item in raw or [])


@dataclass
class FdwSetupResult:
    statements: list[str] = field(default_factory=list)  # what ran (or would run), masked
    moved: int = 0  # local plays copied to node B
    already_there: int = 0  # local plays node B already had
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.statements)


def _require_configured() -> None:
    if connection.vendor != "postgresql":
        raise FdwNotConfigured(
            "The main database is not PostgreSQL: the listening archive is local (no FDW)."
        )
    if not settings.FDW_REMOTE_HOST:
        raise FdwNotConfigured(
            "No node B configured (FDW_REMOTE_HOST and ARCHIVE_DATABASE_URL are empty): "
            "the listening archive lives in the main database; nothing to set up."
        )


def fdw_setup(
    *, dry_run: bool = False, echo: Callable[[str], None] | None = None
) -> FdwSetupResult:
    """Create or update the foreign server, the user mapping and node B's foreign tables, then
    move plays stored locally to node B. Idempotent; ``dry_run`` only reports the SQL."""
    _require_configured()
    result = FdwSetupResult(dry_run=dry_run)

    def run(cursor, sql: str) -> None:
        result.statements.append(_masked(sql))
        if echo:
            echo(_masked(sql))
        if not dry_run:
            cursor.execute(sql)

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Two web processes starting at once: the second waits, then finds nothing to do.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('personalify.setup_fdw'))")
            cursor.execute(
                "SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw'"
                " UNION ALL SELECT count(*) FROM pg_namespace WHERE nspname = %s",
                [FOREIGN_SCHEMA],
            )
            if [row[0] for row in cursor.fetchall()] != [1, 1]:
                raise FdwSetupError(
                    "postgres_fdw or the archive schema is missing: run `python manage.py "
                    "migrate` first."
                )
            _server_sync(cursor, run)
            _mapping_sync(cursor, run)
            if dry_run and not _server_exists(cursor):
                run(cursor, _import_sql(FOREIGN_SCHEMA))  # nothing to compare with yet
            else:
                _tables_sync(cursor, run)
            if not dry_run:
                _local_plays_move(cursor, result)
            else:
                local = _local_plays_count(cursor)
                if local:
                    result.statements.append(
                        f"-- would move {local} plays stored locally to node B, counts checked"
                    )
                transaction.set_rollback(True)
    except DatabaseError as exc:
        raise FdwSetupError(f"setup_fdw failed, nothing was changed: {exc}".strip()) from exc
    return result


def _server_exists(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_foreign_server WHERE srvname = %s", [SERVER])
    return cursor.fetchone() is not None


def _server_sync(cursor, run) -> None:
    cursor.execute("SELECT srvoptions FROM pg_foreign_server WHERE srvname = %s", [SERVER])
    row = cursor.fetchone()
    wanted = server_options()
    if row is None:
        options = ", ".join(f"{k} {_literal(v)}" for k, v in wanted.items())
        run(cursor, f"CREATE SERVER {SERVER} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({options})")
        return
    change = _options_sql(_parse_options(row[0]), wanted)
    if change:
        run(cursor, f"ALTER SERVER {SERVER} {change}")


def _mapping_sync(cursor, run) -> None:
    cursor.execute(
        "SELECT umoptions FROM pg_user_mappings WHERE srvname = %s AND usename = current_user",
        [SERVER],
    )
    row = cursor.fetchone()
    wanted = mapping_options()
    if row is None:
        options = ", ".join(f"{k} {_literal(v)}" for k, v in wanted.items())
        run(cursor, f"CREATE USER MAPPING FOR CURRENT_USER SERVER {SERVER} OPTIONS ({options})")
        return
    change = _options_sql(_parse_options(row[0]), wanted)
    if change:
        run(cursor, f"ALTER USER MAPPING FOR CURRENT_USER SERVER {SERVER} {change}")


def _import_sql(schema: str) -> str:
    tables = ", ".join(archive_tables())
    return (
        f"IMPORT FOREIGN SCHEMA {REMOTE_SCHEMA} LIMIT TO ({tables}) "
        f"FROM SERVER {SERVER} INTO {schema}"
    )


_DEFINITION_SQL = """
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(array_to_string(a.attfdwoptions, ','), ''),
       coalesce(array_to_string(ft.ftoptions, ','), ''), fs.srvname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = %s
ORDER BY c.relname, a.attnum
"""


def _definition(cursor, schema: str) -> list[tuple]:
    cursor.execute(_DEFINITION_SQL, [schema])
    return cursor.fetchall()


def _tables_sync(cursor, run) -> None:
    """Import node B's tables into a staging schema; if they differ from the ``archive``
    schema's (node B's migrations changed them, or the first run), they replace them."""
    cursor.execute(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE")
    cursor.execute(f"CREATE SCHEMA {STAGING_SCHEMA}")
    cursor.execute(_import_sql(STAGING_SCHEMA))
    fresh, current = _definition(cursor, STAGING_SCHEMA), _definition(cursor, FOREIGN_SCHEMA)
    cursor.execute(f"DROP SCHEMA {STAGING_SCHEMA} CASCADE")
    if [row[1:] for row in fresh] == [row[1:] for row in current]:
        return
    if not fresh:
        raise FdwSetupError(
            f"Node B has no {', '.join(archive_tables())} table: run "
            "`python manage.py migrate --database archive` first."
        )
    for table in sorted({row[0] for row in current}):
        run(cursor, f"DROP FOREIGN TABLE IF EXISTS {FOREIGN_SCHEMA}.{table}")
    run(cursor, _import_sql(FOREIGN_SCHEMA))


def _columns(cursor, schema: str, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        [schema, table],
    )
    return [row[0] for row in cursor.fetchall()]


def _local_plays_count(cursor) -> int:
    cursor.execute("SELECT to_regclass('public.plays') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute("SELECT count(*) FROM public.plays")
    return cursor.fetchone()[0]


def _local_plays_move(cursor, result: FdwSetupResult) -> None:
    """Plays written while the archive was local (table ``public.plays`` on node A) go to node
    B: copied with ON CONFLICT DO NOTHING, every local row then checked to be on node B, and
    only then deleted locally, all in this transaction (node B commits with it)."""
    local = _local_plays_count(cursor)
    if not local:
        return
    remote_columns = set(_columns(cursor, FOREIGN_SCHEMA, "plays"))
    columns = ", ".join(c for c in _columns(cursor, "public", "plays") if c in remote_columns)
    cursor.execute(
        f"INSERT INTO {FOREIGN_SCHEMA}.plays ({columns}) "  # noqa: S608 - catalogue names
        f"SELECT {columns} FROM public.plays ON CONFLICT DO NOTHING"
    )
    moved = cursor.rowcount
    cursor.execute(
        f"SELECT count(*) FROM public.plays l WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
        f"{FOREIGN_SCHEMA}.plays r WHERE r.spotify_id = l.spotify_id "
        "AND r.played_at = l.played_at AND r.track_id = l.track_id)"
    )
    missing = cursor.fetchone()[0]
    if missing:
        raise FdwSetupError(
            f"{missing} of {local} local plays are not on node B after the copy: nothing moved."
        )
    cursor.execute("DELETE FROM public.plays")
    if cursor.rowcount != local:
        raise FdwSetupError("Plays were written locally during the move: run setup_fdw again.")
    result.moved, result.already_there = moved, local - moved
    result.statements.append(f"-- moved {moved} local plays to node B ({local - moved} were there)")


# The standard per-user aggregate: one user's most played tracks over a time window. The GROUP
# BY sits in a subquery over the foreign table alone, so node B filters and aggregates and only
# one row per track crosses the network; node A joins its users and catalogue.
STANDARD_AGGREGATE = """
SELECT t.id, t.name, p.plays, p.ms_played
FROM (SELECT track_id, count(*) AS plays, sum(ms_played) AS ms_played
      FROM archive.plays
      WHERE spotify_id = (SELECT spotify_id FROM users WHERE id = %s)
        AND played_at >= %s AND played_at < %s
      GROUP BY track_id) p
JOIN tracks t ON t.id = p.track_id
ORDER BY p.plays DESC, t.name
LIMIT 50
"""


def fdw_check() -> list[str]:
    """Lines saying whether node B answers, the row counts and the standard aggregate's plan."""
    _require_configured()
    options = server_options()
    lines = [
        f"node B as node A's server sees it: {options['host']}:{options['port']}/"
        f"{options['dbname']} (user {settings.FDW_REMOTE_USER})"
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if not _server_exists(cursor):
                return [*lines, "not set up: run `python manage.py setup_fdw`"]
            cursor.execute(
                f"SELECT count(*), count(DISTINCT spotify_id) FROM {FOREIGN_SCHEMA}.plays"  # noqa: S608
            )
            plays, users = cursor.fetchone()
            lines.append(f"reachable: yes; archive.plays on node B: {plays} plays of {users} users")
            cursor.execute("SELECT to_regclass('public.plays') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT count(*) FROM public.plays")
                lines.append(f"plays still stored locally on node A: {cursor.fetchone()[0]}")
            cursor.execute("SELECT min(id) FROM users WHERE spotify_id IS NOT NULL")
            user_id = cursor.fetchone()[0] or 0
            end = timezone.now()
            cursor.execute(
                "EXPLAIN (VERBOSE) " + STANDARD_AGGREGATE, [user_id, end - timedelta(days=365), end]
            )
            lines.append(f"EXPLAIN VERBOSE of the top tracks of the year of user #{user_id}:")
            lines += [f"  {row[0]}" for row in cursor.fetchall()]
    except DatabaseError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        lines.append(f"reachable: no ({message})")
        if "does not exist" in message:
            lines.append("run `python manage.py setup_fdw` (after migrate --database archive)")
    return lines
