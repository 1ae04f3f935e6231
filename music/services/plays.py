"""The listening archive's write path: plays in, duplicates ignored, counts out.

Every source of plays (recently played now, Spotify's data export next) hands ``plays_store``
``PlayRow``s; it writes them to the archive's database directly (node B, or the main database),
in batches (on PostgreSQL: COPY, then one INSERT ... SELECT), with ``ON CONFLICT DO NOTHING`` on
(user, played_at, track), and answers how many were new. One transaction: all or nothing.
Triggers on ``plays`` (``music.archive.summaries``) update the plays' summaries in that same
transaction, counting only the rows the INSERT actually added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter

from django.db import connections, transaction

from music.models import Play
from music.signals import plays_stored
from personalify.archive import archive_alias, archive_errors

BATCH_SIZE = 5000


# The text columns and their limits, from the model (0: unlimited).
_MAX_LENGTHS = {
    f.name: f.max_length or 10**9
    for f in Play._meta.concrete_fields
    if f.get_internal_type() in {"CharField", "TextField"}
}


@dataclass(frozen=True)
class PlayRow:
    """One play to store; the fields are the ``plays`` columns (see ``music.models.Play``)."""

    spotify_id: str
    played_at: datetime
    track_id: str
    ms_played: int = 0
    source: str = Play.Source.API
    context_uri: str = ""
    track_name: str = ""
    artist_name: str = ""
    album_name: str = ""
    platform: str = ""
    country: str = ""
    reason_start: str = ""
    reason_end: str = ""
    shuffle: bool | None = None
    skipped: bool | None = None
    offline: bool | None = None
    incognito: bool | None = None
    episode_name: str = ""
    episode_show_name: str = ""
    episode_uri: str = ""

    def __post_init__(self) -> None:
        for name, limit in _MAX_LENGTHS.items():
            value = getattr(self, name)
            if len(value) > limit:
                raise ValueError(f"{name} is longer than {limit} characters: {value[:80]!r}")
            if "\x00" in value:
                raise ValueError(f"{name} contains a NUL character")
        if not self.spotify_id:
            raise ValueError("a play needs the user's Spotify id")
        if self.played_at.tzinfo is None:
            raise ValueError("played_at must be timezone-aware")
        if not self.track_id and not self.episode_uri:
            raise ValueError("a play needs a track id or an episode URI")
        if self.ms_played < 0:
            raise ValueError("ms_played cannot be negative")


@dataclass(frozen=True)
class PlaysStored:
    received: int
    inserted: int

    @property
    def duplicates(self) -> int:
        """Plays already in the archive (or repeated in the input): left as they were."""
        return self.received - self.inserted


COLUMNS = tuple(f.name for f in fields(PlayRow))
_values = attrgetter(*COLUMNS)  # a row's values in COLUMNS order (astuple() deep-copies: slow)
_FIELDS = {f.column: f for f in Play._meta.concrete_fields}
assert set(COLUMNS) == set(_FIELDS), "PlayRow and the Play model must name the same columns"


def _batches(rows: Iterable[PlayRow], size: int) -> Iterator[list[PlayRow]]:
    batch: list[PlayRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# PostgreSQL: each batch is COPied into a temporary table (dropped at commit), then moved with
# one INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose row count is the number of new plays.
# COPY sends rows in PostgreSQL's own format, unlike a statement with every value in it
# (bench/archive.py measures both against a bare COPY).
_STAGING = "plays_incoming"


def _staging_create(cursor) -> None:
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} "
        f"(LIKE {Play._meta.db_table}) ON COMMIT DROP"
    )


def _insert_postgresql(cursor, connection, batch: list[PlayRow]) -> int:
    columns = ", ".join(COLUMNS)
    with (
        connection.wrap_database_errors,  # as Django's cursor does: Django's error classes
        cursor.cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN") as copy,
    ):
        for row in batch:
            copy.write_row(_values(row))
    cursor.execute(
        f"INSERT INTO {Play._meta.db_table} ({columns}) "  # noqa: S608 - fixed names
        f"SELECT {columns} FROM {_STAGING} ON CONFLICT DO NOTHING"
    )
    inserted = cursor.rowcount
    cursor.execute(f"TRUNCATE {_STAGING}")
    return inserted


def _insert_generic(cursor, connection, batch: list[PlayRow]) -> int:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    values = [
        [
            _FIELDS[c].get_db_prep_value(v, connection)
            for c, v in zip(COLUMNS, _values(row), strict=True)
        ]
        for row in batch
    ]
    cursor.executemany(
        f"INSERT INTO {Play._meta.db_table} ({', '.join(COLUMNS)}) "  # noqa: S608 - fixed names
        f"VALUES ({placeholders}) ON CONFLICT DO NOTHING",
        values,
    )
    return cursor.rowcount


def plays_store(*, plays: Iterable[PlayRow], batch_size: int = BATCH_SIZE) -> PlaysStored:
    """Store plays in the archive; a play already there (same user, played_at, track) is left
    as it is. Raises ``ArchiveUnavailable`` when the archive's database cannot be written."""
    alias = archive_alias()
    connection = connections[alias]
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_generic
    received = inserted = 0
    users: set[str] = set()
    with archive_errors(), transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _staging_create(cursor)
        for batch in _batches(plays, batch_size):
            received += len(batch)
            inserted += insert(cursor, connection, batch)
            users.update(row.spotify_id for row in batch)
    if inserted:
        # Readers of the archive (cached statistics) learn that these users have new plays.
        plays_stored.send(sender=Play, spotify_ids=frozenset(users))
    return PlaysStored(received=received, inserted=inserted)


def plays_delete_for_user(*, spotify_id: str) -> int:
    """Delete every play of a user from the archive (account deletion); returns how many.
    Raises ``ArchiveUnavailable`` when the archive's database cannot be written."""
    alias = archive_alias()
    sql = f"DELETE FROM {Play._meta.db_table} WHERE spotify_id = %s"  # noqa: S608 - fixed name
    with archive_errors(), transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(sql, [spotify_id])
        return cursor.rowcount
