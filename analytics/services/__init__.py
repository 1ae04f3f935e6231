"""Writes and side effects of the analytics app: emotion analysis (``emotions``) and the vibe
and mood refreshes of a user's rankings (``moods``)."""

from .emotions import (
    EmotionResult,
    emotion_analyse,
    emotion_paste_analyse,
    emotion_rate_limit_hit,
    emotions_analyse,
    emotions_evaluate,
    text_clean,
    text_sha256,
)
from .moods import (
    VibeResult,
    mood_progress_set,
    moods_analyse,
    vibe_compute,
    vibe_refresh_request,
    vibe_store,
)
from .songs import lyrics_display_lines, song_page_get, song_reading

__all__ = [
    "EmotionResult",
    "VibeResult",
    "emotion_analyse",
    "emotion_paste_analyse",
    "emotion_rate_limit_hit",
    "emotions_analyse",
    "emotions_evaluate",
    "lyrics_display_lines",
    "mood_progress_set",
    "moods_analyse",
    "song_page_get",
    "song_reading",
    "text_clean",
    "text_sha256",
    "vibe_compute",
    "vibe_refresh_request",
    "vibe_store",
]
