from celery import shared_task
from django.contrib.auth import get_user_model

from .services import mood_progress_set, moods_analyse
from .services.moods import mood_queued_clear


@shared_task(bind=True, max_retries=2, default_retry_delay=30, acks_late=True)
def moods_analyse_task(self, user_id: int) -> int:
    """Analyse a user's rankings (idempotent: vibes are upserted, results cached)."""
    mood_queued_clear(user_id=user_id)  # started: a refresh asked for from now on queues again
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    try:
        return len(moods_analyse(user=user))
    except Exception as exc:
        mood_progress_set(user_id=user_id, state="failed", error=type(exc).__name__)
        raise self.retry(exc=exc) from exc
