"""Closures decided now and carried out later: the recruiter schedules a rejection to
go on a chosen day, can call it off until then, and `portal worker` carries it out with
its email (``close_due``). Until then the candidate's page shows no closure."""

from datetime import date
from datetime import datetime
from datetime import time

from flask import current_app

from portal import dates
from portal.clock import now
from portal.clock import stored
from portal.clock import today
from portal.domain.applications import change
from portal.domain.applications import checked_closure
from portal.domain.applications import close
from portal.domain.applications import closure_words
from portal.domain.applications import record
from portal.domain.applications import REPLY_BY_HORIZON_DAYS
from portal.domain.applications import require_active
from portal.domain.base import require_staff
from portal.domain.reasons import checked_reason
from portal.errors import DomainError
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import ScheduledClosure

#: The time of day (company time zone) at which a scheduled closure is carried out.
SEND_AT = time(9, 0)


def schedule_close(
    actor, application, version, status, closure_note, reason, day: date, closure_reason=None
):
    """Decide a closure now, carry it out with its email at ``SEND_AT`` on ``day``
    (`portal worker`): until then the candidate's page shows no closure, promises word by
    that day, and the recruiter can call it off. ``closure_reason`` as for ``close``."""
    require_staff(actor)
    require_active(application)
    closure_reason = checked_reason(actor, status, closure_reason)
    closure_note = closure_words(closure_note, application, closure_reason)
    closure_note, reason = checked_closure(status, closure_note, reason)
    due = stored(datetime.combine(day, SEND_AT))
    if due <= now():
        raise Invalid(
            f"{dates.in_words(day)} at {SEND_AT:%H:%M} has passed: choose a later day, "
            "or leave the date empty to send now."
        )
    if (day - today()).days > REPLY_BY_HORIZON_DAYS:
        raise Invalid(f"{day} is more than a year away.")
    with database.atomic():
        change(application, version)  # the page stays as it is until the email goes
        record(
            application,
            actor,
            "close_scheduled",
            message=f"To be closed as {status} on {dates.in_words(day)} at {SEND_AT:%H:%M}.",
        )
        return ScheduledClosure.create(
            application=application,
            actor=actor,
            status=status,
            closure_note=closure_note,
            reason=reason,
            closure_reason=closure_reason,
            due=due,
        )


def cancel_scheduled_close(actor, application) -> None:
    """Call off a scheduled closure: nothing was sent, the application stays as it is."""
    require_staff(actor)
    with database.atomic():
        deleted = (
            ScheduledClosure.delete()
            .where(ScheduledClosure.application == application.id)
            .execute()
        )
        if not deleted:
            raise Invalid(f"No closure is scheduled for application {application.ref}.")
        Application.update(updated=now()).where(Application.id == application.id).execute()
        record(application, actor, "close_cancelled", message="The scheduled closure is off.")


def close_due(moment: datetime | None = None) -> int:
    """Carry out every scheduled closure whose time has come; how many closed. Each is
    its own transaction, so that one that can no longer be done (its scheduler lost
    their role) does not hold up the rest: it stays, and the admin shows it."""
    done = 0
    due = ScheduledClosure.select().where(ScheduledClosure.due <= (moment or now()))
    for scheduled in due.order_by(ScheduledClosure.due, ScheduledClosure.id):
        try:
            with database.atomic():
                # one DELETE decides which of several workers carries it out
                taken = ScheduledClosure.delete().where(ScheduledClosure.id == scheduled.id)
                if taken.execute() != 1:
                    continue
                application = Application.get_by_id(scheduled.application_id)
                if application.is_active:
                    close(
                        scheduled.actor,
                        application,
                        application.version,
                        scheduled.status,
                        scheduled.closure_note,
                        scheduled.reason,
                        closure_reason=scheduled.closure_reason,
                        scheduled=True,
                    )
                    done += 1
        except DomainError as error:
            current_app.logger.warning(
                "scheduled closure of %s not carried out: %s", scheduled.application.ref, error
            )
    return done
