"""The emotions of one song's lyrics: overall, and the arc (one point per section, or per
group of timed lines for synced lyrics). Kept in the cache per stored lyrics version."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe

from lyrics.models import Lyrics
from lyrics.selectors import reading_text
from lyrics.text import TimedLine, is_section_header, sections_split, timed_sections
from personalify.cache import cache_get, cache_set

from ..dashboard import TEMPLATES_VERSION
from .emotions import emotions_analyse

READING_TTL = 24 * 60 * 60
ARC_MAX_POINTS = 40  # a very long song is read in at most this many parts


def song_reading_key(lyrics: Lyrics) -> str:
    stamp = int(lyrics.fetched_at.timestamp())
    return (
        f"lyrics:reading:v1:{lyrics.source}:{lyrics.source_id}:{stamp}:{settings.EMOTION_BACKEND}"
    )


def _merge(sections: list, limit: int) -> list:
    """At most ``limit`` parts: neighbours are merged when a song has more sections."""
    if len(sections) <= limit:
        return sections
    size = -(-len(sections) // limit)
    merged = []
    for i in range(0, len(sections), size):
        group = sections[i : i + size]
        merged.append(
            type(group[0])(
                label=group[0].label,
                text="\n".join(s.text for s in group),
                seconds=group[0].seconds,
            )
        )
    return merged


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in scores.items()}


def song_reading(*, lyrics: Lyrics) -> dict:
    """``{"overall": EmotionResult.as_dict(), "arc": [...], "timed": bool}`` of found lyrics.

    The whole text and each section are read in one batch (results cached in PostgreSQL by
    text); the assembled reading is kept in the cache under the lyrics' fetch time."""
    key = song_reading_key(lyrics)
    cached = cache_get(key)
    if isinstance(cached, dict) and "arc" in cached:
        return cached
    timed = bool(lyrics.lines)
    if timed:
        sections = timed_sections([TimedLine(float(s), str(t)) for s, t in lyrics.lines])
    else:
        sections = sections_split(lyrics.text)
    sections = [s for s in _merge(sections, ARC_MAX_POINTS) if reading_text(s.text)]
    texts = [reading_text(lyrics.text)] + [reading_text(s.text) for s in sections]
    results = emotions_analyse(texts=texts)
    overall, parts = results[0], results[1:]
    arc = [
        {
            "label": section.label,
            "seconds": section.seconds,
            "first_line": section.text.splitlines()[0][:80],
            "top": result.top_coarse,
            "top_fine": result.top_fine,
            "coarse": _rounded(result.coarse),
        }
        for section, result in zip(sections, parts, strict=True)
    ]
    reading = {"overall": overall.as_dict(), "arc": arc, "timed": timed}
    cache_set(key, reading, READING_TTL)
    return reading


def lyrics_display_lines(lyrics: Lyrics) -> list[dict]:
    """The lines as the page shows them: headers marked, timed lines with their time."""
    if lyrics.lines:
        return [
            {"text": text, "header": False, "time": f"{int(s) // 60}:{int(s) % 60:02d}"}
            for s, text in lyrics.lines
        ]
    return [
        {"text": line, "header": is_section_header(line), "time": ""}
        for line in lyrics.text.splitlines()
    ]


# --- The rendered song (emotions, arc list, lyrics), kept in the cache --------------------------
#
# Rendering 35 score bars and every lyric line costs most of a song page; it depends only on the
# stored lyrics, their reading and our templates. Kept signed like the dashboard's sections.

SONG_TEMPLATE = "analytics/_song.html"


def _song_signature(key: str, html: str) -> str:
    return salted_hmac("analytics.songs.html", f"{key}|{html}", algorithm="sha256").hexdigest()


def song_page_get(*, lyrics: Lyrics) -> dict:
    """``{"reading": song_reading(...), "html": the rendered song}`` of found lyrics, from the
    cache when our templates have not changed and the copy carries our signature."""
    key = f"{song_reading_key(lyrics)}:html:{TEMPLATES_VERSION}"
    cached = cache_get(key)
    if (
        isinstance(cached, dict)
        and isinstance(cached.get("html"), str)
        and isinstance(cached.get("reading"), dict)
        and constant_time_compare(
            str(cached.get("signature", "")), _song_signature(key, cached["html"])
        )
    ):
        return {"reading": cached["reading"], "html": mark_safe(cached["html"])}  # noqa: S308
    reading = song_reading(lyrics=lyrics)
    html = render_to_string(
        SONG_TEMPLATE, {"reading": reading, "lines": lyrics_display_lines(lyrics)}
    )
    signature = _song_signature(key, html)
    cache_set(key, {"reading": reading, "html": html, "signature": signature}, READING_TTL)
    return {"reading": reading, "html": mark_safe(html)}  # noqa: S308 - our template's output
