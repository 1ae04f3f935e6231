"""The figures of one `make bench` run, kept for build/bench.json and ``--compare``.

A benchmark calls ``record(section, name, value, unit, better)`` beside what it prints;
``bench/__main__.py`` writes every recorded figure to ``build/bench.json`` at the end and, given
``--compare OLD.json``, prints each figure's change against that earlier run.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS: dict[str, dict[str, dict]] = {}


def record(section: str, name: str, value: float, unit: str, better: str = "higher") -> None:
    """``better``: "higher" (req/s, ratios to a floor) or "lower" (latencies, queries)."""
    RESULTS.setdefault(section, {})[name] = {
        "value": round(float(value), 4),
        "unit": unit,
        "better": better,
    }


def write(path: Path, meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "figures": RESULTS}, indent=2, sort_keys=True))


def compare(old: dict, new: dict) -> list[str]:
    """One line per figure present in either run: old, new, change, and whether it improved."""
    lines = []
    old_f, new_f = old.get("figures", {}), new.get("figures", {})
    for section in sorted(set(old_f) | set(new_f)):
        lines.append(f"[{section}]")
        names = sorted(set(old_f.get(section, {})) | set(new_f.get(section, {})))
        for name in names:
            a, b = old_f.get(section, {}).get(name), new_f.get(section, {}).get(name)
            if a is None or b is None:
                shown = a or b
                where = "only in new" if a is None else "only in old"
                lines.append(f"  {name:<48} {shown['value']:>10g} {shown['unit']:<6} ({where})")
                continue
            change = (b["value"] - a["value"]) / a["value"] * 100 if a["value"] else float("nan")
            better = b.get("better", "higher")
            if abs(change) < 3:
                verdict = "same"
            else:
                verdict = "better" if (change > 0) == (better == "higher") else "WORSE"
            lines.append(
                f"  {name:<48} {a['value']:>10g} -> {b['value']:>10g} {b['unit']:<6} "
                f"{change:+7.1f}%  {verdict}"
            )
    return lines
