"""The Celery app. With no CELERY_BROKER_URL, tasks run in-process (eager)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from personalify.logging import redact_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalify.settings.base")

app = Celery("personalify")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _redact_worker_logs(logger, **kwargs) -> None:
    """A worker replaces the root logger's handlers with its own: they get the token filter."""
    redact_handlers(logger)
