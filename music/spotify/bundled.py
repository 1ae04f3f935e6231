"""Spotify's answers read from bundled JSON files: the demo's source of data.

Like Django's locmem backends, a stand-in that production code may use: ``BundledSpotifyClient``
is the real client with its transport replaced, so the demo's data goes through the same
parsing and the same sync as a real account's. The files are named after the endpoints they
answer (``me.json``, ``top_artists_short_term.json``, ``recently_played.json``, ...), each holding
the JSON Spotify sends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .client import SpotifyClient
from .errors import SpotifyBadRequest

_FILES = {
    "/me": "me.json",
    "/me/player/recently-played": "recently_played.json",
    "/me/top/artists": "top_artists_{time_range}.json",
    "/me/top/tracks": "top_tracks_{time_range}.json",
}


class BundledSpotifyClient(SpotifyClient):
    """A SpotifyClient whose answers are the files in ``data_dir``; it never opens a socket."""

    def __init__(self, *, data_dir: str | Path):
        super().__init__(access_token="bundled", base_url="bundled:")
        self.data_dir = Path(data_dir)

    def _get(self, path: str, *, params: dict | None = None) -> Any:
        params = params or {}
        name = _FILES.get(path)
        if name is None:
            raise SpotifyBadRequest(f"No bundled answer for {path}", status=404)
        body = json.loads((self.data_dir / name.format(**params)).read_text())
        if isinstance(body, dict) and isinstance(body.get("items"), list) and "limit" in params:
            body = {**body, "items": body["items"][: params["limit"]]}
        return body
