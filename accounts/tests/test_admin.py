import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_admin_bulk_delete_refuses_the_demo_account_when_selected(admin_client, db):
    from accounts.models import DEMO_SPOTIFY_ID

    demo = get_user_model().objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [demo.pk], "post": "yes"},
        follow=True,
    )
    assert get_user_model().objects.filter(pk=demo.pk).exists()
    assert "cannot be deleted" in response.content.decode()


# --- Password logins are throttled (django-axes) ----------------------------------------------


def _admin_login(client, password: str, username: str = "root", address: str = "203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_admin_login_locks_out_after_repeated_failures_even_with_the_right_password(
    client, django_user_model, settings
):
    django_user_model.objects.create_superuser("root", "root@example.com", "right-pw")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _admin_login(client, "wrong")
    response = _admin_login(client, "right-pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_locks_a_username_guessed_from_many_addresses(
    client, django_user_model, settings
):
    django_user_model.objects.create_superuser("root", "root@example.com", "right-pw")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _admin_login(client, "wrong", address=f"198.51.100.{i}")
    assert _admin_login(client, "right-pw", address="192.0.2.1").status_code == 429


def test_admin_login_succeeds_after_a_few_failures_below_the_limit(
    client, django_user_model, settings
):
    django_user_model.objects.create_superuser("root", "root@example.com", "right-pw")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _admin_login(client, "wrong")
    response = _admin_login(client, "right-pw")
    assert response.status_code == 302 and response["Location"] == "/admin/"
