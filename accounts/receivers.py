"""Cache invalidation of accounts' own rows: the cached copy of a user goes when it changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from personalify.pagecache import page_cache_forget_user

from .selectors import user_cache_forget


@receiver([post_save, post_delete], sender="accounts.User")
def user_changed(sender, instance, **kwargs) -> None:
    user_cache_forget(user_id=instance.pk)


@receiver(post_delete, sender="accounts.User")
def user_pages_forget(sender, instance, **kwargs) -> None:
    # The rendered pages hold the user's data: they go with the account.
    page_cache_forget_user(user_id=instance.pk)
