"""The lyrics pages: Genius search, a Genius song, and a ranked track's lyrics, each song with
its emotions and emotion arc. Logged-in users only; Genius calls are rate-limited per user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lyrics import selectors as lyrics_selectors
from lyrics.genius import (
    UNAVAILABLE_MESSAGE,
    GeniusAuthError,
    GeniusError,
    GeniusNotFound,
    GeniusRateLimited,
)
from lyrics.models import Lyrics, Status
from lyrics.services import (
    genius_lyrics_get,
    genius_page_link,
    genius_search,
    lyrics_rate_limit_hit,
    track_lyrics_fetch,
)
from personalify.pagecache import page_cached

from ..services import song_page_get

RATE_LIMIT_MESSAGE = "Too many lyrics searches in a minute; wait a moment and try again."
TOKEN_MISSING = (
    "Lyrics search is off on this site: its owner must set GENIUS_ACCESS_TOKEN "
    "(a client access token from genius.com/api-clients) and restart it."
)
TOKEN_REFUSED = "Genius refused this site's access token: its owner must check GENIUS_ACCESS_TOKEN."
GENIUS_DOWN = "Genius did not answer; try again in a minute."


def _genius_problem(exc: GeniusError) -> tuple[str, int]:
    if isinstance(exc, GeniusAuthError):
        return TOKEN_REFUSED, 503
    if isinstance(exc, GeniusRateLimited):
        return f"Genius is busy; try again in {max(exc.retry_after, 1)} seconds.", 503
    return GENIUS_DOWN, 503


@login_required
@require_GET
def lyrics_search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())
    context = {
        "query": query,
        "results": None,
        "error": "",
        "genius_on": bool(settings.GENIUS_ACCESS_TOKEN),
    }
    status = 200
    if query and context["genius_on"]:
        if lyrics_rate_limit_hit(user_id=request.user.pk):
            context["error"], status = RATE_LIMIT_MESSAGE, 429
        else:
            try:
                context["results"] = genius_search(query=query)
            except ValueError as exc:
                context["error"], status = str(exc), 400
            except GeniusError as exc:
                context["error"], status = _genius_problem(exc)
    return render(request, "analytics/lyrics_search.html", context, status=status)


def _song_context(lyrics: Lyrics | None, **extra) -> dict:
    context = {"lyrics": lyrics, "reading": None, "message": "", **extra}
    if lyrics is None:
        return context
    context["link"] = genius_page_link(lyrics.url) if lyrics.source == "genius" else ""
    if lyrics.status == Status.FOUND:
        song = song_page_get(lyrics=lyrics)
        context["reading"], context["song_html"] = song["reading"], song["html"]
    elif lyrics.status == Status.UNAVAILABLE:
        context["message"] = UNAVAILABLE_MESSAGE
    return context


@login_required
@require_GET
@page_cached()
def lyrics_genius_detail(request: HttpRequest, song_id: int) -> HttpResponse:
    stored = lyrics_selectors.genius_lyrics_stored(song_id=song_id)
    fresh = stored is not None and (
        stored.status != Status.UNAVAILABLE
        or (stored.retry_at and stored.retry_at > timezone.now())
    )
    if fresh:
        return render(request, "analytics/lyrics_detail.html", _song_context(stored))
    if not settings.GENIUS_ACCESS_TOKEN:
        context = _song_context(None, error=TOKEN_MISSING)
        return render(request, "analytics/lyrics_detail.html", context, status=503)
    if lyrics_rate_limit_hit(user_id=request.user.pk):
        context = _song_context(None, error=RATE_LIMIT_MESSAGE)
        return render(request, "analytics/lyrics_detail.html", context, status=429)
    try:
        lyrics = genius_lyrics_get(song_id=song_id)
    except GeniusNotFound as exc:
        raise Http404("No such Genius song") from exc
    except GeniusError as exc:
        message, status = _genius_problem(exc)
        context = _song_context(None, error=message)
        return render(request, "analytics/lyrics_detail.html", context, status=status)
    return render(request, "analytics/lyrics_detail.html", _song_context(lyrics))


@login_required
@require_GET
@page_cached()
def lyrics_track_detail(request: HttpRequest, track_id: str) -> HttpResponse:
    """A track the user ranks: its stored lyrics, looked up now if never (or long ago)."""
    track = lyrics_selectors.ranked_track_get(user=request.user, track_id=track_id)
    if track is None:
        raise Http404("Not one of your tracks")
    link = lyrics_selectors.track_lyrics_get(track_id=track.id)
    due = link is None or (link.retry_at is not None and link.retry_at <= timezone.now())
    status = 200
    if due and not request.user.is_demo:
        if lyrics_rate_limit_hit(user_id=request.user.pk):
            status = 429
        else:
            link = track_lyrics_fetch(track=track)
    lyrics = link.lyrics if link else None
    context = _song_context(lyrics, track=track, link_status=link.status if link else None)
    if status == 429:
        context["error"] = RATE_LIMIT_MESSAGE
    elif link is None or link.status == Status.NOT_FOUND:
        context["message"] = "No lyrics were found for this track on LRCLib or Genius."
    elif link.status == Status.UNAVAILABLE:
        context["message"] = (
            "The lyrics sources could not be reached; they are asked again tomorrow."
        )
    return render(request, "analytics/lyrics_detail.html", context, status=status)
