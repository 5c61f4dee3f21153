"""What a change would send and show, before it is made: the change runs for real in a
transaction that is then rolled back, so the preview is the very email the domain would
queue and the very page the candidate would read, never a second rendering that could
drift from them. Rolling back also drops the mail's after-commit send: nothing leaves.
"""

from collections.abc import Callable
from typing import NamedTuple

from peewee import fn

from portal.candidates import links
from portal.candidates import page as pages
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Job
from portal.store.models import Mail


class Preview(NamedTuple):
    """One application's side of a change: the candidate, their emails, their page."""

    application: Application
    mails: list[Mail]
    #: The page after the change, inert (no form can be sent); None without a live link.
    page: str | None


class _Undo(Exception):
    def __init__(self, previews: list[Preview]):
        self.previews = previews


def rehearse(operation: Callable[[], object], application_ids: list[int] | None) -> list[Preview]:
    """Run ``operation`` and roll it back; what it would have emailed to, and shown on
    the pages of, ``application_ids`` (the page of the first only: one shows what all
    get; None: the application the operation returns, which it created). A refusal
    (Invalid, Conflict) propagates as the operation raised it."""
    if database.transaction_depth():
        raise RuntimeError("a rehearsal must be the outermost transaction: it rolls back")
    before = last_mail_id()
    try:
        with database.atomic():
            result = operation()
            ids = application_ids if application_ids is not None else [result.id]
            raise _Undo([_preview(id_, before, i == 0) for i, id_ in enumerate(ids)])
    except _Undo as undo:
        return undo.previews


def last_mail_id() -> int:
    """The newest mail's id: what a change queues after this is numbered above it."""
    return Mail.select(fn.MAX(Mail.id)).scalar() or 0


def queued_since(before: int, application_ids: list[int]) -> list[Mail]:
    """The mail queued for ``application_ids`` since ``last_mail_id`` gave ``before``."""
    return list(
        Mail.select()
        .where((Mail.id > before) & Mail.application.in_(application_ids))
        .order_by(Mail.id)
    )


def _preview(application_id: int, before: int, with_page: bool) -> Preview:
    # with its candidate and job read now: the rows may be gone once it rolls back
    application = (
        Application.select(Application, Candidate, Job)
        .join(Candidate)
        .switch(Application)
        .join(Job)
        .where(Application.id == application_id)
        .get()
    )
    link = links.live(application) if with_page else None
    found = pages.find_by_id(link.id) if link else None
    page = None
    if found is not None:
        page = pages.render(pages.model(found) | {"action": "#preview-", "form_token": ""})
    return Preview(application, queued_since(before, [application_id]), page)
