"""Arranging interviews: schedule, reschedule and cancel, and the candidate's own time
zone.

Each change writes a candidate-visible event on the application (their page shows the
interview at once, and the static build rebuilds it from ``Application.updated``) and,
when ``tell``, queues the candidate's email with the calendar file: an invitation, an
update (the same UID, a higher SEQUENCE) or a cancellation (METHOD:CANCEL). Every
change raises the SEQUENCE, told or not, so the next file the candidate gets replaces
whatever their calendar holds. Told, a change is the candidate's latest word, as
``domain.applications.record`` counts word; quiet, it is shown and gives no word.
"""

import secrets
from datetime import date

from portal import dates
from portal.candidates.interviews import ARRANGED
from portal.candidates.interviews import CANCELLED
from portal.candidates.interviews import MOVED
from portal.clock import local_date
from portal.clock import now
from portal.domain.applications import record
from portal.domain.applications import require_active
from portal.domain.base import clean_text
from portal.domain.base import require_staff
from portal.errors import Conflict
from portal.errors import Invalid
from portal.interviews import checks
from portal.interviews import invitations
from portal.mail.transport import message_domain
from portal.store.audit import audit
from portal.store.db import database
from portal.store.db import lock
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Interview

#: The internal event of a change of the candidate's time zone.
TIMEZONE_SET = "timezone_set"


def schedule(
    actor,
    application: Application,
    starts,
    ends,
    timezone,
    format,
    place="",
    meeting="",
    prepare="",
    message="",
    tell=True,
) -> Interview:
    """Arrange an interview on an active application, at its current stage. ``starts``
    and ``ends`` are wall-clock times in ``timezone`` (or aware datetimes); ``message``
    is optional word for the candidate with it."""
    require_staff(actor)
    require_active(application)
    moment = now()
    fields = checks.details(starts, ends, timezone, format, place, meeting, prepare, now=moment)
    if fields["starts"] <= moment:
        raise Invalid("The interview would start in the past: check the date and the time.")
    message = clean_text(message, "Message", limit=checks.MESSAGE_LIMIT)
    with database.atomic():
        interview = Interview.create(
            application=application,
            stage=application.stage_id,
            uid=f"{secrets.token_hex(16)}@{message_domain()}",
            created=moment,
            updated=moment,
            **fields,
        )
        _tell(
            actor,
            application,
            interview,
            ARRANGED,
            _said(invitations.when(interview), message),
            tell,
        )
    return interview


def reschedule(
    actor,
    interview: Interview,
    starts,
    ends,
    timezone,
    format,
    place="",
    meeting="",
    prepare="",
    message="",
    tell=True,
    sequence=None,
) -> Interview:
    """Change an arranged interview: its time, format, place, people or preparation.
    ``sequence``: the SEQUENCE the actor saw; a change made since is a Conflict."""
    require_staff(actor)
    if interview.cancelled is not None:
        raise Invalid("That interview is cancelled: arrange a new one instead.")
    application = interview.application
    require_active(application)
    moment = now()
    fields = checks.details(starts, ends, timezone, format, place, meeting, prepare, now=moment)
    if fields["starts"] != interview.starts and fields["starts"] <= moment:
        raise Invalid("The interview would start in the past: check the date and the time.")
    if all(getattr(interview, name) == value for name, value in fields.items()):
        raise Invalid("Nothing about the interview changed: change its time or details first.")
    message = clean_text(message, "Message", limit=checks.MESSAGE_LIMIT)
    before = invitations.when(interview)
    with database.atomic():
        _claim(interview, sequence, moment, **fields)
        after = invitations.when(interview)
        said = f"{after}, instead of {before}." if after != before else f"{after}: details changed."
        _tell(actor, application, interview, MOVED, _said(said, message), tell)
    return interview


def cancel(actor, interview: Interview, message="", tell=True, sequence=None) -> Interview:
    """Call an interview off; ``message`` is optional word for the candidate (why, what
    next). Possible on a closed application too, so that its calendar entry goes."""
    require_staff(actor)
    if interview.cancelled is not None:
        raise Invalid("That interview is already cancelled.")
    message = clean_text(message, "Message", limit=checks.MESSAGE_LIMIT)
    moment = now()
    with database.atomic():
        _claim(interview, sequence, moment, cancelled=moment)
        said = _said(f"{invitations.when(interview)}: cancelled.", message)
        _tell(actor, interview.application, interview, CANCELLED, said, tell)
    return interview


def set_timezone(actor, application: Application, timezone: str) -> bool:
    """Set the candidate's own time zone ("" unknown): their page and emails then give
    interview times in it too. Audited; whether anything changed."""
    require_staff(actor)
    timezone = checks.zone(timezone, "The candidate's time zone", required=False)
    with database.atomic():
        lock(Application, application.id)
        current = Application.get_by_id(application.id).timezone
        if current == timezone:
            return False
        Application.update(timezone=timezone, updated=now()).where(
            Application.id == application.id
        ).execute()
        record(application, actor, TIMEZONE_SET, message=f"Time zone: {timezone or 'unknown'}")
        audit(
            actor,
            "details_changed",
            f"application {application.id}",
            changed=["timezone"],
            application=application.ref,
        )
    application.timezone = timezone
    return True


def _said(summary: str, message: str) -> str:
    """What the candidate is told of a change: what and when, then the actor's words."""
    return f"{summary}\n\n{message}" if message else summary


def _claim(interview: Interview, sequence, moment, **changes) -> None:
    """Write ``changes`` and raise the SEQUENCE, unless someone changed or cancelled the
    interview since the actor saw ``sequence`` (None: whatever it is now)."""
    seen = interview.sequence if sequence is None else int(sequence)
    query = Interview.update(sequence=Interview.sequence + 1, updated=moment, **changes).where(
        (Interview.id == interview.id)
        & (Interview.sequence == seen)
        & Interview.cancelled.is_null()
    )
    if query.execute() != 1:
        raise Conflict(
            "Someone else changed this interview while you were looking at it. Here is "
            "its current state: check it and try again."
        )
    for name, value in changes.items():
        setattr(interview, name, value)
    interview.sequence, interview.updated = seen + 1, moment


def _after(application: Application, interview: Interview) -> date:
    """The reply-by date once the candidate is told of ``interview``: the stage's
    follow-up days after it ends, unless an earlier promise still stands later than that
    (a told interview is word: a promise it overtook is kept by it)."""
    after = dates.add_business_days(local_date(interview.ends), application.stage.follow_up_days)
    kept = application.reply_by
    return kept if kept is not None and kept > after else after


def _tell(actor, application, interview, kind: str, message: str, tell: bool) -> Event:
    """The change's candidate-visible event; told, it is their latest word and its email
    goes with the calendar file. The page changes either way."""
    event = record(
        application, actor, kind, visible=True, tell=False, message=message, interview=interview
    )
    changes = {"updated": event.created}
    if tell:
        changes["last_word"] = application.last_word = event.created
        if kind != CANCELLED and application.is_active:
            changes["reply_by"] = application.reply_by = _after(application, interview)
    Application.update(**changes).where(Application.id == application.id).execute()
    application.updated = event.created
    if tell:
        invitations.send(application, interview, event)
    return event
