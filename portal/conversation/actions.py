"""Asking and answering. The candidate's words are an event the candidate and staff see
(never another candidate); from the first unanswered one, the application is owed an
answer (``Application.asked``), within the job's ``answer_days`` business days.

A question is never word given to the candidate: it does not touch ``last_word`` and
emails the candidate nothing. The first one waiting tells the job's recruiter, without
quoting it (the words stay in one place, the application, where erasure finds them);
more before the answer add to what waits, not to the recruiter's inbox.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from peewee import fn

from portal import dates
from portal.clock import local_date
from portal.clock import now
from portal.domain.applications import change
from portal.domain.applications import reachable
from portal.domain.applications import record
from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.errors import Invalid
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview
from portal.store.models import Mail

#: The candidate's words: a question, or a request to move an interview.
ASKING_KINDS = ("question", "move_request")
#: The conversation: the candidate's words and the team's answers.
CONVERSATION_KINDS = (*ASKING_KINDS, "answer")
#: What settles the candidate's questions: an answer on their page, or one given another way.
SETTLING_KINDS = ("answer", "answered_elsewhere")
#: How the candidate's words came.
VIAS = ("page", "email")

#: The longest question or reply filed, in characters (a long email is cut, with a note).
QUESTION_LIMIT = 4000

#: At most this many questions from one application's page or inbox per ``ASK_WINDOW``:
#: counted in the database, so every worker and the inbox share the count.
ASK_LIMIT = 5
ASK_WINDOW = timedelta(hours=1)


def ask(
    application: Application,
    text: str,
    via: str = "page",
    interview: Interview | None = None,
    note: str = "",
) -> Event:
    """File the candidate's question (``interview``: their request to move it) on
    ``application``; ``via`` is "page" or "email". ``note`` is for the team only (what a
    reply by email lost on the way: attachments, its length). The recruiter is told."""
    label = "Your reason" if interview is not None else "Your question"
    text = clean_text(text, label, True, QUESTION_LIMIT)
    if interview is not None and interview.application_id != application.id:
        raise Invalid("That interview is not part of this application.")
    with database.atomic():
        lock(Application, application.id)  # two at once count as two, never skip the limit
        application = Application.get_by_id(application.id)  # as it is now, erased or not
        if not reachable(application):
            raise Invalid("This application was erased: there is nobody to answer.")
        recent = Event.select().where(
            (Event.application == application.id)
            & Event.kind.in_(ASKING_KINDS)
            & (Event.created > now() - ASK_WINDOW)
        )
        if recent.count() >= ASK_LIMIT:
            raise Invalid(
                "You have sent us several messages in the last hour. We will answer those "
                "first; please write again later if you need to."
            )
        kind = "move_request" if interview is not None else "question"
        event = record(
            application,
            None,
            kind,
            visible=True,
            tell=False,
            message=text,
            via=via,
            interview=interview,
        )
        Application.update(
            asked=fn.COALESCE(Application.asked, event.created), updated=now()
        ).where(Application.id == application.id).execute()
        waiting = application.asked is not None
        if not waiting:
            application.asked = event.created
        if note:
            record(application, None, "reply_note", message=note)
        if not waiting:  # they hear once the candidate starts waiting; the digest says more
            _tell_recruiter(application, kind, via)
    return event


def _tell_recruiter(application: Application, kind: str, via: str) -> Mail:
    """The job's recruiter hears of the question at once: who asked, on which
    application, where to answer. Not what: the words stay on the application."""
    recruiter = application.job.recruiter
    base = current_app.config["BASE_URL"].rstrip("/")
    subject, text, html = mail.render(
        "question_staff",
        user=recruiter,
        application=application,
        asking=kind,
        via=via,
        due=answer_due(application),
        url=f"{base}/admin/applications/{application.ref}/#conversation",
    )
    return Mail.create(
        kind="question_staff", to=recruiter.email, subject=subject, text=text, html=html
    )


def answer(actor, application: Application, version, message: str, tell: bool = True) -> Event:
    """The team's answer to what the candidate asked: on their page, and emailed when
    ``tell``. It settles every question asked until now."""
    require_staff(actor)
    message = clean_text(message, "Answer", True, 5000)
    with database.atomic():
        change(application, version, asked=None)
        return record(application, actor, "answer", visible=True, tell=tell, message=message)


def settle(actor, application: Application, version, note: str) -> Event:
    """The candidate was answered another way (a call, an email of the recruiter's own):
    no longer owed an answer. ``note`` says how, for the team only."""
    require_staff(actor)
    note = clean_text(note, "How it was answered", True, 2000)
    if application.asked is None:
        raise Invalid(f"{application.ref} is not waiting for an answer.")
    with database.atomic():
        change(application, version, asked=None)
        return record(application, actor, "answered_elsewhere", message=note)


def answer_due(application: Application) -> date | None:
    """The business day by which the candidate's question is to be answered."""
    if application.asked is None:
        return None
    return dates.add_business_days(local_date(application.asked), application.job.answer_days)


def checked_via(kind: str, via: str) -> str:
    """How a recorded event's words came, checked: only the candidate's came any way."""
    if via and (kind not in ASKING_KINDS or via not in VIAS):
        raise Invalid(f"A {kind!r} event cannot have come by {via!r}.")
    return via


def owed_since(history) -> datetime | None:
    """Since when a history of (kind, time) pairs leaves the candidate owed an answer:
    their first words after the last answer (None: nothing waits)."""
    asked = None
    for kind, created in sorted(history, key=lambda pair: pair[1]):
        if kind in ASKING_KINDS:
            asked = asked or created
        elif kind in SETTLING_KINDS:
            asked = None
    return asked
