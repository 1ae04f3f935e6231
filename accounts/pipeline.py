"""Steps added to social-auth's login pipeline (settings.SOCIAL_AUTH_PIPELINE)."""

from __future__ import annotations

import logging

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
    # The sync stream owns music.services.sync_request; until it exists, login skips this step.
    # This is the only place accounts reaches into the sync service.
    try:
        from music.services import sync_request
    except ImportError:
        logger.info("music.services.sync_request is not available: no sync queued at login")
        return None
    sync_request(user=user)
    return None
