"""The emotion backend interface, its result type and its errors."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class EmotionScores:
    """One text's scores: 28 GoEmotions labels (0..1 each) and 7 coarse labels (sum to 1)."""

    fine: dict[str, float]
    coarse: dict[str, float]
    chunks: int = 1


class EmotionError(Exception):
    """Base of the analytics errors."""


class EmotionInputError(EmotionError, ValueError):
    """The input is empty or not text."""


class EmotionTextTooLong(EmotionInputError):
    def __init__(self, length: int, limit: int):
        self.length = length
        self.limit = limit
        super().__init__(f"The text has {length:,} characters; the limit is {limit:,}.")


class EmotionBackendUnavailable(EmotionError):
    """A backend could not answer (the service refused, failed or timed out)."""


class EmotionBackend(ABC):
    """Scores texts. Implementations chunk long texts themselves and average the chunks."""

    name: str = ""

    @property
    @abstractmethod
    def model(self) -> str:
        """The model id results are cached under."""

    @abstractmethod
    def analyse(self, texts: list[str]) -> list[EmotionScores]:
        """Scores for each text, in order. Raises EmotionBackendUnavailable."""


def split_chunks(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split lyrics into stanzas, and stanzas into runs of whole lines of at most ``limit``.

    A single line longer than the limit is its own chunk (the model truncates it).
    """
    chunks: list[str] = []
    for stanza in re.split(r"\n\s*\n", text):
        current: list[str] = []
        used = 0
        for line in (ln.strip() for ln in stanza.splitlines()):
            if not line:
                continue
            n = size(line)
            if current and used + n > limit:
                chunks.append("\n".join(current))
                current, used = [], 0
            current.append(line)
            used += n + 1
        if current:
            chunks.append("\n".join(current))
    return chunks or [text.strip()]
