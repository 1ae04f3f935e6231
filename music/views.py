"""Sync endpoints and the demo login (the dashboard pages are analytics' views)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import DEMO_READ_ONLY
from accounts.selectors import user_demo_get
from music.selectors import sync_progress_get
from music.services import sync_request
from music.services.sync import NO_SPOTIFY_ACCOUNT

# HTTP status of "Sync now" (JSON) by sync_request's outcome.
SYNC_REQUEST_STATUS = {
    "queued": 202,
    "busy": 409,
    "cooldown": 429,
    "refused": 400,
    "unavailable": 503,
}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, default: str = "/dashboard/") -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_POST
@login_required
def sync_start(request):
    """Queue a sync of the logged-in user ("Sync now"); JSON for fetch(), else redirect back."""
    if request.user.is_demo:
        if _wants_json(request):
            return JsonResponse({"queued": False, "message": DEMO_READ_ONLY}, status=403)
        return HttpResponseForbidden(DEMO_READ_ONLY)
    outcome = sync_request(user=request.user, cooldown=True)
    if _wants_json(request):
        return JsonResponse(
            {
                "queued": outcome.queued,
                "message": outcome.message,
                "progress": sync_progress_get(user=request.user),
            },
            status=SYNC_REQUEST_STATUS[outcome.status],
        )
    if outcome.status == "refused":
        return HttpResponseBadRequest(outcome.message)
    if outcome.queued:
        messages.success(request, outcome.message)
    elif outcome.status in ("busy", "cooldown"):
        messages.info(request, outcome.message)
    else:
        messages.error(request, outcome.message)
    return redirect(_back(request))


@never_cache
@require_GET
@login_required
def sync_progress(request):
    """The logged-in user's sync progress record (``personalify.progress``)."""
    if not request.user.spotify_id:
        return JsonResponse({"message": NO_SPOTIFY_ACCOUNT}, status=400)
    return JsonResponse(sync_progress_get(user=request.user))


@require_POST
def demo_login(request):
    """ "Try the demo": log in as the read-only demo user (created by load_demo)."""
    demo = user_demo_get()
    if demo is None:
        messages.warning(
            request, "The demo is not loaded on this server (python manage.py load_demo)."
        )
        return redirect("home")
    login(request, demo, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("/dashboard/")
