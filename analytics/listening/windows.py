"""A period's instants as the plays' summaries cut time: whole UTC months (``month_window``) and
quarter hours with the zone's offset in each stretch between DST changes (``zone_segments``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

QUARTER = 900  # seconds


@dataclass(frozen=True)
class MonthWindow:
    """[start, end) as the whole UTC months inside it ([first_month, end_month), dates) and the
    edges outside them, read from the plays themselves (two [from, to) windows, maybe empty)."""

    first_month: date
    end_month: date
    edges: tuple[datetime, datetime, datetime, datetime]


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    return (moment + timedelta(days=32)).replace(day=1)


def month_window(start: datetime, end: datetime) -> MonthWindow:
    first = _month_start(start)
    if first < start:
        first = _next_month(first)
    last = _month_start(end)  # the end of the last whole month
    if first >= last:  # no whole month inside: every play of the period is an edge
        return MonthWindow(first.date(), first.date(), (start, end, end, end))
    return MonthWindow(first.date(), last.date(), (start, first, last, end))


def _offset(moment: int, zone: ZoneInfo) -> int:
    return int(datetime.fromtimestamp(moment, zone).utcoffset().total_seconds())


def zone_segments(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[int, int]] | None:
    """The zone's offsets over [start, end): (first quarter of the stretch, offset in quarters)
    per stretch of one offset, in order. None when the period's edges, a change or an offset is
    not a whole number of quarter hours (old local mean times): then the summaries cannot
    answer in this zone."""
    first, last = int(start.timestamp()), int(end.timestamp())
    if first % QUARTER or last % QUARTER:
        return None
    segments = []
    moment, offset = first, _offset(first, zone)
    segments.append((moment, offset))
    day = 86400
    while moment < last:
        step = min(day, last - moment)
        following = _offset(moment + step, zone)
        if following != offset:
            lo, hi = moment, moment + step  # the offset changes in (lo, hi]: find the second
            while hi - lo > 1:
                middle = (lo + hi) // 2
                if _offset(middle, zone) == offset:
                    lo = middle
                else:
                    hi = middle
            if hi < last:
                segments.append((hi, following))
            offset = following
        moment += step
    if any(at % QUARTER or off % QUARTER for at, off in segments):
        return None
    return [(at // QUARTER, off // QUARTER) for at, off in segments]
