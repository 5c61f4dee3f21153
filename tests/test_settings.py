"""Settings: every wrong value is refused at startup, in every kind of run, with one line
that says what to change; right values pass. (The unsafe ones, refused only in
production, are in tests/web/test_deploy.py.)"""

import pytest

from portal import create_app
from portal import settings
from portal.settings import checks
from portal.settings.checks import UnsafeSettings

#: A test run: the value checks apply here too, unlike the unsafe-key checks.
RUN = {"TESTING": True, "DATABASE_URL": "sqlite:///:memory:"}


def refusal(**changes) -> list[str]:
    """The lines the app refuses to start with."""
    with pytest.raises(UnsafeSettings) as refused:
        create_app({**RUN, **changes})
    return str(refused.value).splitlines()


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"TIMEZONE": "Europe/Londn"},
            "PORTAL_TIMEZONE: 'Europe/Londn' is not a time zone; use an IANA name such as "
            "Europe/London",
        ),
        (
            {"HOLIDAY_COUNTRY": "XX"},
            "PORTAL_HOLIDAY_COUNTRY: 'XX' is not a country that the holidays library knows; "
            "use an ISO 3166 code such as GB, GB-SCT or US, or nothing for a Saturday-Sunday "
            "weekend and no public holidays",
        ),
        (
            {"HOLIDAY_COUNTRY": "gb"},
            "PORTAL_HOLIDAY_COUNTRY: 'gb' is not a country that the holidays library knows; "
            "use an ISO 3166 code such as GB, or nothing for a Saturday-Sunday weekend and no "
            "public holidays",
        ),
        (
            {"HOLIDAY_COUNTRY": "GB-XX"},
            "PORTAL_HOLIDAY_COUNTRY: 'GB-XX' is not a subdivision of GB that the holidays "
            "library knows; use GB or one of GB-ENG, GB-NIR, GB-SCT, GB-WLS",
        ),
        (
            {"EXTRA_HOLIDAYS": ["2026-12-24", "24/12/2026"]},
            "PORTAL_EXTRA_HOLIDAYS: '24/12/2026' is not an ISO date; use dates such as 2026-12-24",
        ),
        (
            {"LINK_DAYS": "six months"},
            "PORTAL_LINK_DAYS: 'six months' is not a whole number; use a whole number from 1 "
            "to 36500, such as 180",
        ),
        (
            {"LINK_DAYS": 0},
            "PORTAL_LINK_DAYS: 0 is too small; use a whole number from 1 to 36500, such as 180",
        ),
        (
            {"RETENTION_DAYS": 10**9},
            "PORTAL_RETENTION_DAYS: 1000000000 is too large; use a whole number from 0 to "
            "36500, such as 365",
        ),
        (
            {"WORKER_POLL_SECONDS": "often"},
            "PORTAL_WORKER_POLL_SECONDS: 'often' is not a number; use a number from 0.1 to "
            "3600, such as 2.0",
        ),
        (
            {"LOGIN_SLOWDOWN_SECONDS": -1.0},
            "PORTAL_LOGIN_SLOWDOWN_SECONDS: -1.0 is too small; use a number from 0 to 10, such "
            "as 1.0",
        ),
        (
            {"PROXY_COUNT": -1},
            "PORTAL_PROXY_COUNT: -1 is too small; use a whole number from 0 to 10, such as 0",
        ),
        (
            {"AUTO_CLOSE_DAYS": 5, "STALE_DAYS": 10},
            "PORTAL_AUTO_CLOSE_DAYS: 5 is not longer than PORTAL_STALE_DAYS (10); use more "
            "than 10, or 0 to turn automatic closure off",
        ),
        (
            {"DEMO": "ture"},
            "PORTAL_DEMO: 'ture' is not on or off; use 1 or 0 (or true/false, yes/no, on/off)",
        ),
        (
            {"BASE_URL": "jobs.example.com"},
            "PORTAL_BASE_URL: 'jobs.example.com' is not a web address; use the public "
            "https:// address of the candidate pages, such as https://jobs.example.com",
        ),
        (
            {"BASE_URL": "https://jobs.example.com:443443"},
            "PORTAL_BASE_URL: 'https://jobs.example.com:443443' has a port that is not a "
            "number up to 65535; use the public https:// address of the candidate pages, such "
            "as https://jobs.example.com",
        ),
        (
            {"MAIL_URL": "mail.example.com:25"},
            "PORTAL_MAIL_URL: 'mail.example.com:25' is not a mail server; use smtp://host:25, "
            "smtp+starttls://user:pass@host:587, smtps://host:465 or outbox",
        ),
        (
            {"MAIL_URL": "smtps://"},
            "PORTAL_MAIL_URL: 'smtps://' names no host; use smtp://host:25, "
            "smtp+starttls://user:pass@host:587, smtps://host:465 or outbox",
        ),
        (
            {"DATABASE_URL": "mysql://portal@db/portal"},
            "PORTAL_DATABASE_URL: 'mysql://portal@db/portal' is not a database address; use "
            "sqlite:///path/to/portal.sqlite3 or postgresql://user@host:5432/portal",
        ),
        (
            {"DATABASE_URL": "sqlite://"},
            "PORTAL_DATABASE_URL: 'sqlite://' names no file; use "
            "sqlite:///path/to/portal.sqlite3 or postgresql://user@host:5432/portal",
        ),
        (
            {"REDIS_URL": "unix:///run/redis.sock"},
            "PORTAL_REDIS_URL: 'unix:///run/redis.sock' is not a Redis address; use "
            "redis://host:6379/0, rediss:// for TLS, or redis+unix:///path/to/redis.sock",
        ),
        (
            {"RATE_LIMIT_STORAGE": "memroy://"},
            "PORTAL_RATE_LIMIT_STORAGE: 'memroy://' is not a rate-limit store; use memory:// "
            "or redis://host:6379",
        ),
        (
            {"REMIND_AT": "8am"},
            "PORTAL_REMIND_AT: '8am' is not a time of day; use hours and minutes in "
            "PORTAL_TIMEZONE, such as 08:00",
        ),
        (
            {"PURGE_AT": "02:30+01:00"},
            "PORTAL_PURGE_AT: '02:30+01:00' is not a time of day; use hours and minutes in "
            "PORTAL_TIMEZONE, such as 02:30",
        ),
        (
            {"LOGIN_RATE_LIMIT": "10 per fortnight"},
            "PORTAL_LOGIN_RATE_LIMIT: '10 per fortnight' is not a rate limit; use one count "
            "per period, such as 10 per 5 minutes",
        ),
        (
            {"FRESH_LINK_RATE_LIMIT": "5 per hour; 20 per day"},
            "PORTAL_FRESH_LINK_RATE_LIMIT: '5 per hour; 20 per day' holds 2 rate limits; use "
            "one count per period, such as 5 per hour",
        ),
        (
            {"MAIL_FROM": "hiring"},
            "PORTAL_MAIL_FROM: 'hiring' is not an email address; use one such as Hiring team "
            "<hiring@example.com>",
        ),
    ],
)
def test_each_wrong_value_is_one_line_saying_what_to_change(changes, line):
    assert refusal(**changes) == [line]


