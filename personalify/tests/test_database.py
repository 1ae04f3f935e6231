"""PostgreSQL that hangs: connecting gives up, long statements are cancelled (real servers)."""

import copy
import os
import subprocess
import sys
import threading

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper

from personalify.settings.base import database_timeouts
from personalify.testing.blackhole import BlackHole
from personalify.testing.worker import database_url

pytestmark = pytest.mark.django_db


def test_connecting_to_a_hung_postgresql_gives_up_instead_of_waiting_forever():
    with BlackHole() as hole:
        params = copy.deepcopy(connection.settings_dict)
        params.update(HOST="127.0.0.1", PORT=hole.port)
        params["OPTIONS"]["connect_timeout"] = 2
        wrapper = DatabaseWrapper(params, alias="hung")
        outcome = {}

        def connect():
            try:
                wrapper.ensure_connection()
                outcome["error"] = None
            except Exception as exc:  # the outcome is what the test reads
                outcome["error"] = exc

        thread = threading.Thread(target=connect, daemon=True)
        thread.start()
        thread.join(timeout=60)  # a guard against a hung suite, not a measurement
        assert not thread.is_alive(), "ensure_connection() was still waiting after 60 s"
        assert isinstance(outcome["error"], OperationalError)
        assert hole.accepted >= 1


def test_every_postgresql_connection_has_a_connect_timeout():
    assert connection.get_connection_params()["connect_timeout"] == settings.DB_CONNECT_TIMEOUT


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("web", "DB_WEB_STATEMENT_TIMEOUT_MS"), ("task", "DB_TASK_STATEMENT_TIMEOUT_MS")],
)
def test_statement_timeout_is_short_for_web_processes_and_long_for_background_work(kind, limit):
    params = DatabaseWrapper(
        database_timeouts(connection.settings_dict, kind=kind), alias=kind
    ).get_connection_params()
    with psycopg.connect(**params) as conn:
        shown = conn.execute(
            "SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'"
        )
        assert shown.fetchone()[0] == getattr(settings, limit)


def test_the_test_process_runs_as_background_work():
    # pytest is not a web process, so it (like Celery and management commands) gets the long limit
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone()[0] == settings.DB_TASK_STATEMENT_TIMEOUT_MS


def test_a_statement_over_the_limit_is_cancelled_by_the_server():
    params = DatabaseWrapper(
        {**connection.settings_dict, "OPTIONS": {"options": "-c statement_timeout=100"}},
        alias="short",
    ).get_connection_params()
    with psycopg.connect(**params) as conn, pytest.raises(psycopg.errors.QueryCanceled):
        conn.execute("SELECT pg_sleep(5)")


@pytest.mark.parametrize("module", ["personalify.wsgi", "personalify.asgi"])
def test_the_wsgi_and_asgi_entry_points_give_their_process_the_web_limit(module):
    script = (
        f"import {module}; from django.db import connection; c = connection.cursor(); "
        "c.execute(\"SELECT setting FROM pg_settings WHERE name = 'statement_timeout'\"); "
        "print(c.fetchone()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "personalify.settings.test"}
    env.pop("PERSONALIFY_PROCESS", None)
    # The test database exists only under its test name while the suite runs.
    env["TEST_DATABASE_URL"] = database_url(connection.settings_dict)
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert int(shown) == settings.DB_WEB_STATEMENT_TIMEOUT_MS
