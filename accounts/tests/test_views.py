"""Account pages, the "log in again" banner and the admin's view of logins."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from social_django.models import UserSocialAuth

from accounts.models import DEMO_SPOTIFY_ID
from accounts.services import tokens_opened

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

BANNER = "Your Spotify login has expired — log in again"


@pytest.mark.parametrize("name", ["home", "about", "privacy", "accounts:account"])
def test_banner_offers_post_login_on_every_page_when_user_needs_reauth(client, spotify_user, name):
    spotify_user.needs_reauth = True
    spotify_user.save()
    client.force_login(spotify_user)
    html = client.get(reverse(name)).content.decode()
    assert BANNER in html
    banner = html[html.index('id="spotify-reauth"') :]
    form = banner[: banner.index("</form>")]
    assert f'method="post" action="{reverse("social:begin", args=["spotify"])}"' in form
    assert "csrfmiddlewaretoken" in form


def test_banner_is_absent_when_login_is_valid(client, spotify_user):
    client.force_login(spotify_user)
    assert BANNER not in client.get(reverse("home")).content.decode()


def test_account_page_redirects_to_login_when_anonymous(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_account_page_shows_delete_button_when_logged_in(client, spotify_user):
    client.force_login(spotify_user)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Delete my account and data" in html
    assert f'method="post" action="{reverse("accounts:account-delete")}"' in html


def test_account_delete_asks_for_confirmation_when_first_posted(client, spotify_user):
    client.force_login(spotify_user)
    response = client.post(reverse("accounts:account-delete"))
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    assert get_user_model().objects.filter(pk=spotify_user.pk).exists()


def test_account_delete_deletes_and_logs_out_when_confirmed(client, spotify_user):
    client.force_login(spotify_user)
    response = client.post(reverse("accounts:account-delete"), {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not get_user_model().objects.filter(pk=spotify_user.pk).exists()
    html = client.get(reverse("home")).content.decode()
    assert "were deleted" in html and "Log out" not in html


def test_account_delete_refuses_get_when_requested(client, spotify_user):
    client.force_login(spotify_user)
    assert client.get(reverse("accounts:account-delete")).status_code == 405


def test_login_not_allowed_page_explains_user_management_when_visited(client):
    response = client.get(reverse("accounts:login-not-allowed"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "User Management" in html and "at most 5 users" in html


def test_admin_hides_tokens_when_staff_views_a_spotify_login(client, spotify_user):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    social = UserSocialAuth.objects.get(user=spotify_user)
    extra = tokens_opened(social.extra_data)
    secrets = (extra["access_token"], extra["refresh_token"], social.extra_data["access_token"])
    pages = [
        reverse("admin:social_django_usersocialauth_changelist"),
        reverse("admin:social_django_usersocialauth_change", args=[social.pk]),
        reverse("admin:accounts_user_change", args=[spotify_user.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "testuser123" in html
        assert not any(secret in html for secret in secrets), page


def test_account_page_hides_delete_button_and_says_why_when_user_is_demo(client):
    demo = get_user_model().objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    client.force_login(demo)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Delete my account and data" not in html
    assert f'action="{reverse("accounts:account-delete")}"' not in html
    assert "The demo account is shared and cannot be deleted" in html


def test_time_zone_update_sets_the_zone_of_the_statistics_when_it_is_known(alice_client, alice):
    response = alice_client.post("/accounts/time-zone/", {"time_zone": "Europe/Berlin"})
    alice.refresh_from_db()
    assert response.status_code == 302 and alice.time_zone == "Europe/Berlin"
    assert str(alice.zone) == "Europe/Berlin"


def test_time_zone_update_keeps_the_zone_when_the_name_is_unknown(alice_client, alice):
    alice_client.post("/accounts/time-zone/", {"time_zone": "Mars/Olympus"})
    alice.refresh_from_db()
    assert alice.time_zone == "" and str(alice.zone) == "UTC"
    page = alice_client.get("/accounts/")
    assert b"Unknown time zone: Mars/Olympus" in page.content
