"""Plutchik intensities from nade's packaged models, without nade's own loader.

nade (MIT) ships a fastText emoji classifier and one LightGBM regressor per Plutchik emotion.
Its API unpacks the regressors into site-packages on first use and runs through pyarrow; here
the fastText file is loaded directly and the LightGBM text models are evaluated with numpy
(identical scores; no lightgbm/scipy import, about 30 MB less memory).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

import numpy as np

from .minilm import package_dir

MODEL_DIR = "data/socialmedia_en"
# The regressors the backend uses (nade also ships anticipation and trust).
EMOTIONS: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "sadness", "surprise")


def nade_preprocess(text: str) -> str:
    """nade's normalisation: space around punctuation runs, squeeze spaces, lower-case, trim."""
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if unicodedata.category(ch).startswith("P"):
            run.append(ch)
            continue
        if run:
            while out and out[-1].isspace():
                out.pop()
            out.append(" " + "".join(run) + " ")
            run = []
            if ch.isspace():
                continue
        out.append(ch)
    if run:
        while out and out[-1].isspace():
            out.pop()
        out.append(" " + "".join(run) + " ")
    return re.sub(r"\s+", " ", "".join(out)).lower().strip()


class Forest:
    """A LightGBM regression model (numerical splits only) evaluated with numpy."""

    def __init__(self, model_text: str) -> None:
        feats, thresholds, lefts, rights, leaves = [], [], [], [], []
        for block in model_text.split("\nTree=")[1:]:
            fields = dict(line.split("=", 1) for line in block.split("\n")[1:] if "=" in line)
            leaf = [float(x) for x in fields["leaf_value"].split()]
            if int(fields["num_leaves"]) == 1:
                (
                    feats.append([0]),
                    thresholds.append([np.inf]),
                    lefts.append([-1]),
                    rights.append([-1]),
                )
                leaves.append(leaf)
                continue
            kinds = np.array(fields["decision_type"].split(), dtype=np.int64)
            # bit 0: categorical; bits 2-3: missing-value handling. Neither is used by nade.
            if int(fields.get("num_cat", "0")) or np.any(kinds & 1) or np.any((kinds >> 2) & 3):
                raise ValueError("only numerical splits without missing values are supported")
            feats.append([int(x) for x in fields["split_feature"].split()])
            thresholds.append([float(x) for x in fields["threshold"].split()])
            lefts.append([int(x) for x in fields["left_child"].split()])
            rights.append([int(x) for x in fields["right_child"].split()])
            leaves.append(leaf)
        n_trees = len(feats)
        width = max(len(f) for f in feats)
        self.feature = np.zeros((n_trees, width), np.int64)
        self.threshold = np.full((n_trees, width), np.inf)
        self.left = np.full((n_trees, width), -1, np.int64)
        self.right = np.full((n_trees, width), -1, np.int64)
        self.leaf = np.zeros((n_trees, max(len(v) for v in leaves)))
        for t in range(n_trees):
            k = len(feats[t])
            self.feature[t, :k] = feats[t]
            self.threshold[t, :k] = thresholds[t]
            self.left[t, :k] = lefts[t]
            self.right[t, :k] = rights[t]
            self.leaf[t, : len(leaves[t])] = leaves[t]
        self.trees = np.arange(n_trees)
        self.depth = width

    @classmethod
    def from_gzip(cls, path: Path) -> Forest:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return cls(fh.read())

    def predict(self, x: np.ndarray) -> np.ndarray:
        # Walk every tree at once; negative node ids are leaves (~id), as in LightGBM.
        node = np.zeros((x.shape[0], len(self.trees)), np.int64)
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            inner = node >= 0
            if not inner.any():
                break
            at = np.where(inner, node, 0)
            go_left = x[rows, self.feature[self.trees, at]] <= self.threshold[self.trees, at]
            step = np.where(go_left, self.left[self.trees, at], self.right[self.trees, at])
            node = np.where(inner, step, node)
        return self.leaf[self.trees, ~node].sum(axis=1)


class PlutchikModel:
    def __init__(self) -> None:
        import fasttext

        fasttext.FastText.eprint = lambda *args: None  # silence its load-time warning
        base = package_dir("nade") / MODEL_DIR
        self.fasttext = fasttext.load_model(str(base / "nade_250k_hp.ftz"))
        # nade orders the emoji probabilities by the labels' integer ids.
        ids = sorted(int(label.removeprefix("__label__")) for label in self.fasttext.get_labels())
        self.column = {f"__label__{v}": i for i, v in enumerate(ids)}
        self.forests = {e: Forest.from_gzip(base / f"reg_{e}.txt.gz") for e in EMOTIONS}

    def predict(self, texts: list[str]) -> np.ndarray:
        """Intensities in 0..1, one row per text, columns in EMOTIONS order."""
        if not texts:
            return np.zeros((0, len(EMOTIONS)))
        cleaned = [nade_preprocess(t).replace("\n", " ") for t in texts]
        labels, probs = self.fasttext.predict(cleaned, k=len(self.column))
        features = np.zeros((len(texts), len(self.column)))
        for r, (row_labels, row_probs) in enumerate(zip(labels, probs, strict=True)):
            for label, p in zip(row_labels, row_probs, strict=True):
                features[r, self.column[label]] = p
        return np.stack(
            [np.clip(self.forests[e].predict(features), 0, 1) for e in EMOTIONS], axis=1
        )
