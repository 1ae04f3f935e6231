"""Account deletion (accounts.services) and the event it sends, against PostgreSQL."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from social_django.models import UserSocialAuth

from accounts.exceptions import AccountDeleteBlocked
from accounts.services import account_delete
from accounts.signals import user_deleting

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


def test_account_delete_refuses_the_shared_demo_account_when_asked(db):
    from accounts.models import DEMO_SPOTIFY_ID
    from accounts.services import AccountDeleteRefused

    demo = get_user_model().objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    with pytest.raises(AccountDeleteRefused):
        account_delete(user=demo)
    assert get_user_model().objects.filter(pk=demo.pk).exists()


def test_account_delete_removes_the_user_tokens_and_sessions_when_asked(alice, bob):
    Client().force_login(alice)
    Client().force_login(bob)
    UserSocialAuth.objects.create(user=alice, provider="spotify", uid=alice.spotify_id)

    account_delete(user=alice)

    assert list(get_user_model().objects.values_list("pk", flat=True)) == [bob.pk]
    assert not UserSocialAuth.objects.exists()
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert owners == [str(bob.pk)]


def test_account_delete_keeps_everything_when_a_receiver_blocks_it(alice):
    Client().force_login(alice)
    UserSocialAuth.objects.create(user=alice, provider="spotify", uid=alice.spotify_id)
    seen = []

    def blocker(sender, user, **kwargs):
        seen.append(user.pk)
        raise AccountDeleteBlocked("MongoDB is down")

    user_deleting.connect(blocker)
    try:
        with pytest.raises(AccountDeleteBlocked):
            account_delete(user=alice)
    finally:
        user_deleting.disconnect(blocker)
    assert seen == [alice.pk]
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert UserSocialAuth.objects.filter(user=alice).exists()
    assert Session.objects.count() == 1
