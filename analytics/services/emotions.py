"""Emotion analysis with a PostgreSQL result cache, its per-user rate limit and its evaluation."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings

from analytics.backends import (
    EmotionBackend,
    EmotionBackendUnavailable,
    EmotionInputError,
    EmotionScores,
    EmotionTextTooLong,
    EmotionTimeLimit,
    backend_get,
)
from analytics.labels import top_label
from analytics.models import EmotionAnalysis
from personalify.ratelimit import rate_limit_hit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmotionResult:
    backend: str  # the backend that answered
    model: str
    fine: dict[str, float]
    coarse: dict[str, float]
    chunks: int = 1
    cached: bool = False
    fallback_reason: str = ""  # why the configured backend did not answer

    @property
    def top_fine(self) -> str:
        return top_label(self.fine)

    @property
    def top_coarse(self) -> str:
        return top_label(self.coarse)

    def as_dict(self) -> dict:
        return {
            "backend": self.backend,
            "model": self.model,
            "fallback_reason": self.fallback_reason,
            "chunks": self.chunks,
            "top": {"fine": self.top_fine, "coarse": self.top_coarse},
            "fine": dict(sorted(self.fine.items(), key=lambda kv: kv[1], reverse=True)),
            "coarse": dict(sorted(self.coarse.items(), key=lambda kv: kv[1], reverse=True)),
        }


def text_clean(text: object) -> str:
    """The text to analyse, or EmotionInputError / EmotionTextTooLong."""
    if not isinstance(text, str):
        raise EmotionInputError("Send text to analyse.")
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise EmotionInputError("The text is empty.")
    if len(cleaned) > settings.EMOTION_MAX_CHARS:
        raise EmotionTextTooLong(len(cleaned), settings.EMOTION_MAX_CHARS)
    return cleaned


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _result(row: EmotionAnalysis, *, cached: bool, reason: str = "") -> EmotionResult:
    return EmotionResult(
        backend=row.backend,
        model=row.model,
        fine=row.fine,
        coarse=row.coarse,
        chunks=row.chunks,
        cached=cached,
        fallback_reason=reason,
    )


def _cached_or_analysed(
    backend: EmotionBackend,
    texts: list[str],
    *,
    batch_size: int = 16,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, EmotionResult]:
    """Results by text hash: cached rows first, the rest analysed in batches and stored.

    Two queries whatever the number of texts: one lookup, one bulk insert.
    """
    hashes = {text_sha256(t): t for t in texts}
    found = EmotionAnalysis.objects.filter(
        backend=backend.name, model=backend.model, text_sha256__in=list(hashes)
    )
    results = {row.text_sha256: _result(row, cached=True) for row in found}
    missing = [h for h in hashes if h not in results]
    scores: list[EmotionScores] = []
    for start in range(0, len(missing), batch_size):
        scores.extend(backend.analyse([hashes[h] for h in missing[start : start + batch_size]]))
        if on_progress:
            on_progress(len(results) + len(scores))
    if missing:
        rows = [
            EmotionAnalysis(
                backend=backend.name,
                model=backend.model,
                text_sha256=h,
                fine=s.fine,
                coarse=s.coarse,
                top_label=top_label(s.fine),
                chunks=s.chunks,
            )
            for h, s in zip(missing, scores, strict=True)
        ]
        # Another worker may have stored the same text meanwhile: theirs is as good as ours.
        EmotionAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
        results.update({row.text_sha256: _result(row, cached=False) for row in rows})
    return results


def emotions_analyse(
    *,
    texts: Sequence[str],
    backend: EmotionBackend | None = None,
    batch_size: int = 16,
    on_progress: Callable[[int], None] | None = None,
) -> list[EmotionResult]:
    """Scores for each text (validated first), from the cache or the configured backend.

    When a remote backend fails, the local one answers and each result says so. The model
    reads ``batch_size`` texts at a time; ``on_progress`` gets how many distinct texts are done.
    """
    cleaned = [text_clean(t) for t in texts]
    primary = backend or backend_get()
    batching = {"batch_size": batch_size, "on_progress": on_progress}
    try:
        by_hash = _cached_or_analysed(primary, cleaned, **batching)
    except EmotionBackendUnavailable as exc:
        if primary.name == "local":
            raise
        reason = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "emotion backend %s failed, the local one answers (%s)", primary.name, reason
        )
        local = backend_get("local")
        by_hash = {
            h: EmotionResult(**{**r.__dict__, "fallback_reason": reason})
            for h, r in _cached_or_analysed(local, cleaned, **batching).items()
        }
    return [by_hash[text_sha256(t)] for t in cleaned]


def emotion_analyse(*, text: str, backend: EmotionBackend | None = None) -> EmotionResult:
    """One text's scores; see emotions_analyse."""
    return emotions_analyse(texts=[text], backend=backend)[0]


