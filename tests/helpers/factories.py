"""Test data through the domain, beyond conftest.py's ``make_*`` fixtures: the password of
every user they make, a promise of word by a day, and a job's stage by name."""

from datetime import datetime
from datetime import time
from datetime import UTC

import time_machine

from portal import domain
from portal.clock import now
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import Stage

PASSWORD = "correct horse battery"


def promise(application: Application, day) -> Application:
    """Give the candidate word with reply-by date ``day``, through the domain; the
    application as it is afterwards. A day already past was promised on that day (the
    domain refuses a promise in the past)."""
    application = Application.get_by_id(application.id)
    when = min(now(), datetime.combine(day, time(9)))
    with time_machine.travel(when.replace(tzinfo=UTC), tick=False):
        domain.post_update(None, application, application.version, "Word", reply_by=day)
    return Application.get_by_id(application.id)


def stage(job: Job, name: str):
    """The stage of ``job``'s pipeline named ``name``."""
    return job.stages.where(Stage.name == name).get()
