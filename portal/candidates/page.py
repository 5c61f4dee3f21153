"""The candidate page: one view-model and one template, for the live route, the
admin's preview and the static build, so each gives the same bytes at the same moment.

The page is the hot path: three queries whatever the length of the history
(``portal.page_queries``), dates worked out with one clock per page, and the template
rendered without a request, session or flash.
"""

import functools
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import UTC
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app

from portal import clock
from portal.candidates import assets
from portal.candidates import links
from portal.candidates import queries as page_queries
from portal.candidates.queries import as_date
from portal.candidates.queries import as_datetime

TEMPLATE = "candidate/page.html"
DEAD_TEMPLATE = "candidate/dead.html"
STYLESHEET = "css/candidate.css"

OUTCOMES = {
    "hired": ("You accepted our offer", "Welcome aboard: we are delighted."),
    "rejected": (
        "We are not moving forward",
        "We have decided not to continue with your application. Our note is below.",
    ),
    "withdrawn": ("Your application is withdrawn", "We have closed it, as you asked."),
}


class Milestone(NamedTuple):
    label: str
    state: str  # past, current or future
    date: str


class Entry(NamedTuple):
    headline: str
    date: str
    iso: str
    message: str
    next_steps: str


class ReplyBy(NamedTuple):
    words: str
    late: bool


class Person(NamedTuple):
    name: str
    email: str


class JobInfo(NamedTuple):
    title: str
    location: str


@dataclass
class Found:
    """A live link, as the first query found it: enough to act, before rendering."""

    link_id: str
    token: str
    application_id: int
    last_viewed: datetime | None
    row: tuple


# --- finding a live link -------------------------------------------------------------


def find(token: str) -> Found | None:
    """The live link of ``token``: signature and age first (no database work when they
    fail), then the link row decides: revoked, reissued, expired or erased all end it."""
    link_id = links.unsign(token)
    if link_id is None:
        return None
    found = find_by_id(link_id)
    if found is None or not links.same_token(found.token, token):
        return None
    return found


def find_by_id(link_id: str) -> Found | None:
    """The link ``link_id`` if its page may be shown now."""
    rows = page_queries.run("link", link_id)
    return _found(rows[0]) if rows else None


def _found(row: tuple) -> Found | None:
    """A link row, if its page may be shown now: not revoked, expired or ended."""
    expires, revoked, closed = as_datetime(row[2]), row[3], as_datetime(row[10])
    if revoked is not None or links.ends(expires, row[6], closed) <= clock.now():
        return None
    return Found(row[0], row[1], row[5], as_datetime(row[4]), row)


def load_many(link_ids: list[str]):
    """(link id, token, HTML) of each page of ``link_ids`` that may be shown now, from
    three queries for the lot: what the static build renders. A token that no longer
    passes the signature check (its key retired) is left out, as the live route would."""
    rows, stages, events = page_queries.batch(link_ids)
    for row in rows:
        found = _found(row)
        if found is not None and links.unsign(found.token) == found.link_id:
            page = model(found, stages.get(row[11], []), events.get(row[5], []))
            yield found.link_id, found.token, render(page)


# --- the view-model ------------------------------------------------------------------


def model(found: Found, stages: list | None = None, events: list | None = None) -> dict:
    """Everything the page shows, in the candidate's words, from two more queries
    (or from ``stages`` and ``events`` a batch already read)."""
    (
        link_id,
        token,
        expires,
        _revoked,
        _viewed,
        _app_id,
        status,
        reply_by,
        next_steps,
        closure_note,
        closed,
        job_id,
        stage_id,
        candidate_name,
        job_title,
        job_location,
        recruiter_name,
        recruiter_email,
    ) = found.row
    closed = as_datetime(closed)
    days = Days()
    if stages is None:
        stages = page_queries.run("stages", job_id)
        events = page_queries.run("events", found.application_id)
    active = status == "active"
    reached = _reached(events)
    labels = {stage[0]: stage[1] for stage in stages}
    current = next((i for i, stage in enumerate(stages) if stage[0] == stage_id), 0)
    base = base_path()
    return {
        "company": current_app.config["COMPANY_NAME"],
        "first_name": candidate_name.split()[0] if candidate_name.split() else candidate_name,
        "job": JobInfo(job_title, job_location),
        "status": status,
        "active": active,
        "outcome": None if active else OUTCOMES[status],
        "milestones": [
            Milestone(
                label,
                "past" if i < current else "current" if i == current else "future",
                days.of(reached.get(sid)) if i <= current else "",
            )
            for i, (sid, label, *_) in enumerate(stages)
        ],
        "expect": stages[current][2] if active and stages else "",
        "next_steps": next_steps if active else "",
        "reply_by": _reply_by(as_date(reply_by), days) if active else None,
        "history": [_entry(event, labels, days) for event in events if event[1]],
        "closure_note": "" if active else closure_note,
        "acknowledged": days.of(_own(events, "acknowledged", closed)),
        "rated": bool(_own(events, "rated", closed)),
        "recruiter": Person(recruiter_name, recruiter_email),
        "ends": days.of(links.ends(as_datetime(expires), status, closed)),
        # With no app behind BASE_URL (STATIC_ONLY) a form could only fail: leave them out.
        "forms": not current_app.config["STATIC_ONLY"],
        "form_token": links.form_token(link_id),
        "action": f"{base}/c/{token}/",
        "stylesheet": stylesheet_url(),
    }


