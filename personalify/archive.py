"""Where the listening archive lives: node B (a second PostgreSQL) or the main database.

The archive's models (``ARCHIVE_MODELS``: the plays table and its summaries) are routed to the
database alias ``settings.ARCHIVE_DATABASE``: ``"archive"`` when ``ARCHIVE_DATABASE_URL`` is
set, else ``"default"``, where the same tables live under the same names. Everything else stays
on node A; node B holds nothing but the archive. Node A reads node B through postgres_fdw (the
``archive`` schema that ``manage.py setup_fdw`` fills); the application writes to node B
directly.

This module knows model labels, not models: it is infrastructure below every app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

# "app_label.model_name" of the models that live in the archive.
ARCHIVE_MODELS = frozenset(
    {
        "music.play",
        # The plays' summaries, kept by triggers on plays: always beside it.
        "music.playquarter",
        "music.playmonthtrack",
        "music.playmonthplace",
        "music.playmonthepisode",
        "music.playdaysource",
    }
)
# The schema on node A that holds node B's tables as foreign tables (IMPORT FOREIGN SCHEMA).
FOREIGN_SCHEMA = "archive"

UNAVAILABLE = "Listening archive unavailable"
NOT_SET_UP = (
    "The listening archive on node B is reachable but not set up on this database: "
    "run `python manage.py setup_fdw` (after `python manage.py migrate --database archive`)."
)


class ArchiveUnavailable(Exception):
    """Node B cannot be reached (down, or refusing connections)."""


class ArchiveNotSetUp(ArchiveUnavailable):
    """Node B answers, but node A has no foreign tables for it: ``setup_fdw`` was not run."""


def archive_alias() -> str:
    """The database alias the archive's models are read from and written to directly."""
    return settings.ARCHIVE_DATABASE


def archive_remote() -> bool:
    """True when the archive lives on node B (node A reads it through postgres_fdw)."""
    return archive_alias() != "default"


def archive_tables() -> list[str]:
    """The archive's table names (from the app registry: this module imports no app)."""
    from django.apps import apps

    return sorted(apps.get_model(label)._meta.db_table for label in ARCHIVE_MODELS)


def archive_table(name: str) -> str:
    """The name node A's SQL uses for an archive table: ``archive.<name>`` (the foreign table)
    when the archive is on node B, else the local table itself."""
    return f"{FOREIGN_SCHEMA}.{name}" if archive_remote() else name


def _archive_exception(exc: DatabaseError) -> ArchiveUnavailable | None:
    cause = getattr(exc, "__cause__", None)
    sqlstate = getattr(cause, "sqlstate", None) or ""
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    # 42P01 undefined table, 3F000 no such schema, 42704 no foreign server or user mapping.
    if sqlstate in {"42P01", "3F000", "42704"}:
        return ArchiveNotSetUp(NOT_SET_UP)
    # Class 08 (connection exceptions, which postgres_fdw also raises for node B), or a
    # connection that failed or broke on the way (no SQLSTATE at all).
    if sqlstate.startswith("08") or isinstance(exc, (OperationalError, InterfaceError)):
        return ArchiveUnavailable(f"{UNAVAILABLE}: {first_line}")
    return None


@contextmanager
def archive_errors() -> Iterator[None]:
    """Turn a database error met in the archive into ``ArchiveUnavailable`` (node B cannot be
    reached) or ``ArchiveNotSetUp``; any other error (bad data, a bug) goes through as it is."""
    try:
        yield
    except DatabaseError as exc:
        mapped = _archive_exception(exc)
        if mapped is None:
            raise
        raise mapped from exc


def _is_archive(model) -> bool:
    return model._meta.label_lower in ARCHIVE_MODELS


class ArchiveRouter:
    """Routes the archive's models to ``settings.ARCHIVE_DATABASE``; keeps everything else off
    node B. Node B's migrations: ``manage.py migrate --database archive``."""

    def db_for_read(self, model, **hints):
        return archive_alias() if _is_archive(model) else None

    def db_for_write(self, model, **hints):
        return archive_alias() if _is_archive(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        if _is_archive(obj1) or _is_archive(obj2):
            return _is_archive(obj1) and _is_archive(obj2)
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        label = f"{app_label}.{model_name}" if model_name else None
        if label in ARCHIVE_MODELS:
            return db == archive_alias()
        if db == "archive":
            # Node B holds the archive only (RunSQL operations can opt in with hints).
            return bool(hints.get("archive"))
        return None
