"""A fake MusicBrainz on 127.0.0.1, speaking its real JSON shapes (``/ws/2/url``, ``/ws/2/artist``).

    fake = FakeMusicBrainz().start()                 # fake.url -> settings.MUSICBRAINZ_URL
    fake.add("1vStAtIcArTiStIdAaaaaa", "The Velvet Static", genres={"shoegaze": 12, "dream pop": 3})
    fake.overload(retry_after=1, times=2)            # the next 2 requests: 503 + Retry-After

``GET /ws/2/url?resource=https://open.spotify.com/artist/<id>&inc=artist-rels&fmt=json`` answers the
URL entity with one backward "free streaming" relation to the artist, or 404 ``{"error": "Not
Found", ...}`` for a URL no artist links; ``GET /ws/2/artist/<mbid>?inc=genres&fmt=json`` the
artist with its genres (404 for an unknown id). Requests without ``fmt=json`` get 400 (the real
service would answer XML). Every request is kept in ``hits`` with the monotonic time it arrived,
so a test can check the spacing between requests.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass

from personalify.testing.fakehttp import FakeHTTPServer, Recorded, Reply

NOT_FOUND = {
    "error": "Not Found",
    "help": "For usage, please see: https://musicbrainz.org/development/mmd",
}
OVERLOADED = {
    "error": "Your requests are exceeding the allowable rate limit. Please see "
    "http://wiki.musicbrainz.org/XMLWebService for more information.",
    "help": "For usage, please see: https://musicbrainz.org/development/mmd",
}
SPOTIFY_ARTIST = re.compile(r"https://open\.spotify\.com/artist/(?P<id>[A-Za-z0-9]+)")


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    query: dict[str, str]
    user_agent: str
    status: int


class FakeMusicBrainz:
    def __init__(self):
        self.server = FakeHTTPServer()
        self.artists: dict[str, dict] = {}  # mbid -> artist body
        self.urls: dict[str, list[str]] = {}  # Spotify id -> linked artist mbids
        self.hits: list[Hit] = []
        self._faults: list[Reply] = []
        self._overload_from = 0  # faults wait until this many requests were answered
        self._lock = threading.Lock()
        self.server.route("GET", "/ws/2/url", self._url)
        self.server.route("GET", r"^/ws/2/artist/[^/]+$", self._artist)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> FakeMusicBrainz:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def add(
        self,
        spotify_id: str | None,
        name: str,
        *,
        genres: dict[str, int] | None = None,
        mbid: str | None = None,
    ) -> str:
        """An artist (linked from the Spotify artist ``spotify_id`` unless None) with genres
        {name: votes}; returns its MBID."""
        mbid = mbid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"musicbrainz:{name}:{spotify_id}"))
        self.artists[mbid] = {
            "id": mbid,
            "name": name,
            "sort-name": name,
            "type": "Group",
            "disambiguation": "",
            "country": "GB",
            "genres": [
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"genre:{genre}")),
                    "name": genre,
                    "count": count,
                    "disambiguation": "",
                }
                for genre, count in (genres or {}).items()
            ],
        }
        if spotify_id:
            self.urls.setdefault(spotify_id, []).append(mbid)
        return mbid

    def fail(self, reply: Reply, times: int = 1) -> None:
        """The next ``times`` requests get ``reply`` (a 500, a malformed body ...)."""
        with self._lock:
            self._faults.extend([reply] * times)

    def overload(self, *, retry_after: int = 1, times: int = 1, after: int = 0) -> None:
        """The next ``times`` requests get 503 with Retry-After, as MusicBrainz answers a client
        over its rate; ``after``: once that many more requests have been answered."""
        with self._lock:
            self._overload_from = len(self.hits) + after
        reply = Reply(503, json=OVERLOADED, headers={"Retry-After": str(retry_after)})
        self.fail(reply, times)

    def _record(self, request: Recorded, reply: Reply) -> Reply:
        with self._lock:
            self.hits.append(
                Hit(
                    at=time.monotonic(),
                    path=request.path,
                    query=dict(request.query),
                    user_agent=request.headers.get("user-agent", ""),
                    status=reply.status,
                )
            )
        return reply

    def _fault(self) -> Reply | None:
        with self._lock:
            if len(self.hits) < self._overload_from:
                return None
            return self._faults.pop(0) if self._faults else None

    def _checked(self, request: Recorded, inc: str) -> Reply | None:
        fault = self._fault()
        if fault:
            return fault
        if request.query.get("fmt") != "json":
            return Reply(400, body="<error><text>fmt=json expected by this fake</text></error>")
        if request.query.get("inc") != inc:
            return Reply(400, json={"error": f"inc={inc} expected by this fake", "help": ""})
        return None

    def _url(self, request: Recorded) -> Reply:
        refused = self._checked(request, "artist-rels")
        if refused:
            return self._record(request, refused)
        resource = request.query.get("resource", "")
        match = SPOTIFY_ARTIST.fullmatch(resource)
        linked = self.urls.get(match["id"], []) if match else []
        if not linked:
            return self._record(request, Reply(404, json=NOT_FOUND))
        body = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, resource)),
            "resource": resource,
            "relations": [
                {
                    "type": "free streaming",
                    "type-id": "769085a1-c2f7-4c24-a532-2375a77693bd",
                    "target-type": "artist",
                    "direction": "backward",
                    "begin": None,
                    "end": None,
                    "ended": False,
                    "attributes": [],
                    "source-credit": "",
                    "target-credit": "",
                    "artist": {
                        key: self.artists[mbid][key]
                        for key in ("id", "name", "sort-name", "disambiguation", "type")
                    },
                }
                for mbid in linked
            ],
        }
        return self._record(request, Reply(200, json=body))

    def _artist(self, request: Recorded) -> Reply:
        refused = self._checked(request, "genres")
        if refused:
            return self._record(request, refused)
        artist = self.artists.get(request.path.rsplit("/", 1)[-1])
        if artist is None:
            return self._record(request, Reply(404, json=NOT_FOUND))
        return self._record(request, Reply(200, json=artist))
