"""Music registers the health check of MongoDB (its sync history) with /healthz."""

import pytest

from music.history import history_client_reset

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


def test_healthz_answers_503_naming_mongodb_when_it_is_down(client, settings, archive_ready):
    settings.MONGO_URI = "mongodb://127.0.0.1:1/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        response = client.get("/healthz")
    finally:
        history_client_reset()
    assert response.status_code == 503
    assert response.json()["down"] == ["mongodb"]


def test_healthz_answers_503_naming_the_archive_when_node_b_is_down(client, node_b_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["archive"]
    assert "Listening archive unavailable" in response.json()["services"]["archive"]["detail"]


def test_healthz_names_setup_fdw_when_node_b_is_reachable_but_not_set_up(client):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SERVER IF EXISTS archive_node CASCADE")
    body = client.get("/healthz").json()
    assert body["down"] == ["archive"]
    assert "setup_fdw" in body["services"]["archive"]["detail"]


def test_healthz_reports_a_local_archive_when_there_is_no_node_b(client, archive_local):
    body = client.get("/healthz").json()
    assert body["services"]["archive"] == {"status": "up", "detail": "local (in the main database)"}
