"""`portal demo`: load the demo and print how to sign in and which pages to open."""

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import interchange
from portal.candidates.links import live_links
from portal.candidates.links import url
from portal.clock import today
from portal.demo.data import PASSWORD
from portal.demo.data import USERS
from portal.demo.load import load
from portal.errors import command_errors
from portal.store import schema
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Interview
from portal.store.models import Stage


@click.command("demo")
@with_appcontext
def demo_command():
    """Load a realistic demo (jobs, ~40 applications, feedback) and print the logins.

    Creates the tables when needed. Running it again changes nothing and prints the
    logins again. Only with PORTAL_DEMO=1: the demo accounts' passwords are public.
    """
    if not current_app.config["DEMO"]:
        raise click.ClickException(
            "portal demo creates accounts with published passwords; "
            "it runs only with PORTAL_DEMO=1 (never on a real database)."
        )
    schema.create_schema()
    with database.connection_context(), command_errors():
        result = load()
    for line in summary_lines(result):
        click.echo(line)


def summary_lines(counts: interchange.Counts) -> list[str]:
    """What `portal demo` prints: what it did, then how to sign in."""
    created = counts.created["applications"] + counts.created["jobs"]
    lines = [
        "Demo data loaded: {jobs} jobs, {applications} applications.".format(**counts.created)
        if created
        else "Demo data already there: nothing changed.",
        "",
        f"Sign in at {current_app.config['BASE_URL']}/login with password {PASSWORD!r}:",
    ]
    width = max(len(email) for email, _, _ in USERS)
    lines += [f"  {role:<10} {email:<{width}}  {name}" for email, name, role in USERS]
    lines += _candidate_pages()
    return lines


def _candidate_pages() -> list[str]:
    """Candidate pages to open after `portal demo`: one in progress, one with an
    interview coming, one waiting for an answer to their question, one waiting on a
    decision, one closed with a note (a rejection if there is one: the page that matters
    most to get right)."""
    active = Application.status == "active"
    noted = Application.closure_note != ""
    arranged = Application.id.in_(Interview.select(Interview.application))
    picks = {
        "in progress": [active & Stage.interview & (Application.reply_by >= today())],
        "with an interview": [active & arranged],
        "asked a question": [Application.asked.is_null(False)],
        "waiting on a decision": [active & (Stage.candidate_label == "Decision")],
        "closed, with a note": [(Application.status == "rejected") & noted, ~active & noted],
    }
    lines = ["", "Candidate pages (no sign-in: the link is the key):"]
    for label, choices in picks.items():
        for where in choices:
            link = live_links().join_from(Application, Stage).where(where).first()
            if link is not None:
                lines.append(f"  {label:<22} {url(link)}")
                break
    return lines
