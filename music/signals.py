"""Cache invalidation only: the dashboard's copy of a vibe is forgotten when the vibe changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from music.dashboard import vibe_cache_forget


@receiver([post_save, post_delete], sender="analytics.Vibe")
def vibe_changed(sender, instance, **kwargs) -> None:
    vibe_cache_forget(user_id=instance.user_id, time_range=instance.time_range)
