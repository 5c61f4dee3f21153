"""The daily schedules the worker keeps: reminders in the morning, retention at night.

Each runs once a day, at or after its time in the company's time zone; the day it last
ran is kept in the database (``db_info``), so a restarted worker, or a second one, does
not run it again. Both jobs are safe to repeat anyway: `portal remind` sends each
digest once a day, and `portal purge` finds nothing left to do.
"""

from collections.abc import Callable
from datetime import datetime
from datetime import time

import click
from flask import current_app

from portal import clock
from portal.followup import remind
from portal.privacy import retention
from portal.store.models import DbInfo


def _remind() -> None:
    remind.run(clock.today(), dry_run=False)


def _purge() -> None:
    for line in retention.lines(retention.purge(), dry_run=False):
        click.echo(line)


#: name: (the setting with its time of day, what to run).
DAILY: dict[str, tuple[str, Callable[[], None]]] = {
    "remind": ("REMIND_AT", _remind),
    "purge": ("PURGE_AT", _purge),
}


def at(setting: str) -> time:
    """The time of day a setting names (``HH:MM``)."""
    return time.fromisoformat(current_app.config[setting])


def run_due(moment: datetime | None = None) -> list[str]:
    """Run each daily job whose time has come today and that has not run today; returns
    the names of those it ran."""
    local = clock.local(moment or clock.now())
    ran = []
    for name, (setting, job) in DAILY.items():
        if local.time() < at(setting):
            continue
        key, today = f"worker.{name}", local.date().isoformat()
        DbInfo.insert(key=key, value="").on_conflict_ignore().execute()
        # One conditional UPDATE: of several workers, only one takes today's run.
        taken = DbInfo.update(value=today).where((DbInfo.key == key) & (DbInfo.value != today))
        if taken.execute() != 1:
            continue
        try:
            job()
        except Exception:  # a failed day must not stop the worker, nor count as done
            current_app.logger.exception("the daily %s failed; it runs again next round", name)
            DbInfo.update(value="").where(DbInfo.key == key).execute()
            continue
        ran.append(name)
    return ran
