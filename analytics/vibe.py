"""The vibe of a ranking, from per-track emotion scores: a sentence and a confidence.

Pure functions over scores; the service (services.vibe_compute) feeds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .labels import COARSE_LABELS, FINE_LABELS

# One phrase per GoEmotions label.
PHRASES: dict[str, str] = {
    "admiration": "wide-eyed admiration",
    "amusement": "playful amusement",
    "anger": "simmering anger",
    "annoyance": "restless irritation",
    "approval": "easy approval",
    "caring": "warm care",
    "confusion": "hazy confusion",
    "curiosity": "wandering curiosity",
    "desire": "quiet longing",
    "disappointment": "bittersweet disappointment",
    "disapproval": "sharp disapproval",
    "disgust": "raw disgust",
    "embarrassment": "awkward embarrassment",
    "excitement": "bright excitement",
    "fear": "creeping fear",
    "gratitude": "heartfelt gratitude",
    "grief": "deep grief",
    "joy": "pure joy",
    "love": "tender love",
    "nervousness": "nervous energy",
    "optimism": "hopeful optimism",
    "pride": "proud swagger",
    "realization": "sudden clarity",
    "relief": "gentle relief",
    "remorse": "heavy remorse",
    "sadness": "soft sadness",
    "surprise": "wide-open surprise",
    "neutral": "calm, matter-of-fact moments",
}

# Most titles and many lines read as neutral; undamped it would top nearly every vibe.
NEUTRAL_WEIGHT = 0.25
MAX_PHRASES = 3
# A label joins the sentence when it reaches this share of the top label's score.
RUNNER_UP_SHARE = 0.6
MIN_TRACKS_FOR_FULL_CONFIDENCE = 5


@dataclass(frozen=True)
class VibeReading:
    sentence: str
    top: list[tuple[str, float]]
    fine: dict[str, float]
    coarse: dict[str, float]
    confidence: float
    confidence_level: str
    note: str = ""
    analysed: int = 0
    extra: dict = field(default_factory=dict)


def _join(phrases: Sequence[str]) -> str:
    if len(phrases) == 1:
        return f"Mostly {phrases[0]}"
    if len(phrases) == 2:
        return f"{phrases[0][0].upper()}{phrases[0][1:]} and {phrases[1]}"
    return f"Shades of {', '.join(phrases[:-1])} and {phrases[-1]}"


def vibe_read(scores: Sequence[tuple[dict[str, float], dict[str, float]]]) -> VibeReading:
    """Average (fine, coarse) scores of the analysed tracks into a sentence and a confidence.

    Confidence is the margin between the first and second label (relative to the first),
    scaled down when few tracks were analysed or the strongest label is itself weak.
    """
    n = len(scores)
    if n == 0:
        return VibeReading(
            sentence="Not enough to read a mood from yet.",
            top=[],
            fine={},
            coarse={},
            confidence=0.0,
            confidence_level="low",
            note="No track could be analysed.",
        )
    fine = {k: sum(f.get(k, 0.0) for f, _ in scores) / n for k in FINE_LABELS}
    coarse = {k: sum(c.get(k, 0.0) for _, c in scores) / n for k in COARSE_LABELS}
    fine["neutral"] *= NEUTRAL_WEIGHT
    coarse["neutral"] *= NEUTRAL_WEIGHT
    total = sum(coarse.values()) or 1.0
    coarse = {k: round(v / total, 4) for k, v in coarse.items()}
    ranked = sorted(fine.items(), key=lambda kv: kv[1], reverse=True)
    best = ranked[0][1]
    chosen = [ranked[0]] + [
        kv for kv in ranked[1:MAX_PHRASES] if best > 0 and kv[1] >= RUNNER_UP_SHARE * best
    ]
    sentence = _join([PHRASES[label] for label, _ in chosen])

    second = ranked[1][1]
    margin = (best - second) / best if best > 0 else 0.0
    confidence = min(1.0, margin / 0.3) * min(1.0, n / MIN_TRACKS_FOR_FULL_CONFIDENCE)
    if best < 0.15:
        confidence = min(confidence, 0.25)
    level = "high" if confidence >= 0.6 else "medium" if confidence >= 0.3 else "low"
    note = ""
    if level == "low":
        close = ", ".join(label for label, _ in ranked[:3])
        note = (
            f"Low confidence: {close} score almost the same"
            if margin < 0.1
            else "Low confidence: too few tracks or weak signals"
        )
        note += ", so read this as a hint, not a verdict."
    return VibeReading(
        sentence=sentence,
        top=[(label, round(score, 4)) for label, score in ranked[:5]],
        fine={k: round(v, 4) for k, v in fine.items()},
        coarse=coarse,
        confidence=round(confidence, 3),
        confidence_level=level,
        note=note,
        analysed=n,
    )
