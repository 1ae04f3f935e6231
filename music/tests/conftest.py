"""Fixtures of the music tests: a Spotify user whose tokens the fake Spotify issued."""

from __future__ import annotations

import pytest
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
        extra_data={
            "access_token": fake.access_token,
            "refresh_token": fake.refresh_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "auth_time": int(timezone.now().timestamp()),
        },
    )
    return user


@pytest.fixture
def spotify_user(fake_spotify, db):
    """A user logged in with the fake Spotify (valid access and refresh tokens)."""
    return make_spotify_user(fake_spotify)
