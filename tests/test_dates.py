"""Business days across weekends, holidays and time zones."""

from datetime import date

import pytest
import time_machine

from portal import clock
from portal import dates


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 26), 0, date(2026, 11, 26)),  # Thursday, nothing to add
        (date(2026, 11, 26), 1, date(2026, 11, 27)),  # Friday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # over the weekend
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # Christmas and Boxing Day (observed)
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, then a weekend
    ],
)
def test_add_business_days_skips_weekends_and_holidays(app, start, days, expected):
    assert dates.add_business_days(start, days) == expected


def test_extra_company_holidays_are_skipped(app):
    app.config["EXTRA_HOLIDAYS"] = ["2026-11-27"]
    assert dates.add_business_days(date(2026, 11, 26), 1) == date(2026, 11, 30)


def test_no_country_means_weekends_only(app):
    app.config["HOLIDAY_COUNTRY"] = ""
    assert dates.add_business_days(date(2026, 12, 24), 1) == date(2026, 12, 25)


def test_the_weekend_is_the_countrys(app):
    """Israel rests on Friday and Saturday and works on Sunday."""
    app.config["HOLIDAY_COUNTRY"] = "IL"
    assert not dates.is_business_day(date(2026, 11, 27))  # Friday
    assert not dates.is_business_day(date(2026, 11, 28))  # Saturday
    assert dates.is_business_day(date(2026, 11, 29))  # Sunday
    assert dates.add_business_days(date(2026, 11, 26), 1) == date(2026, 11, 29)
    assert dates.business_days_between(date(2026, 11, 26), date(2026, 11, 30)) == 2
    assert dates.business_days_before(date(2026, 11, 30), 2) == date(2026, 11, 28)  # Mon, Sun


def test_a_make_up_working_saturday_is_a_business_day(app):
    """China works Saturday 28 February 2026 to make up for the Spring Festival days off."""
    app.config["HOLIDAY_COUNTRY"] = "CN"
    assert dates.is_business_day(date(2026, 2, 28))
    assert not dates.is_business_day(date(2026, 2, 23))  # the Monday it was swapped for
    assert dates.add_business_days(date(2026, 2, 27), 1) == date(2026, 2, 28)
    assert dates.add_business_days(date(2026, 2, 28), 1) == date(2026, 3, 2)


def test_a_company_holiday_wins_over_a_make_up_working_day(app):
    app.config.update(HOLIDAY_COUNTRY="CN", EXTRA_HOLIDAYS=["2026-02-28"])
    assert not dates.is_business_day(date(2026, 2, 28))


def test_britain_keeps_saturday_and_sunday(app):
    app.config["HOLIDAY_COUNTRY"] = "GB"
    assert [dates.is_business_day(date(2026, 11, d)) for d in range(27, 31)] == [
        True,  # Friday
        False,  # Saturday
        False,  # Sunday
        True,  # Monday
    ]


@pytest.mark.parametrize("country", ["", "XX"])
def test_without_a_known_country_the_weekend_is_saturday_and_sunday(app, country):
    app.config["HOLIDAY_COUNTRY"] = country
    assert dates.is_business_day(date(2026, 11, 27))
    assert not dates.is_business_day(date(2026, 11, 28))
    assert dates.add_business_days(date(2026, 11, 27), 1) == date(2026, 11, 30)


@pytest.mark.parametrize("country", ["GB-ENG", "IL", "CN"])
def test_workdays_agrees_with_counting_day_by_day(app, country):
    app.config["HOLIDAY_COUNTRY"] = country
    workdays = dates.Workdays(date(2025, 12, 1), date(2026, 3, 31))
    for start, end in [
        (date(2025, 12, 20), date(2026, 1, 10)),
        (date(2026, 2, 10), date(2026, 3, 2)),
        (date(2026, 3, 2), date(2026, 2, 10)),
    ]:
        assert workdays.between(start, end) == dates.business_days_between(start, end)


def test_business_days_between_counts_both_ways(app):
    assert dates.business_days_between(date(2026, 11, 27), date(2026, 12, 1)) == 2
    assert dates.business_days_between(date(2026, 12, 1), date(2026, 11, 27)) == -2


@time_machine.travel("2026-11-26 23:30 +0000", tick=False)
def test_today_is_the_company_date_not_utc(app):
    app.config["TIMEZONE"] = "Asia/Tokyo"
    assert clock.today() == date(2026, 11, 27)
    app.config["TIMEZONE"] = "America/New_York"
    assert clock.today() == date(2026, 11, 26)


@time_machine.travel("2026-11-26 12:00 +0000", tick=False)
def test_dates_in_words(app):
    assert dates.in_words(date(2026, 12, 4)) == "Friday 4 December"
    assert dates.in_words(date(2027, 1, 8)) == "Friday 8 January 2027"
