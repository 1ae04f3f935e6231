"""Spotify tokens are encrypted at rest: no database row holds them in the clear."""

import time

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from social_django.models import UserSocialAuth

from accounts.services import spotify_token_get, tokens_opened
from personalify.crypto import secret_decrypt, secret_encrypt
from personalify.testing.users import spotify_user_make

from .test_login import login

pytestmark = pytest.mark.django_db


def _rows_containing(secret: str) -> list[str]:
    """Every table whose rows, as text, contain ``secret``."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT 1 FROM {quoted} t WHERE strpos(t::text, %s) > 0 LIMIT 1",
                [secret],
            )
            if cursor.fetchone():
                found.append(table)
    return found


def test_login_stores_no_token_in_the_clear_in_any_row(client, fake_spotify):
    login(client, fake_spotify)
    tokens = tokens_opened(UserSocialAuth.objects.get().extra_data)
    assert tokens["access_token"] and tokens["refresh_token"]
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert _rows_containing(token) == []


def test_refresh_stores_the_new_tokens_encrypted(fake_spotify):
    user = spotify_user_make(fake_spotify)
    social = UserSocialAuth.objects.get(user=user)
    social.extra_data["auth_time"] = int(time.time()) - 7200  # expired an hour ago
    UserSocialAuth.objects.filter(pk=social.pk).update(extra_data=social.extra_data)
    fake_spotify.rotate_refresh_tokens = True
    token, _ = spotify_token_get(user=user)
    assert token != fake_spotify.access_token
    stored = tokens_opened(UserSocialAuth.objects.get(user=user).extra_data)
    assert stored["access_token"] == token
    assert _rows_containing(token) == [] and _rows_containing(stored["refresh_token"]) == []


def test_token_encryption_keys_rotate_without_losing_a_login(fake_spotify, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    user = spotify_user_make(fake_spotify)
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_token_keys")
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    token, _ = spotify_token_get(user=user)
    assert token == fake_spotify.access_token


def test_token_get_asks_to_log_in_again_when_no_key_opens_the_tokens(fake_spotify, settings):
    from accounts.exceptions import SpotifyReauthRequired

    user = spotify_user_make(fake_spotify)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SpotifyReauthRequired):
        spotify_token_get(user=user)
    user.refresh_from_db()
    assert user.needs_reauth


def test_migration_encrypts_tokens_stored_in_the_clear(fake_spotify):
    from django.apps import apps as global_apps

    user = spotify_user_make(fake_spotify)
    social = UserSocialAuth.objects.get(user=user)
    plain = tokens_opened(social.extra_data)
    UserSocialAuth.objects.filter(pk=social.pk).update(extra_data=plain)  # as before encryption
    migration = __import__("accounts.migrations.0003_encrypt_spotify_tokens", fromlist=["encrypt"])
    migration.encrypt(global_apps, None)
    stored = UserSocialAuth.objects.get(pk=social.pk).extra_data
    assert stored["access_token"] != plain["access_token"]
    assert secret_decrypt(stored["access_token"]) == plain["access_token"]
    assert _rows_containing(plain["refresh_token"]) == []


def test_secret_encrypt_is_not_deterministic_and_round_trips():
    a, b = secret_encrypt("BQD-token"), secret_encrypt("BQD-token")
    assert a != b and "BQD-token" not in a
    assert secret_decrypt(a) == secret_decrypt(b) == "BQD-token"
