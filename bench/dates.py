"""Business-day arithmetic (portal/dates.py), per call, in an app context.

    .venv/bin/python bench/dates.py

Prints the best of five timeit runs for each call the hot paths make: a reply-by date
per move, the follow-up queue's lateness, the metrics' Workdays over two years.
"""

import timeit
from datetime import date

from portal import create_app
from portal import dates

SETTINGS = {
    "TESTING": True,
    "DATABASE_URL": "sqlite:///:memory:",
    "HOLIDAY_COUNTRY": "GB-ENG",
    "EXTRA_HOLIDAYS": ["2026-12-24"],
}


def main() -> None:
    app = create_app(SETTINGS)
    with app.app_context():
        day = date(2026, 11, 26)
        cases = {
            "is_business_day": lambda: dates.is_business_day(day),
            "add_business_days(+5)": lambda: dates.add_business_days(day, 5),
            "business_days_between(30 d)": lambda: dates.business_days_between(
                day, date(2026, 12, 26)
            ),
            "business_days_before(10)": lambda: dates.business_days_before(day, 10),
            "Workdays(730 d)": lambda: dates.Workdays(date(2025, 1, 1), date(2026, 12, 31)),
        }
        for name, call in cases.items():
            call()  # the year's days off, worked out once
            number, _ = timeit.Timer(call).autorange()
            best = min(timeit.repeat(call, number=number, repeat=5)) / number
            print(f"{name:32s} {best * 1e6:9.2f} µs")


if __name__ == "__main__":
    main()
