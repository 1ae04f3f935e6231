"""The bench's URLconf: the site's own, plus one trivial view (the floor of the stack).

``/_bench/floor/`` goes through every middleware like any page, and its view does nothing:
what it costs is what the stack costs before a view runs. Only the benchmark's gunicorn uses
this URLconf (ROOT_URLCONF in its settings file); production has no such URL.
"""

from django.http import HttpResponse
from django.urls import include, path

from personalify.urls import handler500  # noqa: F401 - the site's own error page


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


def floor_user(request):
    # Touches request.user, as every page's base template does (the session and user lookup).
    return HttpResponse(b"ok" if request.user.is_authenticated else b"anonymous")


urlpatterns = [
    path("_bench/floor/", floor),
    path("_bench/floor-user/", floor_user),
    path("", include("personalify.urls")),
]
