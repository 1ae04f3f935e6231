"""Project-wide pages (home, about, legal) and the health endpoint."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .archive import archive_remote
from .health import health_report


class PageView(TemplateView):
    """A static page: the template name is given in urls.py."""

    def get_context_data(self, **kwargs):
        # The privacy page says where the listening archive lives on this server.
        return {**super().get_context_data(**kwargs), "archive_on_node_b": archive_remote()}


@never_cache
@require_GET
def healthz(request):
    ok, report = health_report()
    body = {"status": "ok" if ok else "degraded", "services": report}
    if not ok:
        body["down"] = [name for name, item in report.items() if item["status"] == "down"]
    return JsonResponse(body, status=200 if ok else 503)
