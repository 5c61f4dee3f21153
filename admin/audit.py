"""Admin › Audit log (admins only): every audit entry (portal.store.audit writes them),
newest first, filtered by kind of action, by who did it and by the company's dates, each
said in words, its detail as a short list of facts rather than the JSON it is kept as.

The filters that read an entry in words (``audit_who``, ``audit_what``, ``audit_detail``)
serve Admin › Privacy's latest entries too, through ``templates/admin/_audit.html``.
"""

import json
import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask import render_template
from flask import request

from admin.access import admin_required
from admin.blueprint import bp
from admin.forms import number_arg
from admin.forms import page_number
from portal import clock
from portal.domain import queries
from portal.errors import Invalid
from portal.store.models import AuditEntry


class Group(NamedTuple):
    """A kind of entry in the "kind" filter: its key, its name and its actions."""

    key: str
    label: str
    actions: tuple[str, ...]


#: Every action in use, each in one group; any other falls under "Other".
GROUPS = (
    Group(
        "accounts",
        "Sign-in and accounts",
        (
            "signed_in",
            "sign_in_failed",
            "sign_in_refused",
            "password_set",
            "invite_sent",
            "reset_sent",
            "two_factor_on",
            "two_factor_off",
            "two_factor_passed",
            "two_factor_failed",
            "sign_in_link_issued",
            "user_created_by_sso",
            "role_from_sso",
            "token_created",
            "token_revoked",
        ),
    ),
    Group(
        "privacy",
        "Privacy",
        queries.PRIVACY_ACTIONS,
    ),
    Group(
        "integrations",
        "Integrations",
        (
            "api_write",
            "ats_job_linked",
            "ats_stage_mapped",
            "ats_stage_added",
            "ats_delivery_applied",
            "ats_application_linked",
            "ats_delivery_dismissed",
            "webhook_endpoint_added",
            "webhook_endpoint_disabled",
            "webhook_replayed",
        ),
    ),
    Group(
        "jobs",
        "Jobs",
        (
            "job_changed",
            "closure_reason_added",
            "closure_reason_changed",
            "closure_reason_retired",
            "closure_reason_offered",
        ),
    ),
)
#: The "kind" of every action no group names.
OTHER = "other"
GROUPED = tuple(action for group in GROUPS for action in group.actions)

#: What each action was, in the admin's words.
WORDS = {
    "signed_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_in_refused": "Single sign-on refused a sign-in",
    "password_set": "Set a password",
    "invite_sent": "Sent an invitation",
    "reset_sent": "Sent a password reset link",
    "two_factor_on": "Turned two-factor sign-in on",
    "two_factor_off": "Turned two-factor sign-in off",
    "two_factor_passed": "Passed the two-factor check",
    "two_factor_failed": "Failed the two-factor check",
    "sign_in_link_issued": "Issued a sign-in link",
    "user_created_by_sso": "Created an account through single sign-on",
    "role_from_sso": "Took a role from single sign-on",
    "token_created": "Made an integration token",
    "token_revoked": "Revoked an integration token",
    "export": "Exported a candidate's data",
    "erasure": "Erased personal data",
    "erasure_request": "A candidate asked to be erased",
    "erasure_cancelled": "Cancelled an erasure request",
    "purge": "Deleted data past its retention",
    "details_changed": "Corrected a candidate's details",
    "api_write": "Changed data through the API",
    "ats_job_linked": "Linked a job to the ATS",
    "ats_stage_mapped": "Mapped an ATS stage",
    "ats_stage_added": "Added an ATS stage",
    "ats_delivery_applied": "Applied a delivery from the ATS",
    "ats_application_linked": "Linked an application to the ATS",
    "ats_delivery_dismissed": "Dismissed a delivery from the ATS",
    "webhook_endpoint_added": "Added a webhook endpoint",
    "webhook_endpoint_disabled": "Disabled a webhook endpoint",
    "webhook_replayed": "Replayed a webhook delivery",
    "job_changed": "Changed a job",
    "closure_reason_added": "Added a closure reason",
    "closure_reason_changed": "Changed a closure reason",
    "closure_reason_retired": "Retired a closure reason",
    "closure_reason_offered": "Offered a closure reason again",
}
#: The detail that says how, in brackets after the words: ``signed_in``'s ``via``.
HOW = {"signed_in": "via", "two_factor_passed": "by"}
#: How values of ``HOW`` read.
HOW_WORDS = {"sso": "single sign-on"}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Filters(NamedTuple):
    """What the page was asked for, as given (for the form and the pager)."""

    kind: str
    who: str
    since: str
    until: str

    def args(self) -> dict:
        """The query arguments that narrow the list, for links to its other pages."""
        given = {"kind": self.kind, "who": self.who, "from": self.since, "to": self.until}
        return {name: value for name, value in given.items() if value}


