"""`portal worker`: run queued tasks, send mail, keep the daily schedules; until stopped.

SIGTERM or Ctrl-C ends it after the round in hand (a mail being sent is finished, not
cut off). ``--once`` does one round and exits, for cron or a test.
"""

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import domain
from portal.errors import command_errors
from portal.integrations import outbound
from portal.interviews import after as interviews
from portal.mail.queue import send_pending
from portal.store import schema
from portal.store.db import database
from portal.worker import schedule
from portal.worker import tasks


def one_round() -> dict[str, int]:
    """Everything due now, once: tasks, scheduled closures and what follows an
    interview's end, then mail (they queue mail), then the daily schedules."""
    done, failed = tasks.run_due()
    closed = domain.close_due()
    decided = interviews.decide_due()
    asked = interviews.ask_feedback_due()
    sent, unsent = send_pending(wait=False)
    told, untold = outbound.deliver_due()
    ran = schedule.run_due()
    return {
        "tasks": done,
        "failed tasks": failed,
        "scheduled closures": closed,
        "interviews over": decided,
        "feedback asked": asked,
        "mail sent": sent,
        "mail failed": unsent,
        "webhooks delivered": told,
        "webhooks failed": untold,
        "schedules": len(ran),
    }


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one round of everything due, then exit.")
@with_appcontext
def worker_command(once):
    """Run queued tasks (fresh links) and scheduled closures, follow up ended interviews
    (the team is deciding; feedback asked), send mail and webhooks, and keep the daily schedules
    (PORTAL_REMIND_AT, PORTAL_PURGE_AT) until stopped. One is enough; several share the
    work safely."""
    schema.check_schema()
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        click.echo(f"portal worker: polling every {current_app.config['WORKER_POLL_SECONDS']} s")
    while True:
        with database.connection_context(), command_errors():
            counts = one_round()
        busy = {name: n for name, n in counts.items() if n}
        if busy or once:
            click.echo(", ".join(f"{name} {n}" for name, n in busy.items()) or "nothing due")
        if once or stop.wait(current_app.config["WORKER_POLL_SECONDS"]):
            break
    if not once:
        click.echo("portal worker: stopped")
