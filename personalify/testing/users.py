"""Users for tests and benchmarks."""

from __future__ import annotations


def spotify_user_make(fake, *, spotify_id: str | None = None, **fields):
    """The one way tests make a user: a Spotify account, logged in through ``fake`` (a
    FakeSpotify, whose tokens it stores as social-auth does) or not (``fake`` None).

    The Spotify id defaults to the fake's user; the access token is fresh (expires in 1 h).
    """
    import time

    from django.contrib.auth import get_user_model
    from social_django.models import UserSocialAuth

    from personalify.crypto import secret_encrypt

    spotify_id = spotify_id or fake.catalogue.user_id
    fields.setdefault("username", spotify_id)
    fields.setdefault("display_name", "Test User")
    user = get_user_model().objects.create(spotify_id=spotify_id, **fields)
    if fake is not None:
        UserSocialAuth.objects.create(
            user=user,
            provider="spotify",
            uid=spotify_id,
            id_key="id",  # as social-auth stores it (a row without it counts as a legacy identity)
            extra_data={
                "auth_time": int(time.time()),
                "access_token": secret_encrypt(fake.access_token),
                "refresh_token": secret_encrypt(fake.refresh_token),
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )
    return user
