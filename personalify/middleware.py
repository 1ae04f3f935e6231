"""Middleware every app shares."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is larger than settings.REQUEST_MAX_BYTES, before
    anything reads it (Django's own limit does not cover multipart file parts, which it
    would stream to disk). A body without a Content-Length is not read by Django at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
        if length > settings.REQUEST_MAX_BYTES:
            return HttpResponse(
                f"The request is larger than {settings.REQUEST_MAX_BYTES:,} bytes.",
                status=413,
                content_type="text/plain",
            )
        return self.get_response(request)


class SecureCookiesMiddleware:
    """Mark every cookie Secure on a request that came over HTTPS (directly or through the
    TLS proxy's header), whatever SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE say."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class SpotifyCSPMiddleware(CSPMiddleware):
    """django-csp's header, with Spotify's accounts origin (a setting, read per request) added
    to form-action: the login form's POST is redirected to Spotify's consent page, and
    browsers hold that redirect to the page's form-action."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            url = urlsplit(settings.SPOTIFY_ACCOUNTS_URL)
            parts.update = {**(parts.update or {}), "form-action": f"{url.scheme}://{url.netloc}"}
        return parts
