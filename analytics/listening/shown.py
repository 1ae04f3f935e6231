"""The statistics as the pages show them: the chosen ranking, chart bars and heat-map cells."""

from __future__ import annotations

from datetime import date, datetime, timedelta

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
METRICS = {"plays": "Plays", "ms": "Minutes"}
BY_LABELS = {"day": "Day", "week": "Week", "month": "Month"}


def minutes(ms: int) -> int:
    return round(ms / 60000)


def default_by(days: int) -> str:
    return "day" if days <= 62 else "week" if days <= 400 else "month"


def _bucket_end(start: date, by: str) -> date:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


def series_shown(series: list[list], *, by: str, gaps: list[dict], zone) -> list[dict]:
    """Bars of minutes per bucket (height in percent of the largest); a bucket with no plays
    that lies in a gap is marked ``gap`` (no data, not silence)."""
    spans = [(datetime.fromisoformat(g["start"]), datetime.fromisoformat(g["end"])) for g in gaps]
    top = max((ms for _, _, ms in series), default=0) or 1
    bars = []
    for day, plays, ms in series:
        start = date.fromisoformat(day)
        lo = datetime.combine(start, datetime.min.time(), tzinfo=zone)
        hi = datetime.combine(_bucket_end(start, by), datetime.min.time(), tzinfo=zone)
        in_gap = not plays and any(a < hi and lo < b for a, b in spans)
        bars.append(
            {
                "day": start,
                "plays": plays,
                "minutes": minutes(ms),
                "height": round(100 * ms / top, 1),
                "gap": in_gap,
            }
        )
    return bars


def clock_shown(clock: list[list[int]]) -> list[dict]:
    """Rows of the listening clock (Mon..Sun) with each hour's minutes and intensity 0-1."""
    top = max((ms for row in clock for ms in row), default=0) or 1
    return [
        {
            "weekday": WEEKDAYS[i],
            "hours": [
                {"hour": h, "minutes": minutes(ms), "level": round(ms / top, 3)}
                for h, ms in enumerate(row)
            ],
        }
        for i, row in enumerate(clock)
    ]


def ranked_shown(items: list[dict], *, metric: str, limit: int = 20) -> list[dict]:
    top = max((i[metric] for i in items[:limit]), default=0) or 1
    return [
        {**item, "minutes": minutes(item["ms"]), "width": round(100 * item[metric] / top, 1)}
        for item in items[:limit]
    ]


def gaps_shown(gaps: list[dict], zone) -> list[dict]:
    shown = []
    for gap in gaps:
        start = datetime.fromisoformat(gap["start"]).astimezone(zone)
        end = datetime.fromisoformat(gap["end"]).astimezone(zone)
        shown.append(
            {
                "start": start,
                "end": end,
                "label": gap["label"],
                "days": round((end - start).total_seconds() / 86400, 1),
            }
        )
    return shown
