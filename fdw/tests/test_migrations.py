"""The migrations of both nodes, forward and back: node A's postgres_fdw set-up and node B's
archive tables (the router sends the plays table to node B only)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from .conftest import node_a, node_b

ARCHIVE_TX = pytest.mark.django_db(transaction=True, databases=["default", "archive"])


def extension_and_schema() -> tuple[int, bool]:
    count = node_a("SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw'")[0][0]
    schema = node_a("SELECT to_regnamespace('archive') IS NOT NULL")[0][0]
    return count, schema


@ARCHIVE_TX
def test_fdw_migrations_remove_and_recreate_extension_and_schema_when_run_back_and_forth(
    fdw_reset,
):
    assert extension_and_schema() == (1, True)
    call_command("migrate", "fdw", "zero", database="default", verbosity=0)
    assert extension_and_schema() == (0, False)
    call_command("migrate", "fdw", database="default", verbosity=0)
    assert extension_and_schema() == (1, True)


@ARCHIVE_TX
def test_fdw_migrations_touch_nothing_on_node_b():
    assert node_b("SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw'") == [(0,)]
    assert node_b("SELECT to_regnamespace('archive')") == [(None,)]


@ARCHIVE_TX
def test_plays_migration_runs_on_node_b_only_back_and_forth():
    def plays_on(run) -> bool:
        return run("SELECT to_regclass('public.plays') IS NOT NULL")[0][0]

    assert (plays_on(node_b), plays_on(node_a)) == (True, False)
    call_command("migrate", "music", "0001", database="archive", verbosity=0)
    assert plays_on(node_b) is False
    call_command("migrate", "music", database="archive", verbosity=0)
    assert (plays_on(node_b), plays_on(node_a)) == (True, False)
    # node B holds the archive and nothing else of the site.
    assert node_b("SELECT to_regclass('public.users'), to_regclass('public.tracks')") == [
        (None, None)
    ]
