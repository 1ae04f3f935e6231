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
