"""`portal remind`: nudge the people who owe word, once a day, from cron.

Each recruiter gets a digest of the candidates they owe word (overdue, due within one
business day, proposed for closure); what a recruiter who is no longer active owes goes
to every active admin instead, saying whose it was. Each hiring manager gets the
feedback they have not given for interviews that are over. A Reminder row per person,
day and kind, written in the same transaction as the queued mail, makes a second run on
the same day send nothing new, even when two runs race.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

import click
import peewee
from flask import current_app

from portal import domain
from portal.domain import default_reasons
from portal.domain import reasons
from portal.followup import actions
from portal.followup import answers
from portal.followup import facts
from portal.followup import managers
from portal.followup import queries as followup
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Mail
from portal.store.models import Reminder
from portal.store.models import User


@dataclass
class Digest:
    """What one member of staff owes, for one email."""

    user: User
    kind: str  # "recruiter" or "manager"
    items: list = field(default_factory=list)
    #: A recruiter's candidates who wait for an answer to a question (OwedAnswer).
    answers: list = field(default_factory=list)


@dataclass
class Owed:
    """One application in a recruiter's digest."""

    application: Application
    lateness: followup.Lateness


@dataclass
class HandedOver(followup.Lateness):
    """Lateness of an application whose recruiter is no longer active: the words, which
    the digest shows, say whose it was."""

    recruiter: str = ""

    @property
    def words(self) -> str:
        return f"{super().words}, owed by {self.recruiter}, who is no longer active"


@dataclass
class OwedAnswer:
    """One candidate in a recruiter's digest who waits for an answer to a question."""

    application: Application
    lateness: followup.Lateness


def recruiter_digests(day: date) -> list[Digest]:
    """Per active recruiter, the applications owed word as of ``day``, most overdue first,
    and those owed an answer, longest waiting first; an inactive recruiter's go to every
    active admin."""
    digests: dict[int, Digest] = {}
    admins: list[User] = []  # looked up once, and only when someone has left

    def owing(application: Application, late: followup.Lateness):
        """Who is told of ``application``, with its lateness as they are told it."""
        recruiter = application.job.recruiter
        if recruiter.active:
            return [recruiter], late
        if not admins:
            admins.extend(User.select().where((User.role == "admin") & User.active))
        return admins, HandedOver(**vars(late), recruiter=recruiter.name)

    owed = list(followup.owed_word(day))
    lateness = followup.lateness(owed, day)
    for application in owed:
        to, late = owing(application, lateness[application.id])
        for user in to:
            digests.setdefault(user.id, Digest(user, "recruiter")).items.append(
                Owed(application, late)
            )
    asking = list(answers.owed_answer())
    lateness = answers.answer_lateness(asking, day)
    for application in asking:
        to, late = owing(application, lateness[application.id])
        for user in to:
            digests.setdefault(user.id, Digest(user, "recruiter")).answers.append(
                OwedAnswer(application, late)
            )
    return sorted(digests.values(), key=lambda d: d.user.email)


def manager_digests(day: date) -> list[Digest]:
    """Per active hiring manager, the scorecards they owe as of ``day``: the very list
    their home page shows (portal.followup.managers), in its order."""
    return [
        Digest(each.manager, "manager", each.scorecards) for each in managers.owed_by_manager(day)
    ]


def _admin_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def send_digest(digest: Digest, day: date) -> bool:
    """Queue ``digest`` unless this person already had this kind of digest on ``day``."""
    # Someone else's candidates are not in this person's own view of the queue.
    everything = digest.items + digest.answers
    handed_over = any(isinstance(getattr(i, "lateness", None), HandedOver) for i in everything)
    queue = "/admin/followup/" if handed_over else f"/admin/followup/?recruiter={digest.user.id}"
    subject, text, html = mail.render(
        f"digest_{digest.kind}",
        user=digest.user,
        items=digest.items,
        answers=digest.answers,
        day=day,
        queue_url=_admin_url(queue),
        base_url=_admin_url(""),
    )
    try:
        with database.atomic():
            Reminder.create(user=digest.user, day=day, kind=digest.kind, items=len(everything))
            Mail.create(
                kind=f"digest_{digest.kind}",
                to=digest.user.email,
                subject=subject,
                text=text,
                html=html,
            )
    except peewee.IntegrityError:
        return False  # already sent today, by this run's predecessor or a racing one
    return True


def auto_close(day: date) -> list[Application]:
    """Close what has been overdue past AUTO_CLOSE_DAYS, with the default note."""
    closed = []
    for application in followup.auto_close_due(day):
        note = actions.stale_note(application)
        domain.close(
            None,
            application,
            application.version,
            "rejected",
            note,
            reason="Closed automatically: no word for too long.",
            closure_reason=reasons.system_reason(default_reasons.AUTO_CLOSED),
        )
        closed.append(application)
    return closed


def dry_run_line(application: Application, lateness: followup.Lateness) -> str:
    """REF, reply-by date, lateness, job, recruiter, and the proposal if any; tab-separated."""
    promised = application.reply_by.isoformat() if application.reply_by else "none"
    return "\t".join(
        [
            application.ref,
            promised,
            lateness.words if application.reply_by else "no reply-by date",
            application.job.ref,
            application.job.recruiter.email,
            "proposed for closure" if lateness.proposed else "",
        ]
    ).rstrip("\t")


def run(day: date, dry_run: bool) -> int:
    """One day's run: close what is due, refresh the facts, send the digests; returns how
    many mails failed (each step is reported on standard output)."""
    late = list(followup.overdue(day))
    lateness = followup.lateness(late, day)
    if dry_run:
        for application in late:
            click.echo(dry_run_line(application, lateness[application.id]))
        click.echo(f"{len(late)} overdue as of {day.isoformat()}; nothing sent.", err=True)
        return 0
    closed = auto_close(day)
    facts.refresh(full=True)  # the nightly sweep the health page's quick refresh relies on
    digests = recruiter_digests(day) + manager_digests(day)  # active staff only
    sent = sum(send_digest(digest, day) for digest in digests)
    delivered, failed = mail.send_pending(wait=True)
    click.echo(
        f"{len(late)} overdue as of {day.isoformat()}; closed {len(closed)} automatically; "
        f"queued {sent} digest(s), {len(digests) - sent} already sent that day; "
        f"mail sent {delivered}, failed {failed}."
    )
    return failed
