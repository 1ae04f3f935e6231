"""Emotion backends: ``local`` (offline, the default) and ``huggingface`` (remote)."""

from __future__ import annotations

from django.conf import settings

from .base import (
    EmotionBackend,
    EmotionBackendUnavailable,
    EmotionError,
    EmotionInputError,
    EmotionScores,
    EmotionTextTooLong,
    EmotionTimeLimit,
)

BACKEND_NAMES = ("local", "huggingface")

__all__ = [
    "BACKEND_NAMES",
    "EmotionBackend",
    "EmotionBackendUnavailable",
    "EmotionError",
    "EmotionInputError",
    "EmotionScores",
    "EmotionTextTooLong",
    "EmotionTimeLimit",
    "backend_get",
]


def backend_get(name: str | None = None) -> EmotionBackend:
    """The backend called ``name`` (default: settings.EMOTION_BACKEND)."""
    name = name or settings.EMOTION_BACKEND
    if name == "local":
        from .local import LocalBackend

        return LocalBackend()
    if name == "huggingface":
        from .huggingface import HuggingFaceBackend

        return HuggingFaceBackend()
    raise ValueError(
        f"Unknown EMOTION_BACKEND {name!r}; expected one of {', '.join(BACKEND_NAMES)}"
    )
