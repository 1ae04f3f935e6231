"""A fake Genius on 127.0.0.1: the API (``api_url``) and the song pages (``web_url``), each its
own server, speaking the real shapes (API JSON from docs.genius.com captures; page markup as
genius.com serves it since 2023, plus the older markup).

    fake = FakeGenius().start()  # GENIUS_API_URL = fake.api_url, GENIUS_WEB_URL = fake.web_url
    song = fake.add_song("Static Hearts", "The Velvet Static", "[Verse 1]\\nline\\n...")

``markup`` of a page: ``current`` (header block, two containers with an ad between, annotated
lines, "You might also like"), ``minified`` (the same with no whitespace between tags),
``old`` (``<div class="lyrics"><p>``, "123Embed" at the end), ``no_lyrics`` (no container),
``header_only`` (containers holding only the header block), ``challenge`` (Cloudflare 403).
API calls need ``Authorization: Bearer <fake.token>``.
"""

from __future__ import annotations

import html
import itertools
import re
import threading

from personalify.testing.fakehttp import FakeHTTPServer, Recorded, Reply

MISSING_TOKEN = {
    "meta": {
        "status": 401,
        "message": "This call requires an access_token. Please see: https://genius.com/developers",
    }
}
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid "
    "for other reasons.",
}
CHALLENGE_HTML = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
    '<div class="main-wrapper" role="main"><div class="main-content"><noscript>'
    '<div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to '
    "continue</span></div></noscript></div></div></body></html>"
)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def _line_html(line: str, index: int) -> str:
    """Every third lyric line is annotated (a referent link), every fifth in italics."""
    escaped = html.escape(line)
    if index % 3 == 1:
        return (
            f'<a href="/{1000 + index}/annotated" '
            'class="ReferentFragment-desktop__ClickTarget-sc-1"'
            f' data-ignore-on-click-outside="true"><span class="ReferentFragment-desktop__'
            f'Highlight-sc-2">{escaped}</span></a>'
        )
    if index % 5 == 4:
        return f"<i>{escaped}</i>"
    return escaped


def _header_block(title: str, artist: str) -> str:
    return (
        '<div data-exclude-from-selection="true" class="LyricsHeader__Container-sc-5e4b7146-1">'
        '<div class="ContributorsCreditSong__Container-sc-12hq27v-0"><span>12 Contributors</span>'
        '</div><div class="LyricsHeader__TranslationsContainer-sc-1"><span>Translations</span>'
        "<ul><li>Español</li><li>Português</li></ul></div>"
        f'<h2 class="LyricsHeader__Title-sc-1">{html.escape(title)} Lyrics</h2>'
        '<div class="SongBioPreview__Container-sc-1"><p>'
        f"“{html.escape(title)}” is a song by {html.escape(artist)} about the night it was "
        "written…</p><span>Read More</span></div></div>"
    )


def page_html(title: str, artist: str, lyrics: str, markup: str = "current") -> str:
    lines = lyrics.splitlines()
    if markup == "old":
        body = "<br>\n".join(_line_html(line, i) if line else "" for i, line in enumerate(lines))
        main = (
            '<div class="song_body-lyrics"><h2>' + html.escape(title) + " Lyrics</h2>"
            '<div class="lyrics"><!--sse--><p>' + body + "</p><!--/sse-->123Embed</div></div>"
        )
    elif markup == "no_lyrics":
        main = (
            '<div class="LyricsPlaceholder__Container-sc-1"><div class="LyricsPlaceholder__'
            'Message-sc-1">Lyrics for this song have yet to be released. Please check back '
            "once the song has been released.</div></div>"
        )
    elif markup == "header_only":
        main = (
            '<div data-lyrics-container="true" class="Lyrics__Container-sc-78fb6627-1">'
            + _header_block(title, artist)
            + "</div>"
        )
    else:
        half = max(1, len(lines) // 2)
        # Cut at a section header near the middle, as Genius splits its containers.
        for i in range(half, len(lines)):
            if lines[i].startswith("["):
                half = i
                break
        parts = [lines[:half], lines[half:]]
        containers = []
        for n, part in enumerate(parts):
            if not part:
                continue
            offset = 0 if n == 0 else half
            inner = "<br/>".join(_line_html(line, offset + i) for i, line in enumerate(part))
            if n == 0:
                inner = (
                    _header_block(title, artist)
                    + inner
                    + (
                        '<div data-exclude-from-selection="true" class="InreadContainer__Container'
                        '-sc-1"><div class="SidebarAd__Container-sc-1">You might also like</div>'
                        "</div>"
                    )
                )
            containers.append(
                f'<div data-lyrics-container="true" class="Lyrics__Container-sc-78fb6627-1">'
                f"{inner}</div>"
            )
        ad = (
            '<div class="RightSidebar__Container-sc-1"><div class="PrimisPlayer__Container-sc-1">'
            "Get tickets as low as $45</div></div>"
        )
        main = (
            '<div id="lyrics-root" class="Lyrics__Root-sc-78fb6627-0">'
            + (containers[0] if containers else "")
            + ad
            + "".join(containers[1:])
            + '<div class="LyricsFooter__Container-sc-1"><button>Embed</button></div></div>'
        )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(artist)} – {html.escape(title)} Lyrics | Genius Lyrics</title>"
        "<script>window.__PRELOADED_STATE__ = JSON.parse('{}');</script></head><body>"
        '<div class="Header__Container-sc-1"><a href="/">Genius</a><nav>Featured Charts Videos'
        " Promote Your Music</nav></div>"
        f"<main>{main}</main>"
        '<footer class="PageFooter__Container-sc-1">© 2026 ML Genius Holdings, LLC</footer>'
        "</body></html>"
    )
    if markup == "minified":
        return re.sub(r">\s+<", "><", page)
    return page