@bp.get("/audit")
@admin_required
def audit_log():
    """The audit log, newest first, a page at a time, narrowed by the filters."""
    staff = queries.users()
    kind = request.args.get("kind", "")
    kind = kind if kind in (OTHER, *GROUPED) or any(g.key == kind for g in GROUPS) else ""
    who = request.args.get("who", "")
    user_id = number_arg("who")
    if who != "system" and not any(u.id == user_id for u in staff):
        who, user_id = "", None
    filters = Filters(kind, who, request.args.get("from", ""), request.args.get("to", ""))
    try:
        since, before = _window(filters.since.strip(), filters.until.strip())
    except Invalid as error:
        return _render(filters, staff, None, error.message), 400
    page = queries.audit_log(
        **_kind(kind),
        actor=None if who == "system" else user_id if who else queries.ANYONE,
        since=since,
        before=before,
        number=page_number(),
        size=current_app.config["PAGE_SIZE"],
    )
    return _render(filters, staff, page)


def _render(filters: Filters, staff, page, error: str = ""):
    return render_template(
        "admin/audit.html",
        filters=filters,
        groups=GROUPS,
        words=WORDS,
        staff=staff,
        page=page,
        error=error,
    )


def _kind(kind: str) -> dict:
    """The actions ``audit_log`` keeps for a "kind": a group's, one action, or the rest."""
    if kind == OTHER:
        return {"excluding": GROUPED}
    for group in GROUPS:
        if group.key == kind:
            return {"actions": group.actions}
    return {"actions": (kind,)} if kind else {}


def _window(since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """From the start of day ``since`` to the end of day ``until``, the company's days, as
    stored moments (None: no bound); ``Invalid`` when either is not an ISO date."""
    first = _day(since, "From")
    last = _day(until, "To")
    if first and last and first > last:
        raise Invalid(f"“From” ({first}) is after “To” ({last}): swap them.")
    return _start_of(first), _start_of(last, days=1)


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        if ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise Invalid(f"“{name}” must be a date written like 2025-03-31, not “{text[:40]}”.")


def _start_of(day: date | None, days: int = 0) -> datetime | None:
    """The moment the day ``days`` after ``day`` starts where the company is, as stored;
    None without a day or past either end of the calendar (no bound there)."""
    try:
        return clock.stored(datetime.combine(day + timedelta(days=days), time())) if day else None
    except OverflowError:
        return None


# --- an entry in words, for this page and Admin › Privacy ---------------------------


def _detail(entry: AuditEntry) -> dict:
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        return {"detail": entry.detail}
    return detail if isinstance(detail, dict) else {"detail": detail}


@bp.app_template_filter("audit_who")
def audit_who(entry: AuditEntry) -> str:
    """Who did it: the member of staff, or the system and whom it acted for."""
    if entry.actor_id:
        return entry.actor.name
    acting_for = _detail(entry).get("for")
    return f"System, for {acting_for}" if acting_for else "System"


@bp.app_template_filter("audit_what")
def audit_what(entry: AuditEntry) -> str:
    """What was done, as a sentence; an action without words is its name."""
    words = WORDS.get(entry.action)
    if words is None:
        name = entry.action.replace("_", " ")
        return name[:1].upper() + name[1:]
    how = _detail(entry).get(HOW.get(entry.action, ""))
    return f"{words} ({HOW_WORDS.get(how, how)})" if isinstance(how, str) and how else words


@bp.app_template_filter("audit_detail")
def audit_detail(entry: AuditEntry) -> list[tuple[str, str]]:
    """The detail as (name, value) pairs to read, but whom the system acted for (the
    "who" says it)."""
    return [(_label(name), _text(value)) for name, value in _detail(entry).items() if name != "for"]


def _label(name: str) -> str:
    words = str(name).replace("_", " ")
    return words[:1].upper() + words[1:]


def _text(value) -> str:
    """A detail's value as text: lists joined with commas, a change as "from → to"."""
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(each) for each in value)
    if isinstance(value, dict):
        if set(value) == {"from", "to"}:
            return f"{_text(value['from'])} → {_text(value['to'])}"
        return "; ".join(f"{_label(name)}: {_text(each)}" for name, each in value.items())
    return str(value)
