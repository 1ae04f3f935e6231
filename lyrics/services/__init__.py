"""Writes and side effects of the lyrics app: lookups (``lookup``), storage and the user's
fetch (``store``), Genius search and songs (``genius``)."""

from .genius import (
    genius_lyrics_get,
    genius_page_link,
    genius_search,
    lyrics_rate_limit_hit,
    search_cache_key,
)
from .lookup import Outcome, Sources, SourceState, TrackQuery, sources_default, track_lookup
from .store import (
    LyricsFetchResult,
    lyrics_fetch_for_user,
    lyrics_fetch_request,
    lyrics_progress_set,
    lyrics_prune,
    track_lyrics_fetch,
    track_lyrics_store,
)

__all__ = [
    "LyricsFetchResult",
    "Outcome",
    "SourceState",
    "Sources",
    "TrackQuery",
    "genius_lyrics_get",
    "genius_page_link",
    "genius_search",
    "lyrics_fetch_for_user",
    "lyrics_fetch_request",
    "lyrics_progress_set",
    "lyrics_prune",
    "lyrics_rate_limit_hit",
    "search_cache_key",
    "sources_default",
    "track_lookup",
    "track_lyrics_fetch",
    "track_lyrics_store",
]