class FakeGenius:
    def __init__(self, *, latency: float = 0.0, token: str = "test-genius-token"):
        self.api = FakeHTTPServer(latency=latency)
        self.web = FakeHTTPServer(latency=latency)
        self.token = token
        self.songs: dict[int, dict] = {}
        self.pages: dict[str, tuple[int, str, str]] = {}  # path -> (id, markup, lyrics)
        self._ids = itertools.count(9876543)
        self._lock = threading.Lock()
        self.api.route("GET", "/search", self._search)
        self.api.route("GET", r"^/songs/(\d+)$", self._song)
        self.web.route("GET", r"^/.*$", self._page)

    @property
    def api_url(self) -> str:
        return self.api.url

    @property
    def web_url(self) -> str:
        return self.web.url

    def start(self) -> FakeGenius:
        self.api.start()
        self.web.start()
        return self

    def stop(self) -> None:
        self.api.stop()
        self.web.stop()

    def add_song(
        self,
        title: str,
        artist: str,
        lyrics: str = "",
        *,
        markup: str = "current",
        instrumental: bool = False,
        song_id: int | None = None,
        path: str | None = None,
    ) -> dict:
        song_id = song_id or next(self._ids)
        path = path or f"/{_slug(artist).capitalize()}-{_slug(title)}-lyrics"
        art = f"https://images.genius.com/{song_id:032x}.300x300x1.jpg"
        song = {
            "_type": "song",
            "annotation_count": 3,
            "api_path": f"/songs/{song_id}",
            "artist_names": artist,
            "full_title": f"{title} by\u00a0{artist}",
            "header_image_thumbnail_url": art,
            "header_image_url": art.replace("300x300", "1000x1000"),
            "id": song_id,
            "instrumental": instrumental,
            "language": "en",
            "lyrics_owner_id": 4242,
            "lyrics_state": "complete",
            "lyrics_updated_at": 1729000000,
            "path": path,
            "primary_artist_names": artist,
            "pyongs_count": 12,
            "relationships_index_url": f"{self.web_url}{path.replace('-lyrics', '-sample')}",
            "release_date_components": {"year": 2024, "month": 3, "day": 8},
            "release_date_for_display": "March 8, 2024",
            "release_date_with_abbreviated_month_for_display": "Mar. 8, 2024",
            "song_art_image_thumbnail_url": art,
            "song_art_image_url": art.replace("300x300", "1000x1000"),
            "stats": {"unreviewed_annotations": 0, "hot": False, "pageviews": 45210},
            "title": title,
            "title_with_featured": title,
            "updated_by_human_at": 1729000500,
            "url": f"{self.web_url}{path}",
            "featured_artists": [],
            "primary_artist": {
                "_type": "artist",
                "api_path": "/artists/1234567",
                "header_image_url": "https://images.genius.com/12d687.1000x333x1.jpg",
                "id": 1234567,
                "image_url": "https://images.genius.com/12d688.1000x1000x1.jpg",
                "index_character": artist[:1].lower(),
                "is_meme_verified": False,
                "is_verified": False,
                "name": artist,
                "slug": _slug(artist).capitalize(),
                "url": f"{self.web_url}/artists/{_slug(artist).capitalize()}",
            },
        }
        song["primary_artists"] = [song["primary_artist"]]
        with self._lock:
            self.songs[song_id] = song
            self.pages[path] = (song_id, markup, lyrics)
        return song

    def set_page(self, path: str, reply: Reply) -> None:
        """Answer the page at ``path`` with ``reply`` (a redirect, a huge body ...)."""
        self.web.route("GET", path, reply)

    def _authorized(self, request: Recorded) -> Reply | None:
        header = request.headers.get("authorization", "")
        if not header:
            return Reply(401, json=MISSING_TOKEN)
        if header != f"Bearer {self.token}":
            return Reply(401, json=INVALID_TOKEN)
        return None

    def _search(self, request: Recorded) -> Reply:
        refused = self._authorized(request)
        if refused:
            return refused
        words = set(re.findall(r"\w+", request.query.get("q", "").lower()))
        hits = []
        for song in self.songs.values():
            have = set(re.findall(r"\w+", f"{song['title']} {song['artist_names']}".lower()))
            if words and words <= have | {"the", "feat", "ft"}:
                hits.append({"highlights": [], "index": "song", "type": "song", "result": song})
        return Reply(200, json={"meta": {"status": 200}, "response": {"hits": hits[:10]}})

    def _song(self, request: Recorded) -> Reply:
        refused = self._authorized(request)
        if refused:
            return refused
        song_id = int(request.path.rsplit("/", 1)[1])
        song = self.songs.get(song_id)
        if song is None:
            return Reply(404, json={"meta": {"status": 404, "message": "Not found"}})
        return Reply(200, json={"meta": {"status": 200}, "response": {"song": song}})

    def _page(self, request: Recorded) -> Reply:
        found = self.pages.get(request.path)
        if found is None:
            return Reply(404, body="<html><body>Page not found</body></html>")
        song_id, markup, lyrics = found
        song = self.songs[song_id]
        if markup == "challenge":
            return Reply(
                403,
                body=CHALLENGE_HTML,
                headers={"cf-mitigated": "challenge", "Server": "cloudflare"},
            )
        return Reply(200, body=page_html(song["title"], song["artist_names"], lyrics, markup))
