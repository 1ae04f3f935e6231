"""The listening archive's write path: plays in, duplicates ignored, counts out.

Every source of plays (recently played now, Spotify's data export next) hands ``plays_store``
``PlayRow``s; it writes them to the archive's database directly (node B, or the main database),
in batches of one statement each, with ``ON CONFLICT DO NOTHING`` on (user, played_at, track),
and answers how many were new. One transaction: a batch that fails stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from datetime import datetime

from django.db import DatabaseError, connections, transaction

from music.models import Play
from music.signals import plays_stored
from personalify.archive import archive_alias, archive_error

BATCH_SIZE = 5000


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


def _insert_postgresql(cursor, connection, batch: list[PlayRow]) -> int:
    # One statement per batch: a column array each, unnest()ed into rows on the server.
    arrays = ", ".join(f"%s::{_FIELDS[c].db_type(connection)}[]" for c in COLUMNS)
    cursor.execute(
        f"INSERT INTO {Play._meta.db_table} ({', '.join(COLUMNS)}) "  # noqa: S608 - fixed names
        f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
        [list(column) for column in zip(*map(astuple, batch), strict=True)],
    )
    return cursor.rowcount


def _insert_generic(cursor, connection, batch: list[PlayRow]) -> int:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    values = [
        [
            _FIELDS[c].get_db_prep_value(v, connection)
            for c, v in zip(COLUMNS, astuple(row), strict=True)
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
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for batch in _batches(plays, batch_size):
                received += len(batch)
                inserted += insert(cursor, connection, batch)
                users.update(row.spotify_id for row in batch)
    except DatabaseError as exc:
        raise archive_error(exc) from exc
    if inserted:
        # Readers of the archive (cached statistics) learn that these users have new plays.
        plays_stored.send(sender=Play, spotify_ids=frozenset(users))
    return PlaysStored(received=received, inserted=inserted)
