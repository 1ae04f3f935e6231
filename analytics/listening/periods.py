"""The periods of the listening statistics, resolved in the user's time zone.

A period is [start, end) between two local midnights (aware datetimes in the user's zone), so
"today", "this year" or a custom range mean what the user's calendar says, across DST changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIODS = {
    "today": "Today",
    "7d": "7 days",
    "4w": "4 weeks",
    "6m": "6 months",
    "year": "This year",
    "last-year": "Last year",
    "all": "All time",
    "custom": "Custom dates",
}
DEFAULT_PERIOD = "4w"
MAX_CUSTOM_DAYS = 366 * 30


class PeriodInvalid(ValueError):
    """A period the page cannot show (unknown key, bad dates): the message says why."""


@dataclass(frozen=True)
class Period:
    key: str
    first_day: date  # inclusive, local
    last_day: date  # inclusive, local
    zone: ZoneInfo

    @property
    def label(self) -> str:
        if self.key == "custom":
            return f"{self.first_day:%-d %b %Y} – {self.last_day:%-d %b %Y}"
        return PERIODS[self.key]

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day, self.zone)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def cache_part(self) -> str:
        return f"{self.zone.key}:{self.first_day.isoformat()}:{self.last_day.isoformat()}"


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (a zone whose midnight is skipped by a DST
    change starts the day at the first local time that exists)."""
    moment = datetime.combine(day, time(0), tzinfo=zone)
    # Round-trip through UTC: a non-existent local time moves forward to one that exists.
    return moment.astimezone(ZoneInfo("UTC")).astimezone(zone)


def _months_back(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day_of_month in range(day.day, 0, -1):
        try:
            return date(year, month, day_of_month)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_resolve(
    *,
    key: str,
    zone: ZoneInfo,
    now: datetime,
    first_play: datetime | None = None,
    start: str = "",
    end: str = "",
) -> Period:
    """The period named ``key`` as of ``now`` in ``zone``. ``all`` starts at the first play
    (today when there is none); ``custom`` takes ISO dates ``start`` and ``end`` (inclusive)."""
    today = now.astimezone(zone).date()
    if key == "today":
        return Period(key, today, today, zone)
    if key == "7d":
        return Period(key, today - timedelta(days=6), today, zone)
    if key == "4w":
        return Period(key, today - timedelta(days=27), today, zone)
    if key == "6m":
        return Period(key, _months_back(today, 6) + timedelta(days=1), today, zone)
    if key == "year":
        return Period(key, date(today.year, 1, 1), date(today.year, 12, 31), zone)
    if key == "last-year":
        return Period(key, date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), zone)
    if key == "all":
        first = first_play.astimezone(zone).date() if first_play else today
        return Period(key, min(first, today), today, zone)
    if key == "custom":
        try:
            first_day, last_day = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise PeriodInvalid("Give both dates of a custom period (YYYY-MM-DD).") from exc
        if first_day > last_day:
            raise PeriodInvalid("The custom period ends before it starts.")
        if (last_day - first_day).days > MAX_CUSTOM_DAYS:
            raise PeriodInvalid("A custom period can span at most 30 years.")
        return Period(key, first_day, last_day, zone)
    raise PeriodInvalid(f"Unknown period: {key!r}.")
