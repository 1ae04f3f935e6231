"""The demo's lyrics: written for its made-up tracks (no copyrighted text), bundled as JSON.

Each song's verses, chorus and bridge come from lines written for this project, themed by its
title (rain and blue read sad, summer and gold glad, ...) with a bridge that turns the mood, so
the demo's arcs move. A third are timed (LRC), three tracks are instrumental.

Like ``music.spotify.bundled``: a stand-in production code uses for the demo account, so the
demo's lyrics go through the same storage, pages and mood as a real account's, offline.
``demo_data/lyrics.json`` maps a Spotify track id to ``{"plain": ...}`` or ``{"synced": LRC}``
or ``{"instrumental": true}``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DEMO_LYRICS_PATH = Path(__file__).resolve().parent / "demo_data" / "lyrics.json"


@cache
def demo_lyrics() -> dict[str, dict]:
    if not DEMO_LYRICS_PATH.exists():
        return {}
    return json.loads(DEMO_LYRICS_PATH.read_text(encoding="utf-8"))
