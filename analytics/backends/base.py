"""The emotion backend interface, its result type and its errors."""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise


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


class EmotionTimeLimit(EmotionBackendUnavailable):
    """The analysis did not finish within its time limit (settings.EMOTION_TIME_LIMIT)."""

    def __init__(self, limit: float | None = None):
        self.limit = limit
        super().__init__("The analysis took too long; try a shorter text.")


def deadline_check(deadline: float | None) -> None:
    """Raise EmotionTimeLimit when ``deadline`` (a time.monotonic() value) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise EmotionTimeLimit()


class EmotionBackend(ABC):
    """Scores texts. Implementations chunk long texts themselves and average the chunks."""

    name: str = ""

    @property
    @abstractmethod
    def model(self) -> str:
        """The model id results are cached under."""

    @abstractmethod
    def analyse(self, texts: list[str], *, deadline: float | None = None) -> list[EmotionScores]:
        """Scores for each text, in order. Raises EmotionBackendUnavailable, and
        EmotionTimeLimit when ``deadline`` (time.monotonic()) passes before the work is done."""


# However a text is laid out, it becomes at most this many chunks: the cost of one analysis is
# bounded by the text's length limit, not by how many blank lines it has.
MAX_CHUNKS = 12


def split_chunks(
    text: str, limit: int, size: Callable[[str], int] = len, max_chunks: int = MAX_CHUNKS
) -> list[str]:
    """Pack lyrics' lines into chunks of at most ``limit``, a stanza kept whole when it fits.

    Short stanzas share a chunk with their neighbours; a stanza longer than the limit is split
    between whole lines; a single line longer than the limit is its own chunk (the model
    truncates it). More than ``max_chunks`` chunks are merged, neighbours together, into
    ``max_chunks``.
    """
    chunks: list[str] = []
    current: list[str] = []
    used = 0

    def flush() -> None:
        nonlocal current, used
        if current:
            chunks.append("\n".join(current))
        current, used = [], 0

    for stanza in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in stanza.splitlines() if ln.strip()]
        sizes = [size(line) + 1 for line in lines]
        if current and used + sum(sizes) > limit:
            flush()  # the stanza does not fit beside the previous ones: it starts a chunk
        for line, n in zip(lines, sizes, strict=True):
            if current and used + n > limit:
                flush()
            current.append(line)
            used += n
    flush()
    if len(chunks) > max_chunks:
        bounds = [round(i * len(chunks) / max_chunks) for i in range(max_chunks + 1)]
        chunks = ["\n".join(chunks[a:b]) for a, b in pairwise(bounds)]
    return chunks or [text.strip()]
