"""The offline backend: zero-shot GoEmotions scores from packaged models, no hub, no torch.

Three signals, all shipped inside PyPI packages with permissive licences:
- all-MiniLM-L6-v2 (int8 ONNX) embeddings compared with prototype phrases per label
  (analytics/backends/prototypes.py) -> a distribution over the 28 labels;
- nade's Plutchik intensities (fastText + LightGBM, see plutchik.py) -> 6 coarse emotions;
- VADER valence, used as a gate: a clearly negative text is not joy, a clearly positive one is
  not anger, disgust, fear or sadness.
The coarse scores are 0.65 embeddings + 0.35 nade (grouped with the Ekman mapping, then gated);
each fine label keeps its share of its group from the embeddings. Weights were chosen on the
dev half of analytics/data/eval_set.json (see `python manage.py evaluate_emotions`).

The model loads lazily, once per process (about 0.7 s, about 220 MB).
"""

from __future__ import annotations

import os
import threading

import numpy as np

from ..labels import COARSE_LABELS, EKMAN_GROUPS, FINE_LABELS
from .base import EmotionBackend, EmotionScores, deadline_check, split_chunks
from .prototypes import PROTOTYPES

# Bump when prototypes, weights or packages change: cached results are keyed by it.
LOCAL_MODEL_ID = "local/minilm-int8+nade+vader@1"

CHUNK_TOKENS = 128  # lines are packed into chunks of about this many tokens
TOP_PROTOTYPES = 3  # a label's similarity: mean of its 3 closest prototype phrases
TEMPERATURE = 0.03  # softmax temperature over the 28 label similarities
NADE_WEIGHT = 0.35
VALENCE_GATE = 0.8
NADE_COARSE = ("anger", "disgust", "fear", "joy", "sadness", "surprise")  # plutchik.EMOTIONS

_FINE_INDEX = {label: i for i, label in enumerate(FINE_LABELS)}
_COARSE_INDEX = {label: i for i, label in enumerate(COARSE_LABELS)}
# 28 x 7 membership matrix of the Ekman mapping.
_GROUPS = np.zeros((len(FINE_LABELS), len(COARSE_LABELS)))
for _coarse, _fines in EKMAN_GROUPS.items():
    for _fine in _fines:
        _GROUPS[_FINE_INDEX[_fine], _COARSE_INDEX[_coarse]] = 1.0


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _multilabel(p: np.ndarray) -> np.ndarray:
    """Map a 28-way distribution to independent-looking 0..1 scores (monotone).

    Uniform (1/28) -> 0.05; a label holding half the mass -> 0.8. Like a sigmoid classifier's
    output, so a threshold of about 0.5 means "clearly present" for both backends.
    """
    return 1.0 / (1.0 + np.exp(-(1.64 * np.log(np.clip(p * len(FINE_LABELS), 1e-9, None)) - 2.94)))


class LocalEmotionModel:
    def __init__(self) -> None:
        # Nothing on the offline path may reach the hub, even by accident of a library.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        from .minilm import MiniLMEmbedder
        from .plutchik import PlutchikModel

        self.embedder = MiniLMEmbedder()
        self.plutchik = PlutchikModel()
        self.vader = SentimentIntensityAnalyzer()
        phrases = [(label, p) for label in FINE_LABELS for p in PROTOTYPES[label]]
        self.prototype_label = np.array([_FINE_INDEX[label] for label, _ in phrases])
        self.prototypes = self.embedder.embed([p for _, p in phrases])

    def _chunk_scores(
        self, chunks: list[str], deadline: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        sims = self.embedder.embed(chunks, check=lambda: deadline_check(deadline))
        sims = sims @ self.prototypes.T
        label_sims = np.zeros((len(chunks), len(FINE_LABELS)))
        for i in range(len(FINE_LABELS)):
            own = np.sort(sims[:, self.prototype_label == i], axis=1)[:, ::-1]
            label_sims[:, i] = own[:, :TOP_PROTOTYPES].mean(axis=1)
        p = _softmax(label_sims / TEMPERATURE)
        # Group by the best member, not the sum: joy has 12 members, disgust one.
        from_emb = np.stack([(p * _GROUPS[:, j]).max(axis=1) for j in range(len(COARSE_LABELS))], 1)
        from_emb /= from_emb.sum(axis=1, keepdims=True)

        deadline_check(deadline)
        intensities = self.plutchik.predict(chunks)
        from_nade = np.zeros_like(from_emb)
        for k, label in enumerate(NADE_COARSE):
            from_nade[:, _COARSE_INDEX[label]] = intensities[:, k]
        from_nade[:, _COARSE_INDEX["neutral"]] = 0.5 * np.clip(1 - intensities.max(axis=1), 0, 1)
        from_nade = (from_nade + 1e-6) / (from_nade + 1e-6).sum(axis=1, keepdims=True)

        coarse = (1 - NADE_WEIGHT) * from_emb + NADE_WEIGHT * from_nade
        compound = np.array([self.vader.polarity_scores(c)["compound"] for c in chunks])
        coarse[:, _COARSE_INDEX["joy"]] *= 1 - VALENCE_GATE * np.clip(-compound, 0, 1)
        for label in ("anger", "disgust", "fear", "sadness"):
            coarse[:, _COARSE_INDEX[label]] *= 1 - VALENCE_GATE * np.clip(compound, 0, 1)
        coarse /= coarse.sum(axis=1, keepdims=True)

        # Fine: each label's share of its group (embeddings) times the group's combined mass.
        group_mass = (p @ _GROUPS) @ _GROUPS.T
        fine = p / np.clip(group_mass, 1e-12, None) * (coarse @ _GROUPS.T)
        return fine, coarse

    def predict(self, texts: list[str], deadline: float | None = None) -> list[EmotionScores]:
        deadline_check(deadline)
        chunks: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            parts = split_chunks(text, CHUNK_TOKENS, self.embedder.count_tokens)
            chunks.extend(parts)
            owner.extend([i] * len(parts))
        if not chunks:
            return []
        fine, coarse = self._chunk_scores(chunks, deadline)
        owners = np.array(owner)
        results = []
        for i in range(len(texts)):
            rows = owners == i
            f = _multilabel(fine[rows].mean(axis=0))
            c = coarse[rows].mean(axis=0)
            results.append(
                EmotionScores(
                    fine={
                        label: round(float(v), 4) for label, v in zip(FINE_LABELS, f, strict=True)
                    },
                    coarse={
                        label: round(float(v), 4) for label, v in zip(COARSE_LABELS, c, strict=True)
                    },
                    chunks=int(rows.sum()),
                )
            )
        return results


_model: LocalEmotionModel | None = None
_model_lock = threading.Lock()


def local_model() -> LocalEmotionModel:
    """The process's model, loaded on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = LocalEmotionModel()
    return _model


def local_model_loaded() -> bool:
    return _model is not None


class LocalBackend(EmotionBackend):
    name = "local"

    @property
    def model(self) -> str:
        return LOCAL_MODEL_ID

    def analyse(self, texts: list[str], *, deadline: float | None = None) -> list[EmotionScores]:
        return local_model().predict(texts, deadline)
