"""The paste-text page and its JSON endpoint; the mood page and its progress endpoint."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import DEMO_READ_ONLY
from lyrics.selectors import lyrics_progress_get
from personalify.pagecache import page_cached
from personalify.progress import progress_shown
from personalify.ratelimit import visitor_keys

from ..backends import EmotionInputError, EmotionTextTooLong, EmotionTimeLimit
from ..forms import EmotionTextForm
from ..selectors import mood_progress_get, vibe_list
from ..services import emotion_paste_analyse, emotion_rate_limit_hit, vibe_refresh_request

RATE_LIMIT_MESSAGE = "Too many analyses in a minute; wait a moment and try again."
MOOD_ALREADY_QUEUED = "A mood refresh is already queued; it starts in a moment."
BAD_JSON_MESSAGE = 'Send JSON like {"text": "..."}.'


def _rate_limited(request: HttpRequest) -> bool:
    return emotion_rate_limit_hit(
        user_id=request.user.pk, is_demo=request.user.is_demo, visitor=visitor_keys(request)
    )


@login_required
@require_http_methods(["GET", "POST"])
def emotion_paste(request: HttpRequest) -> HttpResponse:
    form = EmotionTextForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST":
        if _rate_limited(request):
            form.add_error(None, RATE_LIMIT_MESSAGE)
            status = 429
        elif form.is_valid():
            try:
                result = emotion_paste_analyse(text=form.cleaned_data["text"])
            except EmotionTimeLimit as exc:
                form.add_error("text", str(exc))
                status = 503
            except EmotionInputError as exc:
                form.add_error("text", str(exc))
        if form.errors and status == 200:
            status = 400
    context = {"form": form, "result": result, "max_chars": settings.EMOTION_MAX_CHARS}
    return render(request, "analytics/emotion_paste.html", context, status=status)


def _json_text(request: HttpRequest) -> object:
    """The text of a JSON or form body; ValueError when the JSON is not an object with text."""
    if request.content_type != "application/json":
        return request.POST.get("text")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than Python's
        raise ValueError(BAD_JSON_MESSAGE) from exc
    if not isinstance(data, dict):
        raise ValueError(BAD_JSON_MESSAGE)
    return data.get("text")


@require_POST
def emotion_analyse_json(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to analyse text."}, status=401)
    if _rate_limited(request):
        return JsonResponse(
            {"error": RATE_LIMIT_MESSAGE}, status=429, headers={"Retry-After": "60"}
        )
    try:
        result = emotion_paste_analyse(text=_json_text(request))
    except EmotionTextTooLong as exc:
        return JsonResponse({"error": str(exc), "limit": exc.limit}, status=413)
    except EmotionTimeLimit as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    except (EmotionInputError, ValueError) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(result.as_dict())


@login_required
@require_GET
@page_cached()
def mood_detail(request: HttpRequest) -> HttpResponse:
    context = {
        "vibes": vibe_list(user=request.user),
        "progress": mood_progress_get(user=request.user),
        "lyrics_progress": progress_shown(lyrics_progress_get(user=request.user)),
        "demo_read_only": DEMO_READ_ONLY,
    }
    return render(request, "analytics/mood_detail.html", context)


@login_required
@require_POST
def mood_refresh(request: HttpRequest) -> HttpResponse:
    if request.user.is_demo:
        return HttpResponseForbidden(DEMO_READ_ONLY)
    if not vibe_refresh_request(user=request.user):
        messages.info(request, MOOD_ALREADY_QUEUED)
    return redirect("analytics:mood-detail")


@login_required
@require_GET
def mood_progress(request: HttpRequest) -> JsonResponse:
    return JsonResponse(mood_progress_get(user=request.user))
