"""The listening statistics pages (a period of the user's whole history, one artist) and the
download of all the user's data."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from music.models import Artist, TrackArtist
from personalify.archive import ArchiveUnavailable
from personalify.pagecache import page_cached

from ..data_export import user_data_zip
from ..listening import shown
from ..listening.periods import DEFAULT_PERIOD, PERIODS, PeriodInvalid, period_resolve
from ..listening.stats import (
    artist_history,
    coverage_get,
    coverage_with_stats,
    gaps_in,
    listening_html_cached,
    listening_stats,
)
from ..plays import TZ_COOKIE, user_zone


def _zone(request) -> ZoneInfo:
    """The zone the user chose on the Account page, else the browser's (the ``tz`` cookie that
    analytics/timezone.js keeps), else UTC."""
    if request.user.time_zone:
        return request.user.zone
    return user_zone(request.COOKIES.get(TZ_COOKIE)) or ZoneInfo("UTC")


def _day(request, name: str, key: str) -> str:
    """A custom period's ``from``/``to`` as an ISO date, else "": nothing a link carries into
    the page is shown back unless it is a date (a kept page is served compressed, so text a
    visitor chose must not sit beside the user's data)."""
    value = request.GET.get(name, "")
    if key != "custom":
        return ""
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else ""
    except ValueError:
        return ""


def _choice(request, name: str, choices, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in choices else default


@require_GET
@login_required
@page_cached(params=("period", "metric", "by", "from", "to"))
def listening_detail(request):
    """``?period=today|7d|4w|6m|year|last-year|all|custom`` (``from``/``to`` dates),
    ``metric=plays|ms``, ``by=day|week|month``."""
    user, zone, now = request.user, _zone(request), timezone.now()
    key = request.GET.get("period", DEFAULT_PERIOD)
    context = {
        "periods": PERIODS,
        "metrics": shown.METRICS,
        "by_labels": shown.BY_LABELS,
        "period_key": key,
        "zone": zone,
        "start": _day(request, "from", key),
        "end": _day(request, "to", key),
    }
    if not user.spotify_id:
        context["error"] = "Log in with Spotify to see your listening history."
        return render(request, "analytics/listening_detail.html", context, status=400)
    try:
        dates = {"key": key, "zone": zone, "now": now}
        dates |= {"start": request.GET.get("from", ""), "end": request.GET.get("to", "")}
        if key == "all":  # starts at the first play
            coverage = coverage_get(spotify_id=user.spotify_id)
            first = coverage["first"] and datetime.fromisoformat(coverage["first"])
            period = period_resolve(**dates, first_play=first or None)
        else:  # cold: the coverage's statement runs with the period's, at once
            period = period_resolve(**dates)
            coverage = coverage_with_stats(user=user, period=period)
        metric = _choice(request, "metric", shown.METRICS, "plays")
        by = _choice(request, "by", shown.BY_LABELS, shown.default_by(period.days))
        # The rendered statistics, cached as the data are (the hour: gaps grow with time).
        part = f"html:{period.cache_part}:{metric}:{by}:{now:%Y%m%d%H}"
        body = listening_html_cached(
            spotify_id=user.spotify_id,
            part=part,
            render=lambda: _body(request, user, period, coverage, metric, by, now),
        )
    except PeriodInvalid as exc:
        context["error"] = str(exc)
        return render(request, "analytics/listening_detail.html", context, status=400)
    except ArchiveUnavailable as exc:
        context["error"] = str(exc)
        return render(request, "analytics/listening_detail.html", context, status=503)
    context.update(period=period, metric=metric, by=by, body=mark_safe(body))  # noqa: S308
    response = render(request, "analytics/listening_detail.html", context)
    # As the statistics' own cache: good until the hour turns (gaps and periods move with it).
    response.page_cache_seconds = 3600 - (now.minute * 60 + now.second)
    return response


def _body(request, user, period, coverage, metric: str, by: str, now) -> str:
    """The statistics section of the page (``analytics/_listening_body.html``)."""
    stats = listening_stats(user=user, period=period)
    zone = period.zone
    gaps = gaps_in(coverage, start=period.start, end=period.end, now=now)
    context = {
        "period": period,
        "period_key": period.key,
        "metric": metric,
        "by": by,
        "by_labels": shown.BY_LABELS,
        "metrics": shown.METRICS,
        "zone": zone,
        # The period's own days (what the cached body's key holds), never the query's text.
        "start": period.first_day.isoformat() if period.key == "custom" else "",
        "end": period.last_day.isoformat() if period.key == "custom" else "",
        "totals": {
            **stats["totals"],
            "minutes": shown.minutes(stats["totals"]["ms"]),
            "podcast_minutes": shown.minutes(stats["totals"]["podcast_ms"]),
        },
        "tracks": shown.ranked_shown(stats["tracks"][metric], metric=metric),
        "artists": shown.ranked_shown(stats["artists"][metric], metric=metric),
        "albums": shown.ranked_shown(stats["albums"][metric], metric=metric),
        "bars": shown.series_shown(stats["series"][by], by=by, gaps=gaps, zone=zone),
        "clock": shown.clock_shown(stats["clock"]),
        "hours": range(24),
        "gaps": shown.gaps_shown(gaps, zone),
        "platforms": shown.ranked_shown(stats["platforms"], metric="plays", limit=10),
        "countries": shown.ranked_shown(stats["countries"], metric="plays", limit=10),
        "podcasts": shown.ranked_shown(stats["podcasts"], metric="ms", limit=10),
        "most_skipped": stats["most_skipped"],
    }
    with timezone.override(zone):  # dates on the page in the user's zone
        return render_to_string("analytics/_listening_body.html", context, request)


@require_GET
@login_required
@page_cached()
def listening_artist(request, artist_id: str):
    """One artist in the user's history: first and last listen, plays per month, tracks."""
    artist = get_object_or_404(Artist, pk=artist_id)
    track_ids = list(TrackArtist.objects.filter(artist=artist).values_list("track_id", flat=True))
    zone = _zone(request)
    context = {"artist": artist, "zone": zone}
    try:
        history = artist_history(
            user=request.user, artist_id=artist.pk, track_ids=track_ids, zone=zone
        )
    except ArchiveUnavailable as exc:
        context["error"] = str(exc)
        return render(request, "analytics/listening_artist.html", context, status=503)
    months = history["months"]
    top = max((ms for _, _, ms in months), default=0) or 1
    context.update(
        history=history,
        first=history["first"] and datetime.fromisoformat(history["first"]).astimezone(zone),
        last=history["last"] and datetime.fromisoformat(history["last"]).astimezone(zone),
        minutes=shown.minutes(history["ms"]),
        bars=[
            {
                "month": datetime.fromisoformat(m).date(),
                "plays": p,
                "minutes": shown.minutes(ms),
                "height": round(100 * ms / top, 1),
            }
            for m, p, ms in months
        ],
        tracks=shown.ranked_shown(history["tracks"], metric="plays"),
    )
    with timezone.override(zone):  # dates on the page in the user's zone
        return render(request, "analytics/listening_artist.html", context)


@require_GET
@login_required
def data_download(request):
    """ "Download my data": the zip of ``analytics.data_export`` (never cached)."""
    if not request.user.spotify_id:
        return HttpResponseBadRequest("Only an account logged in with Spotify has data here.")
    now = timezone.now()
    try:
        archive = user_data_zip(user=request.user, now=now)
    except ArchiveUnavailable as exc:
        return HttpResponse(f"{exc}. Try again in a moment.", status=503, content_type="text/plain")
    response = FileResponse(
        archive, as_attachment=True, filename=f"personalify-data-{now:%Y-%m-%d}.zip"
    )
    response["Cache-Control"] = "no-store"
    return response
