"""Business days, and dates in words a candidate reads at a glance.

All business-day arithmetic lives here: the company's holiday calendar, counting and
adding business days, and ``Workdays`` for counting many pairs at once.
"""

from datetime import date
from datetime import timedelta
from functools import lru_cache

import holidays
from flask import current_app

from portal.clock import today

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@lru_cache(maxsize=16)
def _holidays(country: str, extra: tuple[str, ...]) -> holidays.HolidayBase:
    """The public holidays of ``country`` (``GB`` or ``GB-ENG``), plus extra dates."""
    code, _, subdiv = country.partition("-")
    days = (
        holidays.country_holidays(code, subdiv=subdiv or None) if code else holidays.HolidayBase()
    )
    for iso in extra:
        days[date.fromisoformat(iso)] = "Company holiday"
    return days


def company_holidays() -> holidays.HolidayBase:
    """The holiday calendar from the settings."""
    config = current_app.config
    return _holidays(config["HOLIDAY_COUNTRY"], tuple(config["EXTRA_HOLIDAYS"]))


def is_business_day(day: date) -> bool:
    """A weekday that is not a holiday."""
    return day.weekday() < 5 and day not in company_holidays()


def add_business_days(start: date, days: int) -> date:
    """The business day ``days`` business days after ``start`` (before it when negative;
    ``start`` itself for 0)."""
    day, step = start, 1 if days > 0 else -1
    for _ in range(abs(days)):
        day += timedelta(days=step)
        while not is_business_day(day):
            day += timedelta(days=step)
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative if before."""
    if end < start:
        return -business_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n))
    )


def business_days_before(day: date, days: int) -> date:
    """The latest date that is at least ``days`` business days before ``day``."""
    while days > 0:
        days -= is_business_day(day)
        day -= timedelta(days=1)
    return day


class Workdays:
    """Business days counted by table lookup: one pass over a range, then O(1) per pair.

    ``between`` agrees with ``business_days_between``; counting day by day costs a
    holiday lookup per day, too slow for the metrics over thousands of pairs.
    """

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.counts, n = [], 0
        for offset in range((end - start).days + 1):
            n += is_business_day(start + timedelta(days=offset))
            self.counts.append(n)

    def _count(self, day: date) -> int:
        return self.counts[(day - self.start).days]

    def between(self, start: date, end: date) -> int:
        """Business days after ``start`` up to and including ``end``."""
        if self.start <= min(start, end) and max(start, end) <= self.end:
            return self._count(end) - self._count(start)
        return business_days_between(start, end)


def in_words(day: date | None, this_year: int | None = None) -> str:
    """'Friday 4 December', with the year only when it is not ``this_year`` (by default
    the company's current year). Spelled from tables, whatever the process's locale."""
    if day is None:
        return ""
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month]}"
    return text if day.year == (this_year or today().year) else f"{text} {day.year}"
