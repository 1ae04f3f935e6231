"""Encrypt the Spotify tokens already stored in plaintext in social-auth's extra_data."""

from django.db import migrations

TOKEN_FIELDS = ("access_token", "refresh_token")


def _convert(apps, convert) -> None:
    UserSocialAuth = apps.get_model("social_django", "UserSocialAuth")
    for social in UserSocialAuth.objects.filter(provider="spotify").iterator():
        extra = dict(social.extra_data or {})
        changed = {k: convert(v) for k, v in extra.items() if k in TOKEN_FIELDS and v}
        if any(extra[k] != v for k, v in changed.items()):
            UserSocialAuth.objects.filter(pk=social.pk).update(extra_data={**extra, **changed})


def encrypt(apps, schema_editor) -> None:
    from personalify.crypto import secret_encrypt

    _convert(apps, secret_encrypt)


def decrypt(apps, schema_editor) -> None:
    from personalify.crypto import secret_decrypt

    _convert(apps, secret_decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_needs_reauth"),
        ("social_django", "0022_nonce_timestamp_index"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
