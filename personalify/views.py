"""Project-wide pages (home, about, legal), the health endpoint and the error pages."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .archive import archive_remote
from .health import health_report_cached


class PageView(TemplateView):
    """A static page: the template name is given in urls.py."""

    def get_context_data(self, **kwargs):
        # The privacy page says where the listening archive lives on this server.
        return {**super().get_context_data(**kwargs), "archive_on_node_b": archive_remote()}


@never_cache
@require_GET
def healthz(request):
    """200 "ok" or 503 "degraded" for anyone (monitors, the compose health check); which
    service is down, and its error text, only for staff."""
    ok, report = health_report_cached()
    body: dict = {"status": "ok" if ok else "degraded"}
    if request.user.is_staff:
        body["services"] = report
        if not ok:
            body["down"] = [name for name, item in report.items() if item["status"] == "down"]
    return JsonResponse(body, status=200 if ok else 503)


DATABASE_DOWN = (
    "The database is not answering right now. Nothing you saved is lost: try again in a minute."
)


def page_not_found(request, exception=None):
    """handler404: the site's layout, its navigation and a way back."""
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    """handler403."""
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a form that came back without a valid token (an old tab, a login in
    another tab, cookies blocked) says so in plain words; the reason goes to no one."""
    no_cookie = reason == REASON_NO_CSRF_COOKIE
    return render(request, "errors/csrf_failure.html", {"no_cookie": no_cookie}, status=403)


def server_error(request):
    """handler500: a database that does not answer is a 503 saying so (with Retry-After); any
    other error the generic page. Neither template touches the database or the session."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        body = render_to_string("errors/unavailable.html", {"message": DATABASE_DOWN})
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return HttpResponse(render_to_string("errors/500.html"), status=500)
