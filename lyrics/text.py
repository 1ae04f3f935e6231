"""Pure functions over lyrics text: title matching, LRC parsing, sections and cleaning.

No HTTP and no ORM: the clients, the scraper and the services all use these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --- Matching a Spotify track to a Genius hit -------------------------------------------------

# "Song - Remastered 2011", "Song - Live at Wembley", "Song - 2009 Mix", "Song - Radio Edit" ...
_DASH_SUFFIX = re.compile(
    r"\s+[-–—]\s+.*\b(remaster(ed)?|live|mix|edit|version|mono|stereo|demo|acoustic|"
    r"bonus|instrumental|deluxe|single|from|re-?recorded|anniversary)\b.*$",
    re.IGNORECASE,
)
# "(feat. X)", "[with X]", "(Remastered 2011)", "(Live)" ...
_BRACKETED = re.compile(
    r"\s*[(\[][^)\]]*\b(feat|ft|featuring|with|remaster(ed)?|live|mix|edit|version|mono|"
    r"demo|acoustic|bonus|deluxe|re-?recorded)\b[^)\]]*[)\]]",
    re.IGNORECASE,
)
_FEAT = re.compile(r"\s+(feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def title_normalise(title: str) -> str:
    """A title without featured artists, edition suffixes, punctuation, accents or case:
    "Let It Be - Remastered 2009" and "Let it be" both give "let it be"."""
    title = (title or "").replace("\u00a0", " ")
    title = _DASH_SUFFIX.sub("", title)
    title = _BRACKETED.sub("", title)
    title = _FEAT.sub("", title)
    return _fold(title)


def artist_normalise(name: str) -> str:
    """An artist name folded like a title, without a leading "the" or featured artists."""
    folded = _fold(_FEAT.sub("", (name or "").replace("\u00a0", " ")))
    return folded[4:] if folded.startswith("the ") else folded


def same_song(title_a: str, artist_a: str, title_b: str, artist_b: str) -> bool:
    """Same normalised title and same normalised primary artist."""
    ta, tb = title_normalise(title_a), title_normalise(title_b)
    aa, ab = artist_normalise(artist_a), artist_normalise(artist_b)
    return bool(ta and aa) and ta == tb and aa == ab


# --- Lines, sections and LRC ------------------------------------------------------------------

_HEADER = re.compile(r"^\[[^\]]{1,80}\]$")
_LRC_STAMP = re.compile(r"\[(\d{1,3}):(\d{1,2}(?:[.:]\d{1,3})?)\]")
MAX_LINES_PER_GROUP = 8
LINES_PER_TIMED_GROUP = 4


def is_section_header(line: str) -> bool:
    return bool(_HEADER.match(line.strip()))


@dataclass(frozen=True)
class TimedLine:
    seconds: float
    text: str


def lrc_parse(lrc: str) -> list[TimedLine]:
    """LRC lines ``[mm:ss.xx] text`` in time order; a line with several stamps is repeated,
    tags like ``[ar:...]`` are dropped, an empty stamped line is kept (a break)."""
    lines: list[TimedLine] = []
    for raw in (lrc or "").splitlines():
        raw = raw.strip()
        stamps = list(_LRC_STAMP.finditer(raw))
        if not stamps:  # blank lines and tags like [ar:Artist] carry no time stamp
            continue
        text = raw[stamps[-1].end() :].strip()
        for stamp in stamps:
            seconds = int(stamp.group(1)) * 60 + float(stamp.group(2).replace(":", "."))
            lines.append(TimedLine(round(seconds, 2), text))
    lines.sort(key=lambda line: line.seconds)
    return lines


def text_from_timed(lines: list[TimedLine]) -> str:
    """Plain text of timed lines: empty lines become stanza breaks."""
    text = "\n".join(line.text for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(frozen=True)
class Section:
    label: str  # "[Chorus]", "Lines 5-8" or "0:42"
    text: str  # the lines without the header
    seconds: float | None = None  # start time, for synced lyrics


def _chunks(lines: list[str], size: int) -> list[list[str]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def sections_split(text: str) -> list[Section]:
    """The song's sections: each ``[Header]`` starts one; without headers, stanzas (blank
    lines); a run of more than 8 lines is cut in groups so the arc still moves."""
    sections: list[Section] = []
    label, body = "", []
    counter = 0

    def close() -> None:
        nonlocal counter
        lines = [ln for ln in body if ln.strip()]
        if not lines:
            return
        groups = (
            _chunks(lines, MAX_LINES_PER_GROUP) if len(lines) > MAX_LINES_PER_GROUP else [lines]
        )
        for i, group in enumerate(groups):
            counter += 1
            name = label or f"Stanza {counter}"
            if len(groups) > 1:
                name = f"{name} ({i + 1}/{len(groups)})"
            sections.append(Section(label=name, text="\n".join(group)))

    for line in (text or "").splitlines():
        stripped = line.strip()
        if is_section_header(stripped):
            close()
            label, body = stripped, []
        elif not stripped and not label:
            close()
            body = []
        else:
            body.append(stripped)
    close()
    return sections


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def timed_sections(lines: list[TimedLine]) -> list[Section]:
    """Groups of timed lines (split at empty lines, at most 4 lines each), labelled by time."""
    groups: list[list[TimedLine]] = []
    current: list[TimedLine] = []
    for line in lines:
        if not line.text:
            if current:
                groups.append(current)
            current = []
            continue
        current.append(line)
        if len(current) >= LINES_PER_TIMED_GROUP:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return [
        Section(
            label=_clock(group[0].seconds),
            text="\n".join(line.text for line in group),
            seconds=group[0].seconds,
        )
        for group in groups
    ]


def text_for_reading(text: str) -> str:
    """The words a model reads: section headers dropped, blank lines kept as stanza breaks."""
    kept = [ln.strip() for ln in (text or "").splitlines() if not is_section_header(ln)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def has_words(text: str) -> bool:
    """True when the text has at least one line that is not a section header."""
    return bool(text_for_reading(text))
