"""Steps added to social-auth's login pipeline (settings.SOCIAL_AUTH_PIPELINE)."""

from __future__ import annotations

import logging

from django.contrib import messages

from .services import spotify_login_record

logger = logging.getLogger(__name__)


def spotify_profile_save(backend, user=None, response=None, *args, **kwargs):
    """Store the Spotify id and name on the user and clear a pending "log in again" flag."""
    if user is None or backend.name != "spotify":
        return None
    spotify_login_record(
        user=user, spotify_id=str(response["id"]), display_name=response.get("display_name") or ""
    )
    return None


def sync_on_login(backend, user=None, *args, **kwargs):
    """Queue the user's first (or a fresh) sync; never run it inside the login request."""
    if user is None or backend.name != "spotify":
        return None
    # The only place accounts reaches into the sync service; imported when called, as music's
    # services import accounts.
    from music.services import sync_request

    # Whatever happens to the sync, the login itself must succeed.
    try:
        outcome = sync_request(user=user)
    except Exception:
        logger.exception("Could not request the first sync of %s at login", user.pk)
        outcome = None
    if outcome is None or getattr(outcome, "status", None) == "unavailable":
        request = getattr(backend.strategy, "request", None)
        if request is not None:
            messages.warning(
                request,
                "You are logged in, but your first sync could not be queued. "
                "Press Sync now in a minute.",
            )
    return None
