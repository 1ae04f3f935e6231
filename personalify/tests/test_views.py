import pytest
import requests
from django.db import connection
from django.urls import reverse
from pytest_socket import SocketConnectBlockedError

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


@pytest.mark.parametrize("name", ["home", "about", "terms", "privacy"])
def test_page_renders_with_navigation_when_requested(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html and reverse("privacy") in html and reverse("terms") in html


def test_home_offers_a_post_login_form_with_csrf_when_spotify_is_configured(client):
    html = client.get(reverse("home")).content.decode()
    assert f'method="post" action="{reverse("social:begin", args=["spotify"])}"' in html
    assert "csrfmiddlewaretoken" in html


def test_home_says_login_is_not_open_when_spotify_is_not_configured(client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    html = client.get(reverse("home")).content.decode()
    assert "not open on this server yet" in html
    assert reverse("social:begin", args=["spotify"]) not in html


def test_about_shows_the_architecture_diagram(client):
    html = client.get(reverse("about")).content.decode()
    assert "<svg" in html and "postgres_fdw" in html and "MongoDB" in html


def test_privacy_names_every_store_and_how_to_delete(client):
    html = client.get(reverse("privacy")).content.decode()
    for needle in (
        "PostgreSQL",
        "MongoDB",
        "Redis",
        "user_syncs",
        "top:&lt;spotify_id&gt;",
        "Delete my account and data",
    ):
        assert needle in html


def test_static_assets_are_served_by_the_app(client):
    html = client.get(reverse("home")).content.decode()
    assert "/static/css/site.css" in html
    assert "//cdn" not in html and "https://" not in html.split("<body")[0]


def test_healthz_answers_200_when_every_service_is_up(admin_client, archive_ready):
    response = admin_client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["services"]) == {"database", "cache", "mongodb", "archive", "broker"}
    assert body["services"]["archive"]["detail"] == "node B, through postgres_fdw"
    assert body["services"]["database"]["detail"] == connection.vendor == "postgresql"
    assert body["services"]["cache"]["detail"] == "RedisCache"


def test_healthz_answers_503_naming_the_cache_when_redis_is_down(
    admin_client, redis_down, archive_ready
):
    response = admin_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_healthz_answers_503_naming_the_broker_when_it_is_down(
    admin_client, settings, archive_ready
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = admin_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_healthz_reports_a_reachable_broker_as_up(admin_client, settings, archive_ready):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.TEST_CELERY_BROKER_URL
    response = admin_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["services"]["broker"]["detail"].startswith("redis://")


def test_healthz_tells_anonymous_callers_only_the_overall_state_when_a_service_is_down(
    client, redis_down, archive_ready
):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}


def test_healthz_tells_anonymous_callers_only_ok_when_everything_is_up(client, archive_ready):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_reuses_its_checks_for_a_few_seconds(client, settings, time_machine, archive_ready):
    from personalify import health

    settings.HEALTH_CACHE_SECONDS = 5
    health.health_cache_clear()
    runs = []
    health.health_check_register("counter", lambda: runs.append(1), after="database")
    try:
        time_machine.move_to("2026-06-01 12:00:00", tick=False)
        for _ in range(10):
            assert client.get("/healthz").status_code == 200
        assert len(runs) == 1
        time_machine.move_to("2026-06-01 12:00:06", tick=False)
        client.get("/healthz")
        assert len(runs) == 2
    finally:
        del health.CHECKS["counter"]
        health.health_cache_clear()


def test_admin_redirects_anonymous_and_non_staff_users_to_login(client, django_user_model):
    assert client.get("/admin/").status_code == 302
    user = django_user_model.objects.create_user("plain", password="pw-123456")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_tests_cannot_reach_the_internet():
    with pytest.raises(SocketConnectBlockedError):
        requests.get("http://93.184.216.34/", timeout=2)


def test_navigation_links_every_page_of_a_logged_in_user_when_on_any_page(client, spotify_user):
    client.force_login(spotify_user)
    html = client.get(reverse("analytics:emotion-paste")).content.decode()
    for name in ("analytics:dashboard", "analytics:history", "analytics:emotion-paste"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("analytics:emotion-paste")}" aria-current="page"' in html


def test_navigation_hides_private_pages_when_anonymous(client):
    html = client.get(reverse("about")).content.decode()
    assert reverse("analytics:dashboard") not in html
