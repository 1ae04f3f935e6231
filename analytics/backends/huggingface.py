"""The remote backend: Hugging Face Inference (hf-inference provider, through the router).

Default model SamLowe/roberta-base-go_emotions (28 labels, multi-label); a 7-label model such
as j-hartmann/emotion-english-distilroberta-base works too (its labels are spread onto the 28).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from django.conf import settings

from personalify.http import http_session

from ..labels import COARSE_LABELS, FINE_LABELS, coarse_from_fine, fine_from_coarse
from .base import (
    EmotionBackend,
    EmotionBackendUnavailable,
    EmotionScores,
    deadline_check,
    split_chunks,
)

# RoBERTa reads 512 tokens; 1,200 characters of lyrics stay well inside that.
CHUNK_CHARS = 1200


class HuggingFaceError(EmotionBackendUnavailable):
    """The inference API did not give a usable answer."""


class HuggingFaceAuthError(HuggingFaceError):
    """401/403: the token is missing, invalid or lacks the Inference Providers permission."""


class HuggingFaceModelNotFound(HuggingFaceError):
    """404: the model is not deployed on hf-inference."""


class HuggingFaceRateLimited(HuggingFaceError):
    """429 (or 402 when credits run out): try again later."""

    def __init__(self, message: str, retry_after: float | None = None):
        self.retry_after = retry_after
        super().__init__(message)


class HuggingFaceModelLoading(HuggingFaceError):
    """503 with estimated_time for longer than we are willing to wait."""

    def __init__(self, message: str, estimated_time: float):
        self.estimated_time = estimated_time
        super().__init__(message)


class HuggingFaceUnavailable(HuggingFaceError):
    """Timeout, connection failure, 5xx or an answer that is not a label ranking."""


@dataclass(frozen=True)
class LabelScore:
    label: str
    score: float


def _error_text(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:200]
    return str(error or data)[:200]


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


def normalize_ranking(data: object) -> list[LabelScore]:
    """Both answer shapes: ``[[{label, score}, ...]]`` (one ranking per input) and a flat list."""
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]
    if not isinstance(data, list) or not data:
        raise HuggingFaceUnavailable(f"Unexpected answer from the inference API: {str(data)[:200]}")
    try:
        ranking = [LabelScore(str(d["label"]), float(d["score"])) for d in data]
    except (TypeError, KeyError, ValueError) as exc:
        raise HuggingFaceUnavailable(f"Unexpected answer from the inference API: {exc}") from exc
    return sorted(ranking, key=lambda s: s.score, reverse=True)


class HuggingFaceClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        max_wait: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = (base_url or settings.HF_INFERENCE_URL).rstrip("/")
        self.token = settings.HUGGING_FACE_API_KEY if token is None else token
        self.max_wait = settings.HF_LOADING_MAX_WAIT if max_wait is None else max_wait
        self.sleep = sleep
        self.timeout = timeout or settings.HTTP_TIMEOUT
        self.session = http_session(timeout=self.timeout, connect_retries=1)

    # Reference: https://huggingface.co/docs/inference-providers/tasks/text-classification
    def classify(self, model: str, text: str, *, top_k: int = len(FINE_LABELS)) -> list[LabelScore]:
        """Labels and scores for one text, best first. Waits (bounded) while the model loads."""
        return normalize_ranking(self._infer(model, text, top_k=top_k))

    # Reference: https://huggingface.co/docs/inference-providers/tasks/text-classification
    def classify_batch(
        self,
        model: str,
        texts: list[str],
        *,
        top_k: int = len(FINE_LABELS),
        deadline: float | None = None,
    ) -> list[list[LabelScore]]:
        """One request for several texts ("inputs" as a list): one ranking per text, in order."""
        data = self._infer(model, texts, top_k=top_k, deadline=deadline)
        if len(texts) == 1:
            return [normalize_ranking(data)]
        if not isinstance(data, list) or len(data) != len(texts):
            raise HuggingFaceUnavailable(
                f"Expected {len(texts)} rankings from the inference API: {str(data)[:200]}"
            )
        return [normalize_ranking(item) for item in data]

    def _infer(
        self, model: str, inputs: str | list[str], *, top_k: int, deadline: float | None = None
    ) -> object:
        if not self.token:
            raise HuggingFaceAuthError("HUGGING_FACE_API_KEY is not set.")
        waited = 0.0
        while True:
            deadline_check(deadline)
            timeout = None
            if deadline is not None:
                timeout = max(0.1, min(self.timeout, deadline - time.monotonic()))
            try:
                response = self.session.post(
                    f"{self.base_url}/{model}",
                    json={"inputs": inputs, "parameters": {"top_k": top_k}},
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                raise HuggingFaceUnavailable(f"The inference API did not answer: {exc}") from exc
            data = None
            if response.headers.get("Content-Type", "").startswith("application/json"):
                try:
                    data = response.json()
                except ValueError:
                    data = None
            loading = isinstance(data, dict) and "estimated_time" in data
            if response.status_code == 503 or (response.ok and loading):
                estimated = float(data.get("estimated_time", 10.0)) if loading else 10.0
                too_late = deadline is not None and time.monotonic() + estimated > deadline
                if waited + estimated > self.max_wait or too_late:
                    raise HuggingFaceModelLoading(
                        f"Model {model} is loading (about {estimated:.0f} s).", estimated
                    )
                self.sleep(estimated)
                waited += estimated
                continue
            if response.status_code in (401, 403):
                raise HuggingFaceAuthError(_error_text(response))
            if response.status_code == 404:
                raise HuggingFaceModelNotFound(
                    f"Model {model} is not available: {_error_text(response)}"
                )
            if response.status_code in (402, 429):
                raise HuggingFaceRateLimited(_error_text(response), _retry_after(response))
            if not response.ok:
                raise HuggingFaceUnavailable(
                    f"HTTP {response.status_code}: {_error_text(response)}"
                )
            if isinstance(data, dict) and "error" in data:
                raise HuggingFaceUnavailable(str(data["error"])[:200])
            return data


def scores_from_ranking(ranking: list[LabelScore]) -> EmotionScores:
    """One result schema for both models: 28 fine labels and 7 coarse labels."""
    by_label = {s.label.lower(): s.score for s in ranking}
    if set(by_label) & (set(FINE_LABELS) - set(COARSE_LABELS)):
        fine = {label: by_label.get(label, 0.0) for label in FINE_LABELS}
        return EmotionScores(fine=fine, coarse=coarse_from_fine(fine))
    coarse = {label: by_label.get(label, 0.0) for label in COARSE_LABELS}
    total = sum(coarse.values()) or 1.0
    coarse = {k: v / total for k, v in coarse.items()}
    return EmotionScores(fine=fine_from_coarse(coarse), coarse=coarse)


class HuggingFaceBackend(EmotionBackend):
    name = "huggingface"

    def __init__(self, client: HuggingFaceClient | None = None, model: str | None = None):
        self.client = client or HuggingFaceClient()
        self._model = model or settings.EMOTION_MODEL

    @property
    def model(self) -> str:
        return self._model

    def analyse(self, texts: list[str], *, deadline: float | None = None) -> list[EmotionScores]:
        """One request per text, all its chunks in it: a text costs one call, not one per stanza."""
        results = []
        for text in texts:
            chunks = split_chunks(text, CHUNK_CHARS)
            rankings = self.client.classify_batch(self._model, chunks, deadline=deadline)
            parts = [scores_from_ranking(ranking) for ranking in rankings]
            n = len(parts)
            results.append(
                EmotionScores(
                    fine={k: sum(p.fine[k] for p in parts) / n for k in FINE_LABELS},
                    coarse={k: sum(p.coarse[k] for p in parts) / n for k in COARSE_LABELS},
                    chunks=n,
                )
            )
        return results
