"""Business days, and dates in words a candidate reads at a glance.

All business-day arithmetic lives here: the company's working-day calendar (the
country's weekend and its make-up working days, public holidays, the company's own
holidays), counting and adding business days, and ``Workdays`` for counting many pairs
at once.
"""

from collections.abc import Callable
from datetime import date
from datetime import MAXYEAR
from datetime import MINYEAR
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
    """The working-day calendar of ``country`` (``GB``, ``GB-ENG``, ``IL``), plus extra
    holidays. No country, or one the library does not know (the settings refuse it at
    startup): no public holidays and a Saturday-Sunday weekend."""
    code, _, subdiv = country.partition("-")
    try:
        days = holidays.country_holidays(code, subdiv=subdiv or None) if code else None
    except NotImplementedError:
        days = None
    days = days if days is not None else holidays.HolidayBase()
    for iso in extra:
        days[date.fromisoformat(iso)] = "Company holiday"
    return days


@lru_cache(maxsize=64)
def _days_off(country: str, extra: tuple[str, ...], year: int) -> frozenset[date]:
    """Every day of ``year`` that is not a business day, computed once: the library's
    calendar answers a day at a time, too slowly for loops over months of days."""
    calendar = _holidays(country, extra)
    for neighbour in (year - 1, year + 1):
        # A year's make-up working days are listed when the holiday they make up for is
        # laid out, which may be in the year before or after.
        if MINYEAR <= neighbour <= MAXYEAR:
            calendar.get(date(neighbour, 1, 1))  # a lookup lays that year out
    company = {date.fromisoformat(iso) for iso in extra}
    first = date(year, 1, 1)
    every_day = (first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1))
    # A company holiday wins over a make-up working day, which the library would work.
    return frozenset(day for day in every_day if day in company or not calendar.is_working_day(day))


def _calendar() -> tuple[str, tuple[str, ...]]:
    """The settings that make the calendar: the holiday country and the extra holidays."""
    config = current_app.config
    return config["HOLIDAY_COUNTRY"], tuple(config["EXTRA_HOLIDAYS"])


def company_holidays() -> holidays.HolidayBase:
    """The holiday calendar from the settings."""
    return _holidays(*_calendar())


def _business_day_test() -> Callable[[date], bool]:
    """``is_business_day`` with the settings read once, for loops over many days."""
    country, extra = _calendar()

    def is_open(day: date) -> bool:
        return day not in _days_off(country, extra, day.year)

    return is_open


def is_business_day(day: date) -> bool:
    """A working day of the company's calendar: not in the country's weekend (unless a
    make-up working day), not a public or company holiday."""
    return _business_day_test()(day)


def add_business_days(start: date, days: int) -> date:
    """The business day ``days`` business days after ``start`` (before it when negative;
    ``start`` itself for 0)."""
    is_open = _business_day_test()
    day, step = start, timedelta(days=1 if days > 0 else -1)
    for _ in range(abs(days)):
        day += step
        while not is_open(day):
            day += step
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative if before."""
    if end < start:
        return -business_days_between(end, start)
    is_open = _business_day_test()
    return sum(1 for n in range(1, (end - start).days + 1) if is_open(start + timedelta(days=n)))


def business_days_before(day: date, days: int) -> date:
    """The latest date that is at least ``days`` business days before ``day``."""
    is_open = _business_day_test()
    while days > 0:
        days -= is_open(day)
        day -= timedelta(days=1)
    return day


class Workdays:
    """Business days counted by table lookup: one pass over a range, then O(1) per pair.

    ``between`` agrees with ``business_days_between``; counting day by day for each
    pair would cost a calendar lookup per day, too slow for the metrics over thousands
    of pairs.
    """

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.counts, n = [], 0
        is_open = _business_day_test()
        for offset in range((end - start).days + 1):
            n += is_open(start + timedelta(days=offset))
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