@pytest.mark.parametrize("run", [{"TESTING": True}, {"DEMO": True}, {"DEBUG": True}])
def test_wrong_values_are_refused_in_demo_debug_and_test_runs(run):
    with pytest.raises(UnsafeSettings, match="PORTAL_TIMEZONE: 'Mars/Olympus' is not"):
        create_app({"DATABASE_URL": "sqlite:///:memory:", **run, "TIMEZONE": "Mars/Olympus"})


def test_a_password_in_a_wrong_address_is_masked():
    (line,) = refusal(REDIS_URL="http://:s3cret@redis.internal:6379")
    assert "s3cret" not in line and "'http://:***@redis.internal:6379'" in line


def test_redis_is_an_extra_and_its_absence_is_named(monkeypatch):
    """Without the `redis` extra the portal runs (memory rate limits); PORTAL_REDIS_URL
    then says what to install, rather than failing at the first request."""
    create_app({**RUN, "REDIS_URL": "redis://127.0.0.1:6379/0"})  # the suite has the client
    monkeypatch.setattr(checks, "find_spec", lambda name: None if name == "redis" else True)
    assert refusal(REDIS_URL="redis://127.0.0.1:6379/0") == [
        "PORTAL_REDIS_URL is set but the Redis client is not installed: "
        "pip install 'candidate-portal[redis]'"
    ]
    create_app(RUN)  # without PORTAL_REDIS_URL nothing asks for it


def test_mistakes_in_the_environment_are_named_together(monkeypatch):
    """A whole number that is not one no longer stops at the first; each mistake is its line."""
    monkeypatch.setenv("PORTAL_LINK_DAYS", "180 days")
    monkeypatch.setenv("PORTAL_TIMEZONE", "Europe/Londn")
    monkeypatch.setenv("PORTAL_HOLIDAY_COUNTRY", "GB-ZZ")
    monkeypatch.setenv("PORTAL_EXTRA_HOLIDAYS", "2026-12-24, 2026-12-32")
    assert [line.split(":")[0] for line in refusal()] == [
        "PORTAL_LINK_DAYS",
        "PORTAL_TIMEZONE",
        "PORTAL_HOLIDAY_COUNTRY",
        "PORTAL_EXTRA_HOLIDAYS",
    ]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("on", True), ("Yes", True), ("0", False), ("off", False), ("", False)],
)
def test_switches_read_the_usual_words(monkeypatch, raw, value):
    monkeypatch.setenv("PORTAL_STATIC_ONLY", raw)
    assert create_app(RUN).config["STATIC_ONLY"] is value


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"TIMEZONE": "America/New_York", "HOLIDAY_COUNTRY": "US-CA"},
        {"HOLIDAY_COUNTRY": "IL", "EXTRA_HOLIDAYS": ["2026-12-24", "2026-12-31"]},
        {"HOLIDAY_COUNTRY": ""},
        {"HOLIDAY_COUNTRY": "UK"},  # the library's alias for GB
        {"DATABASE_URL": "postgresql://portal@db.internal:5432/portal"},
        {"DATABASE_URL": ""},
        {"MAIL_URL": "smtp+starttls://mailer:pw@mail.example.com:587"},
        {"REDIS_URL": "redis+unix:///run/redis.sock", "RATE_LIMIT_STORAGE": "redis://r:6379"},
        {"REMIND_AT": "07:45", "PURGE_AT": "23:59:30"},
        {"LOGIN_RATE_LIMIT": "20/hour", "PAGE_SIZE": 1000, "WORKER_POLL_SECONDS": 1},
        {"AUTO_CLOSE_DAYS": 20, "STALE_DAYS": 10, "DEMO": 1},
    ],
)
def test_right_values_give_no_problem(changes):
    app = create_app({**RUN, **changes})
    assert checks.problems(app) == []


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_default_is_a_right_value(setting):
    assert checks.wrong_value(setting, setting.default) == ""
