"""Accounts services: Spotify login records, tokens (with refresh) and account deletion.

The Spotify client itself belongs to music, which asks here for a token (``spotify_token_get``).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from social_core.exceptions import AuthCredentialError, SocialAuthBaseException
from social_django.models import UserSocialAuth
from social_django.utils import load_strategy

from personalify.crypto import SecretUndecryptable, secret_decrypt, secret_encrypt, secret_rotate

from .exceptions import SpotifyReauthRequired, SpotifyTokenRefreshFailed
from .models import UserSession
from .selectors import user_cache_forget
from .sessions import user_sessions_delete
from .signals import user_deleting

logger = logging.getLogger(__name__)

PROVIDER = "spotify"


def spotify_login_record(*, user, spotify_id: str, display_name: str) -> None:
    """After a successful Spotify login: keep id and name, clear "log in again"."""
    user.spotify_id = spotify_id
    user.display_name = display_name
    user.needs_reauth = False
    user.save(update_fields=["spotify_id", "display_name", "needs_reauth"])


# The values in social-auth's extra_data that are stored encrypted (personalify.crypto).
TOKEN_FIELDS = ("access_token", "refresh_token")


def tokens_sealed(extra: dict) -> dict:
    """``extra`` with its token values encrypted."""
    return {
        k: secret_encrypt(v) if k in TOKEN_FIELDS and isinstance(v, str) and v else v
        for k, v in extra.items()
    }


def tokens_opened(extra: dict) -> dict:
    """``extra`` with its token values decrypted (for social-auth's refresh calls)."""
    return {
        k: secret_decrypt(v) if k in TOKEN_FIELDS and isinstance(v, str) else v
        for k, v in extra.items()
    }


def spotify_tokens_store(*, social: UserSocialAuth, extra: dict) -> None:
    """Merge a login's or a refresh's extra data into the row, tokens encrypted, in one UPDATE.

    A refresh answer without a refresh token keeps the stored one (social-auth's merge). One
    UPDATE, never save(): the sync calls this from worker threads, where save() could fall back
    to an INSERT when the row is not visible to that thread's connection.
    """
    social.extra_data = {**(social.extra_data or {}), **tokens_sealed(extra)}
    UserSocialAuth.objects.filter(pk=social.pk).update(
        extra_data=social.extra_data, modified=timezone.now()
    )


def spotify_tokens_rotate() -> tuple[int, int]:
    """Re-encrypt every stored token with the first key; returns (rotated, unreadable).

    A login no key opens is flagged "log in again" (its tokens are useless anyway).
    """
    rotated = unreadable = 0
    for social in UserSocialAuth.objects.filter(provider=PROVIDER).iterator():
        extra = dict(social.extra_data or {})
        try:
            extra.update({k: secret_rotate(extra[k]) for k in TOKEN_FIELDS if extra.get(k)})
        except SecretUndecryptable:
            unreadable += 1
            _reauth_flag(user_model=type(social.user), user_id=social.user_id)
            continue
        UserSocialAuth.objects.filter(pk=social.pk).update(extra_data=extra)
        rotated += 1
    return rotated, unreadable


def _reauth_flag(*, user_model, user_id: int) -> None:
    """ "Log in again" on every page of this user (one UPDATE; the cached copy goes)."""
    user_model.objects.filter(pk=user_id).update(needs_reauth=True)
    user_cache_forget(user_id=user_id)


def _access_token(*, social: UserSocialAuth, user) -> str:
    try:
        return secret_decrypt(social.extra_data["access_token"])
    except SecretUndecryptable as exc:
        logger.error("No TOKEN_ENCRYPTION_KEYS key opens the tokens of user %s", user.pk)
        _reauth_flag(user_model=type(user), user_id=user.pk)
        raise SpotifyReauthRequired("Stored Spotify login cannot be read; log in again") from exc


def _social_get(*, user) -> UserSocialAuth:
    try:
        return UserSocialAuth.objects.get(user=user, provider=PROVIDER)
    except UserSocialAuth.DoesNotExist as exc:
        user.needs_reauth = True
        user.save(update_fields=["needs_reauth"])
        raise SpotifyReauthRequired("No Spotify login is stored for this user") from exc


def _token_expiring(social: UserSocialAuth) -> bool:
    """True when the access token expires within the margin, or its expiry is unknown."""
    remaining = social.expiration_timedelta()
    if remaining is None:
        return True
    return remaining <= timedelta(seconds=settings.SPOTIFY_TOKEN_REFRESH_MARGIN)


def _social_refresh(*, social: UserSocialAuth, user) -> None:
    """UserSocialAuth.refresh_token(), with the tokens decrypted for the call and stored
    encrypted with one UPDATE (see spotify_tokens_store)."""
    backend = social.get_backend_instance(load_strategy())
    opened = tokens_opened(social.extra_data or {})
    token = backend.get_refresh_token(opened)
    if not token:
        raise AuthCredentialError(backend, code="reauthentication_required", stage="refresh")
    response = backend.refresh_token(token, **backend.get_refresh_token_kwargs(opened))
    spotify_tokens_store(
        social=social, extra=backend.extra_data(user, social.uid, response, opened, {})
    )


def spotify_token_refresh(*, user, social: UserSocialAuth | None = None) -> str:
    """Refresh the user's access token at Spotify and store it; returns the new access token.

    A refresh answer without a refresh token keeps the old one (social-auth's extra_data merge).
    invalid_grant (expired or revoked refresh token) flags the user and raises
    SpotifyReauthRequired; other refusals raise SpotifyTokenRefreshFailed.
    """
    social = social or _social_get(user=user)
    try:
        _social_refresh(social=social, user=user)
    except SecretUndecryptable as exc:
        _reauth_flag(user_model=type(user), user_id=user.pk)
        user.needs_reauth = True
        raise SpotifyReauthRequired("Stored Spotify login cannot be read; log in again") from exc
    except AuthCredentialError as exc:
        # Spotify's refresh tokens die 6 months after authorization: the user must log in again.
        logger.warning("Spotify refused the refresh token of user %s: %s", user.pk, exc.code)
        _reauth_flag(user_model=type(user), user_id=user.pk)
        user.needs_reauth = True
        raise SpotifyReauthRequired("Spotify login expired; log in again") from exc
    except SocialAuthBaseException as exc:
        logger.error("Spotify token refresh failed for user %s: %s", user.pk, exc.code)
        raise SpotifyTokenRefreshFailed(
            f"Token refresh failed: {exc}", status=exc.status_code
        ) from exc
    return _access_token(social=social, user=user)


def spotify_token_get(*, user) -> tuple[str, Callable[[], str]]:
    """A fresh access token, and a callable that forces one refresh (for a 401 mid-sync).

    Both raise SpotifyReauthRequired when the user must log in again and
    SpotifyTokenRefreshFailed when Spotify refuses the refresh for another reason.
    """
    social = _social_get(user=user)
    if _token_expiring(social):
        spotify_token_refresh(user=user, social=social)

    def refresh() -> str:
        return spotify_token_refresh(user=user, social=social)

    return _access_token(social=social, user=user), refresh


def _user_sessions_delete(*, user_id: int) -> None:
    user_sessions_delete(user_id=user_id)  # one indexed statement, and the cached copies


def sessions_clear_expired() -> int:
    """Delete the sessions that have expired; returns how many (the beat runs it daily)."""
    deleted, _ = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


class AccountDeleteRefused(Exception):
    """This account cannot be deleted (the shared demo account)."""


def account_delete(*, user) -> None:
    """Delete the user and everything about them: tokens, rankings, history, cache, sessions.

    The apps above accounts delete their part on ``user_deleting``, inside this transaction;
    music deletes the MongoDB history first, so when MongoDB is down (AccountDeleteBlocked)
    nothing is deleted and the user can simply try again.
    """
    if user.is_demo:
        raise AccountDeleteRefused("The demo account is shared and cannot be deleted.")
    user_id = user.pk
    with transaction.atomic():
        user_deleting.send(sender=type(user), user=user)
        _user_sessions_delete(user_id=user_id)
        user.delete()  # cascades to social-auth rows (tokens), rankings, vibes, outbox
    logger.info("Deleted account %s and its data", user_id)


def user_time_zone_set(*, user, time_zone: str) -> None:
    """Set the time zone the user's statistics are shown in (an IANA name; "" for UTC).
    Raises ValueError for a name this server does not know."""
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValueError(f"Unknown time zone: {time_zone}")
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
