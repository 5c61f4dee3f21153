"""Business days, and dates in words a candidate reads at a glance."""

from datetime import date
from datetime import timedelta
from functools import lru_cache

import holidays
from flask import current_app

from portal.clock import today


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
    """The date ``days`` business days after ``start`` (``start`` itself for 0)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative if before."""
    if end < start:
        return -business_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=n))
    )


def in_words(day: date | None) -> str:
    """'Friday 4 December', with the year only when it is not this year's."""
    if day is None:
        return ""
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today().year else f"{text} {day.year}"
