"""The emotion label sets both backends share, and the mapping between them.

Fine labels: the 28 GoEmotions labels in the id order of SamLowe/roberta-base-go_emotions.
Coarse labels: the 7 labels of j-hartmann/emotion-english-distilroberta-base, grouped from the
fine ones with the Ekman mapping of the GoEmotions paper (Demszky et al., 2020).
"""

from __future__ import annotations

from collections.abc import Mapping

FINE_LABELS: tuple[str, ...] = (
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
)

COARSE_LABELS: tuple[str, ...] = (
    "anger",
    "disgust",
    "fear",
    "joy",
    "neutral",
    "sadness",
    "surprise",
)

EKMAN_GROUPS: dict[str, tuple[str, ...]] = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": (
        "joy",
        "amusement",
        "approval",
        "excitement",
        "gratitude",
        "love",
        "optimism",
        "relief",
        "pride",
        "admiration",
        "desire",
        "caring",
    ),
    "neutral": ("neutral",),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
}

COARSE_OF: dict[str, str] = {
    fine: coarse for coarse, fines in EKMAN_GROUPS.items() for fine in fines
}


def coarse_from_fine(fine: Mapping[str, float]) -> dict[str, float]:
    """Group multi-label fine scores into a 7-way distribution (max per group, then sum to 1)."""
    raw = {c: max(float(fine.get(f, 0.0)) for f in EKMAN_GROUPS[c]) for c in COARSE_LABELS}
    total = sum(raw.values())
    if total <= 0:
        return {c: (1.0 if c == "neutral" else 0.0) for c in COARSE_LABELS}
    return {c: raw[c] / total for c in COARSE_LABELS}


def fine_from_coarse(coarse: Mapping[str, float]) -> dict[str, float]:
    """A 7-label answer (j-hartmann) on the 28 labels: each group's score on its namesake."""
    return {f: float(coarse.get(f, 0.0)) if f in EKMAN_GROUPS else 0.0 for f in FINE_LABELS}


def top_label(scores: Mapping[str, float]) -> str:
    return max(scores, key=lambda k: scores[k])
