"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from .services import sessions_clear_expired


@shared_task
def sessions_clear_expired_task() -> int:
    """Keep the session table bounded: expired sessions go (daily, from the beat)."""
    return sessions_clear_expired()