def _reached(events: list[tuple]) -> dict[int, datetime]:
    """When the application last arrived at each stage."""
    reached = {}
    for kind, _visible, _m, _n, _r, to_stage, moment, *_ in reversed(events):
        if to_stage is not None and kind in ("created", "moved"):
            reached[to_stage] = as_datetime(moment)
    return reached


def _own(events: list[tuple], kind: str, since: datetime | None) -> datetime | None:
    """When the candidate last did ``kind`` since the process closed."""
    if since is None:
        return None
    for event in events:
        if event[0] == kind and as_datetime(event[6]) >= since:
            return as_datetime(event[6])
    return None


def _entry(event: tuple, labels: dict[int, str], days: "Days") -> Entry:
    kind, _visible, message, next_steps, _reply_by, to_stage, moment, *_ = event
    if kind == "moved":
        headline = f"Moved on to: {labels.get(to_stage, 'the next step')}"
    elif kind == "closed":
        headline = "Your application was closed"
        message = ""  # the closure note has its own section
    else:
        headline = "An update from us"
    day = days.local(as_datetime(moment))
    return Entry(headline, days.words(day), day.isoformat(), message, next_steps)


def _reply_by(day: date | None, days: "Days") -> ReplyBy | None:
    if day is None:
        return None
    return ReplyBy(days.words(day), day < days.today)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Days:
    """Dates in the candidate's words and the company's time zone, with the zone and
    today looked up once per page (``dates.in_words`` does it per call)."""

    def __init__(self):
        self.zone = clock.zone()
        self.today = datetime.now(self.zone).date()

    def words(self, day: date | None) -> str:
        """'Friday 4 December', with the year only when it is not this year's."""
        if day is None:
            return ""
        text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month]}"
        return text if day.year == self.today.year else f"{text} {day.year}"

    def local(self, moment: datetime) -> date:
        """The company's date at a stored UTC moment."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()

    def of(self, moment: datetime | None) -> str:
        """A stored UTC moment as the company's date, in words."""
        return self.words(self.local(moment)) if moment else ""


# --- rendering -----------------------------------------------------------------------


def render(page: dict) -> str:
    """The candidate page's HTML: no request, session or flash involved."""
    return current_app.jinja_env.get_template(TEMPLATE).render(page)


def render_dead() -> str:
    """The one page every dead link gets, whatever the reason."""
    base = base_path()
    return current_app.jinja_env.get_template(DEAD_TEMPLATE).render(
        company=current_app.config["COMPANY_NAME"],
        action=f"{base}/c/fresh-link",
        forms=not current_app.config["STATIC_ONLY"],
        stylesheet=stylesheet_url(),
    )


def base_path() -> str:
    """The path of ``BASE_URL`` (empty when the site is at the root of its host)."""
    return _path_of(current_app.config["BASE_URL"])


@functools.lru_cache(maxsize=8)
def _path_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def stylesheet_url() -> str:
    """The stylesheet's content-hashed address (``portal.assets``): the same file name
    live and in the static build, so the page's bytes are the same in both modes."""
    return assets.url(STYLESHEET)


def headers() -> dict[str, str]:
    """The headers of every candidate page (the static build writes them as host rules)."""
    return dict(_headers(current_app.config["BASE_URL"]))


@functools.lru_cache(maxsize=8)
def _headers(base_url: str) -> dict[str, str]:
    parts = urlsplit(base_url)
    origin = f" {parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return {
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'self'; img-src 'self'; "
            f"form-action 'self'{origin}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
