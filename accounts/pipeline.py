"""Steps added to social-auth's login pipeline (settings.SOCIAL_AUTH_PIPELINE)."""

from __future__ import annotations

import logging

from django.contrib import messages
from social_core.exceptions import AuthAssociationError

from .services import spotify_login_record, spotify_tokens_store
from .signals import spotify_login_completed

logger = logging.getLogger(__name__)


class SpotifyAssociationRefused(AuthAssociationError):
    """The Spotify account may not be attached to the user logged in here."""


def association_guard(backend, uid, user=None, *args, **kwargs):
    """Refuse to attach a Spotify account to the shared demo user, or to a user who already
    has another Spotify account (their tokens would be served to the wrong person).

    The login view logs out first (accounts.views.spotify_login_begin), so this fires only when
    a session changed between the start of a login and its callback.
    """
    if user is None or backend.name != "spotify":
        return None
    if user.is_demo or (user.spotify_id and user.spotify_id != str(uid)):
        logger.warning("Refused to attach Spotify account to user %s (not theirs)", user.pk)
        raise SpotifyAssociationRefused(backend, code="identity_in_use", stage="pipeline")
    return None


def spotify_tokens_save(backend, details, response, uid, user=None, *args, **kwargs):
    """social-auth's load_extra_data, with the access and refresh tokens stored encrypted."""
    social = kwargs.get("social") or backend.strategy.storage.user.get_social_auth(
        backend.name, uid
    )
    if social:
        extra = backend.extra_data(user, uid, response, details, kwargs)
        spotify_tokens_store(social=social, extra=extra)
    return None


def spotify_profile_save(backend, user=None, response=None, *args, **kwargs):
    """Store the Spotify id and name on the user and clear a pending "log in again" flag."""
    if user is None or backend.name != "spotify":
        return None
    spotify_login_record(
        user=user, spotify_id=str(response["id"]), display_name=response.get("display_name") or ""
    )
    return None


LOGIN_SYNC_FAILED = (
    "You are logged in, but your first sync could not be queued. Press Sync now in a minute."
)


def login_completed_announce(backend, user=None, *args, **kwargs):
    """Tell the apps above that a Spotify login completed (music queues a sync).

    A receiver answers False when the work it queues could not be queued; that, or a receiver
    that raised, tells the user to press Sync now. The login itself always succeeds.
    """
    if user is None or backend.name != "spotify":
        return None
    request = getattr(backend.strategy, "request", None)
    answers = spotify_login_completed.send_robust(sender=type(user), user=user, request=request)
    failed = False
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error(
                "%s failed after the login of %s", receiver.__qualname__, user.pk, exc_info=answer
            )
        failed = failed or isinstance(answer, Exception) or answer is False
    if failed and request is not None:
        messages.warning(request, LOGIN_SYNC_FAILED)
    return None