def emotion_rate_limit_hit(
    *, user_id: int | None, is_demo: bool = False, visitor: dict[str, str] | None = None
) -> bool:
    """Count one request; True when the user or the visitor is over the per-minute limit.

    The limit (settings.EMOTION_RATE_LIMIT) is counted per user and per visitor (their session,
    and their address with EMOTION_RATE_LIMIT_PER_ADDRESS): the demo user is shared by every
    demo visitor, so for it only the visitor's own counters apply. Fails open when the cache is
    down: the limit protects the CPU, and refusing every analysis during an outage would cost
    users more than it saves.
    """
    limits: dict[str, int] = {}
    if user_id is not None and not is_demo:
        limits[f"emotion:user:{user_id}"] = settings.EMOTION_RATE_LIMIT
    for kind, value in (visitor or {}).items():
        limit = (
            settings.EMOTION_RATE_LIMIT_PER_ADDRESS
            if kind == "address"
            else settings.EMOTION_RATE_LIMIT
        )
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no session key in Redis
        limits[f"emotion:{kind}:{digest}"] = limit
    hits = [rate_limit_hit(key=key, limit=limit) for key, limit in limits.items()]
    return any(hits)


def emotion_paste_analyse(*, text: str) -> EmotionResult:
    """Scores of a pasted text, computed now within settings.EMOTION_TIME_LIMIT seconds.

    The shared result cache is neither read nor written: what a visitor pastes must not reveal
    whether anyone's library holds that text (a title answered from the cache would), and
    pastes must not fill the table. The remote backend falls back to the local one, except
    when the time is up (EmotionTimeLimit).
    """
    cleaned = text_clean(text)
    deadline = time.monotonic() + settings.EMOTION_TIME_LIMIT
    primary = backend_get()
    reason = ""
    try:
        scores = primary.analyse([cleaned], deadline=deadline)[0]
    except EmotionTimeLimit:
        raise
    except EmotionBackendUnavailable as exc:
        if primary.name == "local":
            raise
        reason = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "emotion backend %s failed, the local one answers (%s)", primary.name, reason
        )
        primary = backend_get("local")
        scores = primary.analyse([cleaned], deadline=deadline)[0]
    return EmotionResult(
        backend=primary.name,
        model=primary.model,
        fine=scores.fine,
        coarse=scores.coarse,
        chunks=scores.chunks,
        fallback_reason=reason,
    )


def emotions_evaluate(*, backend: EmotionBackend, items=None):
    """Agreement of one backend (no fallback) with the evaluation set; results are cached."""
    from analytics.evaluation import eval_items_load, eval_report_compute

    items = items if items is not None else eval_items_load()
    by_hash = _cached_or_analysed(backend, [text_clean(i.text) for i in items])
    predicted = [by_hash[text_sha256(text_clean(i.text))].coarse for i in items]
    return eval_report_compute(items=items, predicted=predicted, backend=backend)
