"""The session engine (settings.SESSION_ENGINE): Django's database sessions, in
accounts.models.UserSession, each row carrying the id of the user it logs in."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_pk = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_pk = None
        return session
