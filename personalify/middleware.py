"""Middleware every app shares."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase


def accepts_uploads(*, max_bytes: Callable[[], int], too_large: Callable[..., HttpResponse]):
    """Mark a view that takes file uploads (the one page that does: the listening-history
    import). RequestSizeLimitMiddleware lets its multipart requests through up to
    ``max_bytes()`` and answers ``too_large(request, length)`` above it, before anything
    (the CSRF check included) reads the body."""

    def mark(view):
        view.upload_max_bytes = max_bytes
        view.upload_too_large = too_large
        return view

    return mark


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is larger than settings.REQUEST_MAX_BYTES, and 400
    for a file part, before anything reads the body (Django's own limit does not cover
    multipart file parts, which it would stream to disk). A view marked ``accepts_uploads``
    takes multipart bodies up to its own limit. A body without a Content-Length is not read by
    Django at all. Must come before CsrfViewMiddleware, whose check reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
        max_bytes = getattr(view_func, "upload_max_bytes", None)
        if max_bytes is not None:
            if length > max_bytes():
                return view_func.upload_too_large(request, length)
            return None
        if length > settings.REQUEST_MAX_BYTES:
            return HttpResponse(
                f"The request is larger than {settings.REQUEST_MAX_BYTES:,} bytes.",
                status=413,
                content_type="text/plain",
            )
        # Form fields in a multipart body are fine; a file part ends the request with a 400.
        request.upload_handlers = [NoFilesUploadHandler(request)]
        return None


class NoFilesUploadHandler(FileUploadHandler):
    """Refuses the first file part of a multipart body (TooManyFilesSent: Django answers 400)."""

    def new_file(self, *args, **kwargs):
        raise TooManyFilesSent("This page takes no file uploads.")

    def receive_data_chunk(self, raw_data, start):  # never reached: new_file refused
        return None

    def file_complete(self, file_size):
        return None


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
