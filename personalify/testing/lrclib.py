"""A fake LRCLib on 127.0.0.1, speaking its real JSON shapes (``GET /api/get``).

    fake = FakeLRCLib().start()                  # fake.url -> settings.LRCLIB_URL
    fake.add("Static Hearts", "The Velvet Static", "Low Frequency Bloom", 232,
             plain="line\\nline", synced="[00:12.34] line")
    fake.add("Drift", "Quiet Harbor", "Tides", 301, instrumental=True)

A track matches on track and artist name (case-insensitive) and a duration within 2 seconds,
as the service does; anything else is 404 ``TrackNotFound``. Faults: ``fake.fail(reply, times)``
answers the next ``times`` requests with ``reply`` (a 429 with Retry-After, a 500 ...).
"""

from __future__ import annotations

import itertools
import threading

from personalify.testing.fakehttp import FakeHTTPServer, Recorded, Reply

NOT_FOUND = {"code": 404, "name": "TrackNotFound", "message": "Failed to find specified track"}


class FakeLRCLib:
    def __init__(self, *, latency: float = 0.0):
        self.server = FakeHTTPServer(latency=latency)
        self.entries: list[dict] = []
        self._ids = itertools.count(151738)
        self._faults: list[Reply] = []
        self._lock = threading.Lock()
        self.server.route("GET", "/api/get", self._get)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self):
        return self.server.requests_to("/api/get")

    def start(self) -> FakeLRCLib:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def add(
        self,
        track_name: str,
        artist_name: str,
        album_name: str,
        duration: float,
        *,
        plain: str | None = None,
        synced: str | None = None,
        instrumental: bool = False,
    ) -> dict:
        entry = {
            "id": next(self._ids),
            "name": track_name,
            "trackName": track_name,
            "artistName": artist_name,
            "albumName": album_name,
            "duration": float(duration),
            "instrumental": instrumental,
            "plainLyrics": None if instrumental else plain,
            "syncedLyrics": None if instrumental else synced,
        }
        self.entries.append(entry)
        return entry

    def fail(self, reply: Reply, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([reply] * times)

    def rate_limit(self, *, retry_after: int = 1, times: int = 1) -> None:
        body = {"code": 429, "name": "TooManyRequests", "message": "Too many requests"}
        self.fail(Reply(429, json=body, headers={"Retry-After": str(retry_after)}), times)

    def _get(self, request: Recorded) -> Reply:
        with self._lock:
            if self._faults:
                return self._faults.pop(0)
        q = request.query
        missing = [k for k in ("track_name", "artist_name") if not q.get(k)]
        if missing:
            return Reply(
                400, json={"code": 400, "name": "ValidationError", "message": str(missing)}
            )
        try:
            duration = float(q.get("duration") or 0)
        except ValueError:
            duration = 0.0
        for entry in self.entries:
            if (
                entry["trackName"].lower() == q["track_name"].lower()
                and entry["artistName"].lower() == q["artist_name"].lower()
                and (not duration or abs(entry["duration"] - duration) <= 2)
            ):
                return Reply(200, json=entry)
        return Reply(404, json=NOT_FOUND)
