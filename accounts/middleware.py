"""Login failures become clear pages or messages, never a 500."""

from __future__ import annotations

from django.urls import reverse
from social_core.exceptions import AuthCanceled, AuthProviderError, AuthSessionError
from social_django.middleware import SocialAuthExceptionMiddleware

from .pipeline import SpotifyAssociationRefused

NOT_ALLOW_LISTED_STATUS = 403


def is_not_allow_listed(exception: Exception) -> bool:
    """A development-mode app refuses /v1/me (403) to users its owner has not added to it."""
    return (
        isinstance(exception, AuthProviderError)
        and exception.status_code == NOT_ALLOW_LISTED_STATUS
        and exception.stage == "user_info"
    )


class SpotifyLoginErrorMiddleware(SocialAuthExceptionMiddleware):
    """social-auth's middleware with Personalify's own messages and the not-allow-listed page."""

    def raise_exception(self, request, exception) -> bool:
        return False  # even with DEBUG on, a failed login is the user's problem, not a crash

    def get_redirect_uri(self, request, exception) -> str:
        if is_not_allow_listed(exception):
            return reverse("accounts:login-not-allowed")
        return reverse("home")

    def get_message(self, request, exception) -> str:
        if is_not_allow_listed(exception):
            return "Spotify refused this account: it is not on this app's list of users."
        if isinstance(exception, SpotifyAssociationRefused):
            return (
                "That Spotify account cannot be attached to the account logged in here. "
                "Log out, then log in with Spotify."
            )
        if isinstance(exception, AuthCanceled):
            return "Spotify login was cancelled. You can try again whenever you like."
        if isinstance(exception, AuthSessionError):
            return (
                "Your login session expired or was started on a different address "
                "(use http://127.0.0.1:8000, not localhost). Please log in again."
            )

        return "Spotify login did not work this time. Please try again in a moment."
