"""Helpers of the music tests (the root conftest has ``spotify_user`` and ``fake_spotify``)."""

from __future__ import annotations

from django.utils import timezone
from social_django.models import UserSocialAuth


def make_spotify_user(fake, *, spotify_id: str | None = None, username: str | None = None):
    from django.contrib.auth import get_user_model

    spotify_id = spotify_id or fake.catalogue.user_id
    user = get_user_model().objects.create(
        username=username or spotify_id, spotify_id=spotify_id, display_name="Test User"
    )
    UserSocialAuth.objects.create(
        user=user,
        provider="spotify",
        uid=spotify_id,
        id_key="id",
        extra_data={
            "access_token": fake.access_token,
            "refresh_token": fake.refresh_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "auth_time": int(timezone.now().timestamp()),
        },
    )
    return user


# --- The dashboard stream's users -----------------------------------------------------------
import pytest  # noqa: E402

from accounts.models import User  # noqa: E402


@pytest.fixture
def alice(db):
    return User.objects.create(username="alice", spotify_id="alice-sp", display_name="Alice")


@pytest.fixture
def bob(db):
    return User.objects.create(username="bob", spotify_id="bob-sp", display_name="Bob")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
