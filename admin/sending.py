"""Sending is a decision: every action that can reach a candidate shows first what it
would email, to whom, and how their page would read (portal.candidates.rehearsal), and
is carried out only once confirmed; the confirmation then says what was emailed.

An action's form posts to its own route. Without ``confirmed`` the route rehearses and
answers with the check page, which posts the same fields back with ``confirmed=yes``
(or ``edit=yes``, to go back to the form as typed).
"""

from collections.abc import Callable
from typing import NamedTuple

from flask import render_template
from flask import request

from portal.candidates import rehearsal
from portal.store.models import Mail

#: Fields the check page never copies back: the CSRF token is its own, the steps its own.
NOT_COPIED = ("csrf_token", "confirmed", "edit")


class Decision(NamedTuple):
    """What ``decide`` gives back: the check page to show, or the result and its words."""

    page: object | None = None
    result: object = None
    told: str = ""


def editing() -> bool:
    """The user went back from the check page to change what they typed."""
    return request.form.get("edit") == "yes"


def decide(
    operation: Callable[[], object],
    application_ids: list[int] | None,
    title: str,
    tell: bool = True,
    preview: Callable[[], object] | None = None,
    later: str = "",
    warning: str = "",
) -> Decision:
    """Rehearse ``operation`` and answer with the check page, or, once confirmed, carry
    it out and say what was emailed to whom. Refusals propagate from either step.

    ``application_ids`` None: the operation creates the application it returns.
    ``later``: the operation only schedules what ``preview`` does (a closure on a day);
    the check page shows that, and says when it will go. ``warning``: what the user
    should know before confirming, shown above the buttons."""
    if request.form.get("confirmed") != "yes":
        if preview is not None:  # refused as the real one would be, and rolled back too
            rehearsal.rehearse(operation, [])
        previews = rehearsal.rehearse(preview or operation, application_ids)
        page = render_template(
            "admin/check_send.html",
            title=title,
            previews=previews,
            tell=tell,
            later=later,
            warning=warning,
            fields=[(k, v) for k, v in request.form.items(multi=True) if k not in NOT_COPIED],
            action=request.full_path if request.query_string else request.path,
        )
        return Decision(page=page)
    before = rehearsal.last_mail_id()
    result = operation()
    if later:  # the operation's own words say when it goes
        return Decision(result=result)
    ids = application_ids if application_ids is not None else [result.id]
    return Decision(result=result, told=told(rehearsal.queued_since(before, ids)))


def told(mails: list[Mail]) -> str:
    """What was emailed, in a sentence for the confirmation: queued with the change, and
    sent by `portal worker` within seconds (Unsent mail lists any it could not send)."""
    if not mails:
        return "Nobody was emailed; the candidate's page shows it when they next look."
    if len(mails) == 1:
        return f"Emailed {mails[0].to}: “{mails[0].subject}”."
    names = ", ".join(mail.to for mail in mails[:5])
    more = f" and {len(mails) - 5} more" if len(mails) > 5 else ""
    return f"Emailed {len(mails)} candidates, each their own: {names}{more}."
