from celery import shared_task
from django.contrib.auth import get_user_model

from .services import lyrics_fetch_for_user, lyrics_progress_set, lyrics_prune


@shared_task(bind=True, max_retries=2, default_retry_delay=60, acks_late=True)
def lyrics_fetch_task(self, user_id: int) -> dict:
    """Fetch the lyrics of a user's ranked tracks (idempotent: fresh ones are skipped)."""
    user = get_user_model().objects.filter(pk=user_id, spotify_id__isnull=False).first()
    if user is None:
        return {"status": "skipped"}
    try:
        result = lyrics_fetch_for_user(user=user)
    except Exception as exc:
        lyrics_progress_set(user_id=user_id, state="failed", error=type(exc).__name__)
        raise self.retry(exc=exc) from exc
    return {"asked": result.asked, "statuses": result.statuses, "changed": result.changed}


@shared_task
def lyrics_prune_task() -> int:
    """The daily clean-up of lyrics nobody ranks or opened lately."""
    return lyrics_prune()
