"""Sync endpoints and the demo login (the dashboard pages are analytics' views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import DEMO_READ_ONLY
from accounts.selectors import user_demo_get
from music.models import PlayImport
from music.selectors import sync_progress_get
from music.services import sync_request
from music.services.plays_import import (
    PROGRESS_KIND,
    ImportRefused,
    play_import_create,
    play_import_list,
    upload_too_large,
)
from music.services.sync import NO_SPOTIFY_ACCOUNT
from personalify.middleware import accepts_uploads
from personalify.progress import progress_get, progress_shown

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
        # How to load it is the owner's business: only staff are told the command.
        messages.warning(
            request,
            "The demo is not loaded on this server (python manage.py load_demo)."
            if request.user.is_staff
            else "The demo is not available on this server right now.",
        )
        return redirect("home")
    login(request, demo, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("/dashboard/")


def _import_page(request, *, error: str = "", status: int = 200):
    context = {
        "imports": play_import_list(user=request.user),
        "error": error,
        "max_mb": settings.PLAY_IMPORT_MAX_BYTES // 2**20,
    }
    return render(request, "music/import_list.html", context, status=status)


def _import_too_large(request, length: int):
    if not request.user.is_authenticated:
        return HttpResponse(upload_too_large(length), status=413, content_type="text/plain")
    return _import_page(request, error=upload_too_large(length), status=413)


# An oversized upload is refused before anything reads its body (the middleware asks this view's
# limit, the file parts' size plus a megabyte for the form around them).
@accepts_uploads(
    max_bytes=lambda: settings.PLAY_IMPORT_MAX_BYTES + 2**20, too_large=_import_too_large
)
@require_http_methods(["GET", "POST"])
@login_required
def import_list(request):
    """The import page: upload Spotify's export (GET shows it, POST takes an upload)."""
    if request.method != "POST":
        return _import_page(request)
    try:
        play_import_create(user=request.user, files=request.FILES.getlist("files"))
    except ImportRefused as exc:
        return _import_page(request, error=str(exc), status=400)
    messages.success(request, "Upload received: the import runs in the background.")
    return redirect("music:import-list")


@never_cache
@require_GET
@login_required
def import_progress(request, import_id: int):
    """One import's progress record and counts (only the owner's imports)."""
    job = get_object_or_404(PlayImport, pk=import_id, user=request.user)
    shown = progress_shown(progress_get(kind=PROGRESS_KIND, owner=job.pk))
    counts = {name: getattr(job, name) for name in IMPORT_COUNTS}
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "percent": job.percent,
            "step": shown["step"],
            "error": job.error or shown["error"],
            "counts": counts,
            "problems": job.problems,
        }
    )


IMPORT_COUNTS = (
    "files_total",
    "files_done",
    "plays_read",
    "imported",
    "already_there",
    "short_plays",
    "podcasts",
    "unreadable",
    "videos_skipped",
    "tracks_added",
)
