"""The audit log's writer: who did what to which record, in the caller's transaction.
Below every capability, so that staff sign-in (portal.web) writes it as the domain does."""

import contextvars
import json
from contextlib import contextmanager

from portal.store.models import AuditEntry
from portal.store.models import User

#: What the system is acting for, when an integration acts (``acting_for``).
_acting_for: contextvars.ContextVar[str] = contextvars.ContextVar("acting_for", default="")


@contextmanager
def acting_for(who: str):
    """Within it, what the system (``actor`` None) does is done for ``who``: an API
    token, an ATS's webhook; the audit entries say so."""
    reset = _acting_for.set(who)
    try:
        yield
    finally:
        _acting_for.reset(reset)


def audit(actor: User | None, action: str, subject: str = "", **detail) -> AuditEntry:
    """Write one audit entry in the caller's transaction: who (None: the system, or the
    integration it acts for) did ``action`` to ``subject``, and ``detail`` as JSON. Never a
    candidate's personal data: ids, references, counts and field names, staff by name."""
    if actor is None and _acting_for.get():
        detail["for"] = _acting_for.get()
    return AuditEntry.create(
        actor=actor, action=action, subject=subject, detail=json.dumps(detail, sort_keys=True)
    )
