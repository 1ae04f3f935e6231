"""setup_fdw against the session's node B: a real second PostgreSQL, reached through
postgres_fdw from node A's test database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connections

from fdw.services import SERVER
from personalify.archive import archive_tables

from .conftest import node_a, node_b

ARCHIVE_TX = pytest.mark.django_db(transaction=True, databases=["default", "archive"])
PLAY = "INSERT INTO plays ({}) VALUES ({})"
COLUMNS = (
    "spotify_id, played_at, track_id, ms_played, source, context_uri, track_name, artist_name, "
    "album_name, platform, country, reason_start, reason_end, episode_name, episode_show_name, "
    "episode_uri"
)


def insert_play(run, spotify_id: str, played_at: str, track_id: str, ms: int = 1000) -> None:
    run(
        f"INSERT INTO plays ({COLUMNS}) VALUES (%s, %s, %s, %s, 'api', '', '', '', '', '', '', "
        "'', '', '', '', '')",
        [spotify_id, played_at, track_id, ms],
    )


def setup_fdw(*args: str) -> str:
    out = StringIO()
    call_command("setup_fdw", *args, stdout=out)
    return out.getvalue()


def server_options() -> dict[str, str]:
    raw = node_a("SELECT srvoptions FROM pg_foreign_server WHERE srvname = %s", [SERVER])[0][0]
    return dict(item.split("=", 1) for item in raw)


def mapping_options() -> dict[str, str]:
    raw = node_a(
        "SELECT umoptions FROM pg_user_mappings WHERE srvname = %s AND usename = current_user",
        [SERVER],
    )[0][0]
    return dict(item.split("=", 1) for item in raw)


@ARCHIVE_TX
def test_setup_fdw_creates_server_mapping_and_foreign_table_when_run_first(fdw_reset, settings):
    insert_play(node_b, "alice-sp", "2026-01-01T10:00:00Z", "t1")
    out = setup_fdw()
    assert "CREATE SERVER archive_node" in out and "IMPORT FOREIGN SCHEMA public" in out
    options = server_options()
    assert options["port"] == str(settings.FDW_REMOTE_PORT)
    assert options["dbname"] == settings.FDW_REMOTE_DB
    assert options["use_remote_estimate"] == "true"
    assert int(options["fetch_size"]) > 100
    assert node_a("SELECT spotify_id, track_id FROM archive.plays") == [("alice-sp", "t1")]


@ARCHIVE_TX
def test_setup_fdw_changes_nothing_when_run_twice(fdw_reset):
    setup_fdw()
    oid = node_a("SELECT 'archive.plays'::regclass::oid")[0][0]
    out = setup_fdw()
    assert "nothing changed" in out
    assert "CREATE" not in out and "ALTER" not in out and "IMPORT" not in out
    assert node_a("SELECT 'archive.plays'::regclass::oid")[0][0] == oid
    assert node_a("SELECT to_regnamespace('archive_import_check')") == [(None,)]


@ARCHIVE_TX
def test_setup_fdw_applies_changed_credentials_without_printing_the_password(fdw_reset, settings):
    setup_fdw()
    node_b("DROP ROLE IF EXISTS archive_reader")
    node_b("CREATE ROLE archive_reader LOGIN PASSWORD 'x'")
    node_b("GRANT SELECT ON plays TO archive_reader")
    try:
        settings.FDW_REMOTE_USER = "archive_reader"
        settings.FDW_REMOTE_PASSWORD = "s3cret-pass"
        out = setup_fdw()
        assert "ALTER USER MAPPING" in out
        assert "s3cret-pass" not in out and "********" in out
        assert mapping_options() == {"user": "archive_reader", "password": "s3cret-pass"}
        # node A now reads node B as that role (trust authentication ignores the password).
        assert node_a("SELECT count(*) FROM archive.plays") == [(0,)]
        assert "nothing changed" in setup_fdw()
    finally:
        connections["default"].close()  # postgres_fdw's cached connection to node B goes too
        node_b("DROP OWNED BY archive_reader")
        node_b("DROP ROLE archive_reader")


@ARCHIVE_TX
def test_setup_fdw_updates_server_options_when_settings_change(fdw_reset, settings):
    setup_fdw()
    settings.FDW_FETCH_SIZE = 777
    out = setup_fdw()
    assert "ALTER SERVER archive_node OPTIONS (SET fetch_size '777')" in out
    assert server_options()["fetch_size"] == "777"


@ARCHIVE_TX
def test_setup_fdw_imports_again_when_node_b_schema_changes(fdw_reset):
    setup_fdw()
    node_b("ALTER TABLE plays ADD COLUMN listened_with text")
    try:
        out = setup_fdw()
        assert "DROP FOREIGN TABLE IF EXISTS archive.plays" in out
        columns = node_a(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'archive' AND table_name = 'plays'"
        )
        assert ("listened_with",) in columns
    finally:
        node_b("ALTER TABLE plays DROP COLUMN listened_with")
    assert "IMPORT FOREIGN SCHEMA" in setup_fdw()


@ARCHIVE_TX
def test_setup_fdw_dry_run_prints_the_sql_and_changes_nothing(fdw_reset, settings):
    settings.FDW_REMOTE_PASSWORD = "dry-secret"
    out = setup_fdw("--dry-run")
    assert "CREATE SERVER archive_node FOREIGN DATA WRAPPER postgres_fdw" in out
    assert "CREATE USER MAPPING FOR CURRENT_USER" in out and "dry-secret" not in out
    tables = ", ".join(archive_tables())  # plays and its summaries
    assert f"IMPORT FOREIGN SCHEMA public LIMIT TO ({tables})" in out
    assert node_a("SELECT count(*) FROM pg_foreign_server WHERE srvname = %s", [SERVER]) == [(0,)]


@ARCHIVE_TX
def test_setup_fdw_moves_local_plays_to_node_b_when_they_were_stored_before_it(fdw_reset):
    play_model = apps.get_model("music", "Play")
    with connections["default"].schema_editor() as editor:
        editor.create_model(play_model)  # the table the archive had while it was local
    try:
        for when, track in [("2026-01-01T10:00Z", "t1"), ("2026-01-01T10:04Z", "t2"),
                            ("2026-01-01T10:08Z", "t3")]:  # fmt: skip
            insert_play(node_a, "alice-sp", when, track)
        insert_play(node_b, "alice-sp", "2026-01-01T10:04Z", "t2")  # already on node B
        assert "would move 3 plays stored locally to node B" in setup_fdw("--dry-run")
        assert node_a("SELECT count(*) FROM public.plays") == [(3,)]
        out = setup_fdw()
        assert "moved 2 local plays to node B (1 were there)" in out
        assert node_b("SELECT count(*) FROM plays") == [(3,)]
        # Node B's triggers counted the moved plays in its summaries (once each).
        assert node_b("SELECT sum(plays) FROM play_quarters") == [(3,)]
        assert node_a("SELECT count(*) FROM public.plays") == [(0,)]
        assert "nothing changed" in setup_fdw()
    finally:
        with connections["default"].schema_editor() as editor:
            editor.delete_model(play_model)


@ARCHIVE_TX
def test_setup_fdw_check_shows_the_aggregate_pushed_down_to_node_b(fdw_reset, alice):
    # A year of plays, analysed on node B as autovacuum would: 10 tracks, 50 plays each.
    node_b(
        f"INSERT INTO plays ({COLUMNS}) SELECT 'alice-sp', now() - i * interval '1 hour', "
        "'t' || (i % 10), 1000, 'api', '', '', '', '', '', '', '', '', '', '', '' "
        "FROM generate_series(1, 500) i"
    )
    node_b("ANALYZE plays")
    setup_fdw()
    out = setup_fdw("--check")
    assert "reachable: yes; archive.plays on node B: 500 plays of 1 users" in out
    remote = next(line for line in out.splitlines() if "Remote SQL" in line)
    assert "GROUP BY" in remote and "spotify_id = $1" in remote and "played_at >=" in remote


@ARCHIVE_TX
def test_setup_fdw_check_names_setup_fdw_when_node_a_is_not_set_up(fdw_reset):
    assert "not set up: run `python manage.py setup_fdw`" in setup_fdw("--check")


@pytest.mark.django_db
def test_setup_fdw_says_there_is_nothing_to_do_when_no_node_b_is_configured(settings):
    settings.FDW_REMOTE_HOST = ""
    assert "No node B configured" in setup_fdw()
