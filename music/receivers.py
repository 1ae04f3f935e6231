"""Music's part of events sent by accounts: a login queues a sync; a deleted account takes its
rankings, catalogue rows nobody else ranks, MongoDB history, listening archive and cached top
lists with it. And of its own: a finished sync queues the MusicBrainz genre lookup."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from accounts.exceptions import AccountDeleteBlocked
from accounts.signals import spotify_login_completed, user_deleting
from personalify.archive import ArchiveUnavailable
from personalify.cache import CacheUnavailable, cache_call
from personalify.pagecache import page_version_bump

from .history import HistoryUnavailable, sync_history_delete_for_user
from .models import HistoryOutbox, UserArtist, UserTrack
from .selectors import top_cache_key
from .services import catalogue_prune, genres_lookup_request, sync_request
from .services.plays import plays_delete_for_user
from .services.plays_import import play_uploads_delete
from .signals import library_synced
from .spotify import TimeRange

logger = logging.getLogger(__name__)

HISTORY_NOT_DELETED = "Your data could not be deleted right now: please try again."


@receiver(spotify_login_completed)
def sync_on_login(sender, user, **kwargs) -> bool:
    """Queue the user's first (or a fresh) sync; never run it inside the login request.
    False when the broker did not take it."""
    return sync_request(user=user).status != "unavailable"


@receiver(library_synced)
def genres_lookup_after_sync(sender, user, **kwargs) -> None:
    """Artists Spotify sent no genres for get them from MusicBrainz, in the background (never
    for the offline demo; off with MUSICBRAINZ_GENRES_AFTER_SYNC)."""
    if settings.MUSICBRAINZ_GENRES_AFTER_SYNC:
        genres_lookup_request(user=user)


@receiver(user_deleting)
def plays_delete(sender, user, **kwargs) -> None:
    """The listening archive (on node B when there is one) and any upload of an import still on
    disk. Connected before library_delete: node B down blocks the deletion before MongoDB's
    history, which no transaction brings back, is touched."""
    if not user.spotify_id:
        return
    try:
        plays_delete_for_user(spotify_id=user.spotify_id)
    except ArchiveUnavailable as exc:
        raise AccountDeleteBlocked(HISTORY_NOT_DELETED) from exc
    play_uploads_delete(user=user)


@receiver(user_deleting)
def library_delete(sender, user, **kwargs) -> None:
    """MongoDB history first: if it cannot go, nothing goes (the caller's transaction).

    The user's outbox rows are locked before: a flush delivering them holds their locks until
    it has written MongoDB and committed, so the deletion waits for it and then deletes what it
    wrote; a flush that starts later skips the locked rows, which go with the user.
    """
    spotify_id = user.spotify_id
    if spotify_id:
        list(HistoryOutbox.objects.select_for_update().filter(user=user).values_list("id"))
        try:
            sync_history_delete_for_user(spotify_id=spotify_id)
        except HistoryUnavailable as exc:
            raise AccountDeleteBlocked(HISTORY_NOT_DELETED) from exc
    artist_ids = set(UserArtist.objects.filter(user=user).values_list("artist_id", flat=True))
    track_ids = set(UserTrack.objects.filter(user=user).values_list("track_id", flat=True))
    UserArtist.objects.filter(user=user).delete()
    UserTrack.objects.filter(user=user).delete()
    catalogue_prune(artist_ids=artist_ids, track_ids=track_ids)
    if spotify_id:
        transaction.on_commit(lambda: _top_cache_delete(spotify_id=spotify_id))


def _top_cache_delete(*, spotify_id: str) -> None:
    keys = [top_cache_key(spotify_id=spotify_id, time_range=r) for r in TimeRange.values]
    page_version_bump(spotify_id)
    try:
        cache_call("delete_many", keys)
    except CacheUnavailable:  # the keys expire anyway (CACHE_TTL)
        logger.warning("Could not delete the cached top lists of a deleted account")
