"""After an interview, for `portal worker`: the candidate's page says the team is
deciding as soon as it ends, and an hour later the job's managers are asked for their
feedback, once, however many workers run.

Both are quiet for the candidate: the page changes, no email goes. The deciding word is
given only while it is still true: the application is active at the interview's stage,
nothing visible has happened on it since the end, and no other interview is to come.
"""

from datetime import timedelta

from flask import current_app

from portal.clock import local
from portal.clock import now
from portal.domain.applications import change
from portal.domain.applications import deciding_message
from portal.domain.applications import record
from portal.domain.applications import reply_by_default
from portal.errors import Conflict
from portal.interviews import queries
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import JobManager
from portal.store.models import Mail
from portal.store.models import Stage
from portal.store.models import User

#: How long after an interview's end its managers are asked for their feedback.
FEEDBACK_AFTER = timedelta(hours=1)
#: Interviews that ended longer ago than this are left as they are: a worker that was
#: down for a week does not tell a candidate, or nag a manager, about old news.
LOOKBACK = timedelta(days=7)


def decide_due(moment=None) -> int:
    """Say "the team is deciding" on the page of each application whose interview has
    just ended, as ``domain.mark_deciding`` does but quietly; how many."""
    moment = moment or now()
    decided = 0
    for interview in list(queries.ended_undecided(moment, moment - LOOKBACK)):
        application = interview.application
        # A quiet change keeps the promise the candidate was given, if any.
        reply_by = application.reply_by or reply_by_default(application.stage)
        try:
            with database.atomic():
                change(application, application.version, reply_by=reply_by, next_steps="")
                record(
                    application,
                    None,
                    "deciding",
                    visible=True,
                    tell=False,
                    message=deciding_message(application),
                    reply_by=reply_by,
                    to_stage=application.stage_id,
                    interview=interview,
                )
        except Conflict:
            continue  # another worker, or a recruiter, changed it meanwhile
        decided += 1
    return decided


def ask_feedback_due(moment=None) -> int:
    """Email the managers on the job of each interview that ended an hour ago for their
    feedback, if the application is still in the process; how many emails."""
    moment = moment or now()
    asked = 0
    due = queries.feedback_due(moment - FEEDBACK_AFTER, moment - LOOKBACK)
    for interview in list(due):
        with database.atomic():
            # One conditional UPDATE: of several workers, only one asks.
            claimed = (
                Interview.update(feedback_asked=moment)
                .where((Interview.id == interview.id) & Interview.feedback_asked.is_null())
                .execute()
            )
            if claimed != 1:
                continue
            application = interview.application
            # Its page now lists it as past: the static build sees a change.
            Application.update(updated=moment).where(Application.id == application.id).execute()
            if application.is_active:
                for manager in _owing(interview):
                    _ask(manager, interview, application)
                    asked += 1
    return asked


def _owing(interview: Interview) -> list[User]:
    """The job's active managers without feedback on the application at its stage."""
    given = Feedback.select(Feedback.author).where(
        (Feedback.application == interview.application_id) & (Feedback.stage == interview.stage_id)
    )
    return list(
        User.select()
        .join(JobManager, on=(JobManager.user == User.id))
        .where(
            (JobManager.job == interview.application.job_id) & User.active & User.id.not_in(given)
        )
        .order_by(User.email)
    )


def _ask(manager: User, interview: Interview, application: Application) -> Mail:
    """One manager's email asking for feedback on the interview (staff mail: it names no
    application to the candidate checks, and goes with the worker's next send)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    stage = Stage.get_or_none(Stage.id == interview.stage_id)
    subject, text, html = mail.render(
        "feedback_ask",
        user=manager,
        application=application,
        stage=stage,
        ended=local(interview.ends).strftime("%H:%M on %-d %B"),
        url=f"{base}/admin/applications/{application.ref}/#feedback",
    )
    return Mail.create(kind="feedback_ask", to=manager.email, subject=subject, text=text, html=html)
