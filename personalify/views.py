"""Project-wide pages (home, about, legal) and the health endpoint."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .health import health_report_cached


class PageView(TemplateView):
    """A static page: the template name is given in urls.py."""


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
