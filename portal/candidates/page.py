"""The candidate page: one view-model and one template, for the live route, the
admin's preview and the static build, so each gives the same bytes at the same moment.

The page is the hot path: four queries whatever the length of the history
(``portal.candidates.queries``), dates worked out with one clock per page, and the template
rendered without a request, session or flash.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app

from portal import clock
from portal.candidates import assets
from portal.candidates import links
from portal.candidates import queries
from portal.candidates.interviews import views as interview_views
from portal.candidates.queries import EventRow
from portal.candidates.queries import InterviewRow
from portal.candidates.queries import LinkRow
from portal.candidates.queries import StageRow
from portal.candidates.words import answer_by
from portal.candidates.words import Days
from portal.candidates.words import entry
from portal.candidates.words import outcome
from portal.candidates.words import OUTCOMES
from portal.candidates.words import reply_by
from portal.candidates.words import said
from portal.candidates.words import THEIR_WITHDRAWAL
from portal.clock import as_date
from portal.clock import as_datetime
from portal.conversation.actions import CONVERSATION_KINDS
from portal.store.models import first_name

TEMPLATE = "candidate/page.html"
DEAD_TEMPLATE = "candidate/dead.html"
STYLESHEET = "css/candidate.css"


class Milestone(NamedTuple):
    label: str
    state: str  # past, current or future
    date: str


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
    row: LinkRow


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
    row = queries.link(link_id)
    return _found(row) if row else None


def _found(row: LinkRow) -> Found | None:
    """A link row, if its page may be shown now: not revoked, expired or ended."""
    ends = links.ends(as_datetime(row.expires), row.status, as_datetime(row.closed))
    if row.revoked is not None or ends <= clock.now():
        return None
    return Found(row.link_id, row.token, row.application_id, as_datetime(row.last_viewed), row)


def load_many(link_ids: list[str]):
    """(link id, token, HTML) of each page of ``link_ids`` that may be shown now, from
    four queries for the lot: what the static build renders. A token that no longer
    passes the signature check (its key retired) is left out, as the live route would."""
    rows, stages, events = queries.batch(link_ids)
    arranged = queries.batch_interviews([row.application_id for row in rows])
    for row in rows:
        found = _found(row)
        if found is not None and links.unsign(found.token) == found.link_id:
            page = model(
                found,
                stages.get(row.job_id, []),
                events.get(row.application_id, []),
                arranged.get(row.application_id, []),
            )
            yield found.link_id, found.token, render(page)


# --- the view-model ------------------------------------------------------------------


def model(
    found: Found,
    stages: list[StageRow] | None = None,
    events: list[EventRow] | None = None,
    interviews: list[InterviewRow] | None = None,
) -> dict:
    """Everything the page shows, in the candidate's words, from three more queries
    (or from ``stages``, ``events`` and ``interviews`` a batch already read)."""
    row = found.row
    closed = as_datetime(row.closed)
    days = Days()
    if stages is None:
        stages = queries.stages(row.job_id)
        events = queries.events(row.application_id)
        interviews = queries.interviews(row.application_id)
    active = row.status == "active"
    reached = _reached(events)
    current = _current(stages, row.stage_id, reached)
    if row.status == "hired":
        current = len(stages)  # a hire completes the process: every step is done
    deciding = _deciding(events) if active else None
    closing = _latest(events, "closed") if not active else None
    ended = outcome(row.status, row.closure_reason)
    base = base_path()
    return {
        "company": current_app.config["COMPANY_NAME"],
        "first_name": first_name(row.candidate_name),
        "job": JobInfo(row.job_title, row.job_location),
        "status": row.status,
        "active": active,
        "outcome": None if active else OUTCOMES[ended],
        # they told us themselves: there is nothing for them to acknowledge
        "withdrew": ended == THEIR_WITHDRAWAL,
        "milestones": [
            Milestone(
                stage.label,
                "past" if i < current else "current" if i == current else "future",
                days.of(reached.get(stage.stage_id)) if i <= current else "",
            )
            for i, stage in enumerate(stages)
        ],
        "expect": stages[current].description if active and stages and not deciding else "",
        "deciding": deciding.message if deciding else "",
        "next_steps": row.next_steps if active else "",
        "reply_by": reply_by(as_date(row.reply_by), days) if active else None,
        "history": [
            entry(event, days, event is deciding, ended if event is closing else "")
            for event in events
            if event.visible and event.kind not in CONVERSATION_KINDS
        ],
        "conversation": [said(e, days) for e in reversed(events) if e.kind in CONVERSATION_KINDS],
        "answer_by": answer_by(as_datetime(row.asked), row.answer_days, days),
        "closure_note": "" if active else row.closure_note,
        "closure_by": (closing.author if closing else "") or row.recruiter_name,
        "acknowledged": days.of(_own(events, "acknowledged", closed)),
        "rated": bool(_own(events, "rated", closed)),
        "recruiter": Person(row.recruiter_name, row.recruiter_email),
        "ends": days.of(links.ends(as_datetime(row.expires), row.status, closed)),
        # With no app behind BASE_URL (STATIC_ONLY) a form could only fail: leave them out.
        "forms": not current_app.config["STATIC_ONLY"],
        "form_token": links.form_token(row.link_id),
        "action": f"{base}/c/{row.token}/",
        "stylesheet": stylesheet_url(),
        "interviews": interview_views(
            interviews or [], days.zone.key, clock.now(), days.today.year
        ),
    }


def _current(stages: list[StageRow], stage_id: int, reached: dict[int, datetime]) -> int:
    """Where the application stands in the pipeline: its stage's place; for a stage since
    removed (only closed applications stay there), the furthest live stage it reached, so
    that the milestones show the way up to where it was."""
    for i, stage in enumerate(stages):
        if stage.stage_id == stage_id:
            return i
    return max((i for i, stage in enumerate(stages) if stage.stage_id in reached), default=0)


#: Events that bring an application to a stage.
ARRIVALS = ("created", "moved", "reopened")
#: Events after which the team is no longer deciding: another interview is on.
INTERVIEW_AGAIN = ("interview_arranged", "interview_moved")


def _reached(events: list[EventRow]) -> dict[int, datetime]:
    """When the application last arrived at each stage."""
    reached = {}
    for event in reversed(events):
        if event.to_stage is not None and event.kind in ARRIVALS:
            reached[event.to_stage] = as_datetime(event.created)
    return reached


def _deciding(events: list[EventRow]) -> EventRow | None:
    """The "team is deciding" word, if it is the latest since the application arrived
    at its stage (events come newest first)."""
    for event in events:
        if event.kind == "deciding":
            return event
        if event.kind in ARRIVALS or event.kind in INTERVIEW_AGAIN:
            return None
    return None


def _latest(events: list[EventRow], kind: str) -> EventRow | None:
    return next((event for event in events if event.kind == kind), None)


def _own(events: list[EventRow], kind: str, since: datetime | None) -> datetime | None:
    """When the candidate last did ``kind`` since the process closed."""
    if since is None:
        return None
    for event in events:
        if event.kind == kind and as_datetime(event.created) >= since:
            return as_datetime(event.created)
    return None


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
    """The stylesheet's content-hashed address (``portal.candidates.assets``): the same file name
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
