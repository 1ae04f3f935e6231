"""Agreement of a backend with the hand-labelled evaluation set (analytics/data/eval_set.json).

The set: song titles and lyric lines written for this project, each with the expected coarse
emotion. Splits: ``dev`` (the local backend's weights were chosen on it), ``heldout`` (looked at
once, after tuning) and ``fresh`` (written after that look, never tuned on). Report the
unseen splits when quoting a figure.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .backends import EmotionBackend
from .labels import COARSE_LABELS

EVAL_SET_PATH = Path(__file__).parent / "data" / "eval_set.json"


@dataclass(frozen=True)
class EvalItem:
    text: str
    kind: str  # title | line
    expected: str
    split: str  # dev | heldout | fresh


@dataclass
class EvalReport:
    backend: str
    model: str
    total: int = 0
    correct: int = 0
    by_group: dict[str, list[int]] = field(default_factory=dict)  # name -> [correct, total]
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def agreement(self) -> float:
        return self.correct / self.total if self.total else 0.0


def eval_items_load(path: Path = EVAL_SET_PATH) -> list[EvalItem]:
    items = [EvalItem(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
    bad = [i.text for i in items if i.expected not in COARSE_LABELS]
    if bad:
        raise ValueError(f"Unknown expected labels for: {bad}")
    return items


def eval_report_compute(
    *, items: list[EvalItem], predicted: list[dict[str, float]], backend: EmotionBackend
) -> EvalReport:
    report = EvalReport(backend=backend.name, model=backend.model)
    groups: dict[str, Counter] = {}
    for item, coarse in zip(items, predicted, strict=True):
        got = max(coarse, key=lambda k: coarse[k])
        ok = got == item.expected
        report.total += 1
        report.correct += ok
        for name in (f"split:{item.split}", f"kind:{item.kind}", f"label:{item.expected}"):
            groups.setdefault(name, Counter())["correct"] += ok
            groups[name]["total"] += 1
        if item.split != "dev":
            # Unseen items overall and per kind: the mood reads lyric lines now, not just titles.
            for name in ("unseen (heldout+fresh)", f"kind:{item.kind} unseen"):
                groups.setdefault(name, Counter())["correct"] += ok
                groups[name]["total"] += 1
        if not ok:
            report.misses.append((item.text, item.expected, got))
    report.by_group = {k: [v["correct"], v["total"]] for k, v in sorted(groups.items())}
    return report
