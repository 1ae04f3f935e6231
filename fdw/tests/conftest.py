import pytest
from django.db import connections

from fdw.services import SERVER


@pytest.fixture
def fdw_reset():
    """Node A without the foreign server (as before the first setup_fdw), and again after."""

    def drop():
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP SERVER IF EXISTS {SERVER} CASCADE")

    drop()
    yield
    drop()


def node_b(sql: str, params=None):
    with connections["archive"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def node_a(sql: str, params=None):
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None
