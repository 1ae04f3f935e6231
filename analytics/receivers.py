"""Analytics' part of events sent below it: a finished sync or lyrics fetch refreshes the mood;
the dashboard's cached copies go when a vibe changes or a user is deleted."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lyrics.signals import lyrics_fetched
from music.signals import library_synced, plays_stored
from personalify.pagecache import page_version_bump

from .dashboard import dashboard_cache_forget, vibe_cache_forget
from .listening.stats import listening_cache_forget
from .services import vibe_refresh_request


@receiver(library_synced)
def mood_refresh_after_sync(sender, user, **kwargs) -> None:
    vibe_refresh_request(user=user)


@receiver(lyrics_fetched)
def mood_refresh_after_lyrics(sender, user, **kwargs) -> None:
    """New lyrics were stored: read the vibe again, from them where found."""
    page_version_bump(user.pk)
    vibe_refresh_request(user=user)


@receiver([post_save, post_delete], sender="analytics.Vibe")
def vibe_changed(sender, instance, **kwargs) -> None:
    vibe_cache_forget(user_id=instance.user_id, time_range=instance.time_range)
    page_version_bump(instance.user_id)


@receiver(post_delete, sender="accounts.User")
def user_deleted(sender, instance, **kwargs) -> None:
    # The rendered dashboard holds the user's lists: it goes with the account.
    dashboard_cache_forget(user_id=instance.pk, spotify_id=instance.spotify_id)


@receiver(plays_stored)
def listening_stats_forget(sender, spotify_ids, **kwargs) -> None:
    # New plays: every cached statistic of these users is out of date.
    for spotify_id in spotify_ids:
        listening_cache_forget(spotify_id=spotify_id)
        page_version_bump(spotify_id)
