"""Music registers the health check of MongoDB (its sync history) with /healthz."""

import pytest

from music.history import history_client_reset

pytestmark = pytest.mark.django_db


def test_healthz_answers_503_naming_mongodb_when_it_is_down(admin_client, settings):
    settings.MONGO_URI = "mongodb://127.0.0.1:1/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        response = admin_client.get("/healthz")
    finally:
        history_client_reset()
    assert response.status_code == 503
    assert response.json()["down"] == ["mongodb"]
