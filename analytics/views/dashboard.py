"""The dashboard pages: the user's own data only, rendered from the cache."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lyrics.selectors import lyrics_progress_get
from music import history, selectors
from personalify.cache import cache_prefetch
from personalify.pagecache import page_cached

from .. import dashboard
from ..plays import TZ_COOKIE, plays_recent_get
from ..selectors import mood_progress_get


def _owner_or_404(request) -> None:
    # Staff accounts made with createsuperuser have no Spotify data: nothing to show.
    if not request.user.spotify_id:
        raise Http404("No Spotify account")


def _range_or_404(request) -> str:
    time_range = request.GET.get("range") or dashboard.DEFAULT_RANGE
    if time_range not in dashboard.RANGES:
        raise Http404("Unknown time range")
    return time_range


@never_cache
@login_required
@require_GET
@page_cached(params=("range",))
def dashboard_detail(request):
    _owner_or_404(request)
    time_range = _range_or_404(request)
    # What the page reads from Redis, in one round trip.
    with cache_prefetch(dashboard.dashboard_keys(user=request.user, time_range=time_range)):
        data = dashboard.dashboard_get(user=request.user, time_range=time_range)
        if data["synced"] and not data["empty"]:
            data["grid_html"] = dashboard.grid_html(user=request.user, data=data)
    response = render(request, "analytics/dashboard_detail.html", data)
    response.page_cache_seconds = dashboard.page_seconds(data)
    return response


@never_cache
@login_required
@require_GET
def dashboard_status(request):
    """Sync, lyrics, genre lookup and mood progress, polled by the page's script while work runs."""
    _owner_or_404(request)
    return JsonResponse(
        {
            "sync": selectors.sync_progress_get(user=request.user),
            "mood": mood_progress_get(user=request.user),
            "lyrics": lyrics_progress_get(user=request.user),
            "genres": selectors.genres_progress_get(user=request.user),
        }
    )


@never_cache
@login_required
@require_GET
@page_cached(params=("page",))
def history_list(request):
    _owner_or_404(request)
    try:
        documents = history.sync_history_for_user(spotify_id=request.user.spotify_id)
    except history.HistoryUnavailable:
        documents = None
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    context = dashboard.history_get(documents, page=page)
    # The zone the Account page chose wins over the browser's, as on every page (the middleware).
    tz_name = request.user.time_zone or request.COOKIES.get(TZ_COOKIE)
    context.update(plays_recent_get(user=request.user, tz_name=tz_name))
    return render(request, "analytics/history_list.html", context)


@login_required
@require_GET
def share_image(request):
    _owner_or_404(request)
    time_range = _range_or_404(request)
    kind = request.GET.get("kind") or "artists"
    top = selectors.top_get(user=request.user, time_range=time_range)
    # Only what the page offers: no card for a list that is empty (no genres in dev mode).
    if kind not in dashboard.SHARE_KINDS or top is None or not top.get(kind):
        raise Http404("Nothing to share")
    vibe = dashboard.vibe_cached_get(user=request.user, time_range=time_range)
    png = dashboard.share_card_get(
        user=request.user, time_range=time_range, kind=kind, top=top, vibe=vibe
    )
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="personalify-{kind}-{time_range}.png"'
    response["Cache-Control"] = "private, no-store"
    return response
