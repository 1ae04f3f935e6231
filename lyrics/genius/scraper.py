"""Lyrics out of a Genius song page, with lxml.

Current markup (2023-): one or more ``<div data-lyrics-container="true">``, lines split by
``<br>``, annotated lines inside ``<a><span>``, a header block (contributors, translations,
"<Title> Lyrics", a bio preview) and ads marked ``data-exclude-from-selection``. Older markup:
``<div class="lyrics"><p>``. Every container is joined in order, ``<br>`` and blocks become line
breaks, the header/bio/ad blocks and the "You might also like" / "Embed" / contributor debris are
removed, entities are decoded (by lxml). Section headers ("[Verse 1]") are kept, each starting a
stanza. A page with nothing left is ``GeniusLyricsUnavailable``: nothing empty is returned.
"""

from __future__ import annotations

import re

from lxml import etree

from lyrics.text import has_words, is_section_header

from .errors import GeniusLyricsUnavailable

CONTAINERS = etree.XPath('//div[@data-lyrics-container="true"]')
OLD_CONTAINERS = etree.XPath(
    '//div[contains(concat(" ", normalize-space(@class), " "), " lyrics ")]'
)
# Blocks inside containers that are never lyrics (hashed class names: match the prefix).
JUNK_CLASS_PREFIXES = (
    "LyricsHeader__",
    "SongBioPreview",
    "RightSidebar__",
    "InreadContainer",
    "InreadAd",
    "SidebarAd",
    "PrimisPlayer",
    "LyricsFooter__",
    "ShareButtons",
    "Contributors",
)
JUNK_TAGS = {"script", "style", "noscript", "button"}
# Plain elements (no lxml.html classes); bytes without a declared charset are UTF-8.
PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True)
BLOCK_TAGS = {"div", "p", "section", "h1", "h2", "h3", "h4", "li", "ul", "ol", "blockquote"}

_EMBED_TAIL = re.compile(r"\d*\s*Embed$")
_CONTRIBUTORS = re.compile(r"^\d[\d,.]*K?\s+Contributors?\b", re.IGNORECASE)
_JUNK_LINES = {"you might also like", "embed", "see live", "get tickets as low as"}


def _inline(text: str | None) -> str:
    # Newlines in the source are HTML whitespace; only <br> and blocks break lines.
    return text.replace("\r", " ").replace("\n", " ") if text else ""


def _junk(element, tag: str) -> bool:
    if tag in JUNK_TAGS or element.get("data-exclude-from-selection") == "true":
        return True
    classes = element.get("class")
    return bool(classes) and any(name.startswith(JUNK_CLASS_PREFIXES) for name in classes.split())


def _text(element, out: list[str]) -> None:
    """Depth-first text with <br> as a newline and block elements on their own lines.
    Junk (header, bio, ads, scripts) and comments give nothing; their tail is the parent's."""
    tag = element.tag if isinstance(element.tag, str) else None
    if tag is None or _junk(element, tag):
        return
    if tag == "br":
        out.append("\n")
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append("\n")
    out.append(_inline(element.text))
    for child in element:
        _text(child, out)
        out.append(_inline(child.tail))
    if block:
        out.append("\n")


def _clean_lines(raw: str, *, title: str = "") -> str:
    lines = [" ".join(line.split()) for line in raw.replace("\u00a0", " ").splitlines()]
    # The header block's text, when a page does not mark it: contributors, translations,
    # "<Title> Lyrics", then a bio preview ending in "Read More", all before the first lyric.
    first = next((i for i, ln in enumerate(lines) if ln), None)
    if first is not None and _CONTRIBUTORS.match(lines[first]):
        header_end = first
        for i in range(first, min(len(lines), first + 40)):
            if is_section_header(lines[i]):
                break
            if lines[i].lower().endswith("read more") or (
                title and lines[i].lower() == f"{title.lower()} lyrics"
            ):
                header_end = i
        del lines[: header_end + 1]
    if title:
        while lines and not lines[0]:
            lines.pop(0)
        if lines and lines[0].lower() == f"{title.lower()} lyrics":
            lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if line.lower() in _JUNK_LINES:
            continue
        if is_section_header(line) and kept and kept[-1]:
            kept.append("")  # a header starts a stanza, also across containers
        kept.append(line)
    # "…last line123Embed" (older pages) at the very end.
    while kept and not kept[-1]:
        kept.pop()
    if kept:
        kept[-1] = _EMBED_TAIL.sub("", kept[-1]).rstrip()
        if not kept[-1]:
            kept.pop()
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def lyrics_from_html(html: str | bytes, *, title: str = "") -> str:
    """The cleaned lyrics of a song page; GeniusLyricsUnavailable when there are none."""
    if not html or not html.strip():
        raise GeniusLyricsUnavailable("Empty page")
    raw = html.encode("utf-8") if isinstance(html, str) else html
    try:
        document = etree.fromstring(raw, PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise GeniusLyricsUnavailable(f"Unparsable page: {exc}") from exc
    if document is None:
        raise GeniusLyricsUnavailable("Empty page")
    containers = CONTAINERS(document) or OLD_CONTAINERS(document)
    if not containers:
        raise GeniusLyricsUnavailable("No lyrics on the page")
    parts: list[str] = []
    for container in containers:
        out: list[str] = []
        _text(container, out)
        parts.append("".join(out))
    text = _clean_lines("\n".join(parts), title=title)
    if not has_words(text):
        raise GeniusLyricsUnavailable("The page's lyrics parse to nothing")
    return text
