"""The Genius page scraper on current, minified and old markup, and pages without lyrics."""

import pytest

from lyrics.genius import GeniusLyricsUnavailable, lyrics_from_html
from personalify.testing.genius import CHALLENGE_HTML, page_html

LYRICS = (
    "[Verse 1]\nI walked the line & didn't look back\nThe night was long\n"
    'You said "stay", I said "go"\nThese lyrics are all I wrote\n\n'
    "[Chorus]\nOh, we burn so bright\nUntil the morning light\n\n"
    "[Verse 2]\nQuiet rooms and empty halls\nEcho with your calls"
)


@pytest.mark.parametrize("markup", ["current", "minified", "old"])
def test_lyrics_from_html_gives_the_lyrics_with_section_headers_when_markup_is_known(markup):
    assert lyrics_from_html(page_html("Static Hearts", "The Velvet Static", LYRICS, markup)) == (
        LYRICS
    )


def test_lyrics_from_html_removes_header_bio_ads_and_embed_debris_when_present():
    text = lyrics_from_html(page_html("Static Hearts", "The Velvet Static", LYRICS, "current"))
    for junk in (
        "Contributors",
        "Translations",
        "Español",
        "Static Hearts Lyrics",
        "Read More",
        "You might also like",
        "tickets",
        "Embed",
        "Genius",
        "©",
    ):
        assert junk not in text
    # A real line that merely says "lyrics" stays.
    assert "These lyrics are all I wrote" in text


def test_lyrics_from_html_joins_containers_with_a_line_break_when_minified():
    text = lyrics_from_html(page_html("T", "A", LYRICS, "minified"))
    assert "all I wrote\n\n[Chorus]" in text
    assert "wrote[Chorus]" not in text


REAL_SHAPE = """<html><body><div id="lyrics-root">
<div data-lyrics-container="true" class="Lyrics__Container-sc-78fb6627-1 hiRbsH"><div
 data-exclude-from-selection="true" class="LyricsHeader__Container-sc-5e4b7146-1"><div>
 <span>1,204 Contributors</span></div><h2>Night Drive Lyrics</h2></div>[Intro]<br/><a
 href="/27170281/Night-drive" class="ReferentFragment-desktop__ClickTarget-sc-380d78dd-0"><span
 class="ReferentFragment-desktop__Highlight-sc-380d78dd-1">Headlights on the wet
 road,</span></a> <i>we&#x27;re</i> gone<br/>Caf&eacute; lights &amp; neon&nbsp;signs<br/><br/>
[Verse 1]<br/><b>Every</b> mile a <a href="/1"><span>little</span></a> closer</div><div
 class="RightSidebar__Container-sc-1"><div>Advertisement</div></div>
<div data-lyrics-container="true" class="Lyrics__Container-sc-78fb6627-1">[Chorus]<br/>Drive, drive
<br/>Into the night<div data-exclude-from-selection="true"><span>You might also like</span><a>Other
 Song</a></div><br/>Hold on tight</div>
<div class="LyricsFooter__Container-sc-1">56Embed</div></div></body></html>"""


def test_lyrics_from_html_keeps_annotated_italic_bold_text_and_decodes_entities_when_present():
    assert lyrics_from_html(REAL_SHAPE, title="Night Drive") == (
        "[Intro]\nHeadlights on the wet road, we're gone\nCafé lights & neon signs\n\n"
        "[Verse 1]\nEvery mile a little closer\n\n[Chorus]\nDrive, drive\nInto the night\n"
        "Hold on tight"
    )


def test_lyrics_from_html_drops_an_unmarked_header_block_and_a_trailing_embed_when_older():
    html = (
        '<div data-lyrics-container="true">12 Contributors<br/>Translations<br/>Deutsch<br/>'
        "Static Hearts Lyrics<br/>“Static Hearts” is about a night… Read More<br/>"
        "[Verse 1]<br/>First line<br/>Last line42Embed</div>"
    )
    assert lyrics_from_html(html, title="Static Hearts") == "[Verse 1]\nFirst line\nLast line"


@pytest.mark.parametrize(
    "html",
    [
        page_html("T", "A", LYRICS, "no_lyrics"),
        page_html("T", "A", LYRICS, "header_only"),
        CHALLENGE_HTML,
        '<div data-lyrics-container="true">[Verse 1]<br/>[Chorus]</div>',
        "",
        "   ",
    ],
    ids=["no-container", "header-only", "challenge", "headers-only", "empty", "blank"],
)
def test_lyrics_from_html_raises_unavailable_when_nothing_is_left(html):
    with pytest.raises(GeniusLyricsUnavailable):
        lyrics_from_html(html)
