"""Shared by every domain operation: role checks, and text and email validation (the
audit log's writer is portal.store.audit)."""

import re

from email_validator import EmailNotValidError
from email_validator import validate_email

from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.models import User

#: Roles that act on jobs and applications.
STAFF = ("admin", "recruiter")


def require_staff(actor: User | None, roles=STAFF) -> None:
    if actor is not None and actor.role not in roles:
        raise Forbidden("Only an admin or a recruiter can do that.")


def clean_text(value: str | None, label: str, required: bool = False, limit: int = 10_000) -> str:
    value = (value or "").replace("\r\n", "\n").strip()  # as a browser posts a textarea
    if "\x00" in value:  # PostgreSQL cannot store it; refused on SQLite too, alike
        raise Invalid(f"{label} contains a NUL character; remove it.")
    if required and not value:
        raise Invalid(f"{label} is required.")
    if len(value) > limit:
        raise Invalid(f"{label} is too long ({len(value)} characters; at most {limit}).")
    return value


def normalise_email(email: str) -> str:
    """A valid address, lower-cased, or Invalid naming the problem."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Invalid(f"{email!r} is not a valid email address: {error}") from None


#: Erased applications belong to a candidate ``erased-<application id>@ERASED_DOMAIN``
#: (a reserved domain: nothing can ever be sent there). Erasure makes these addresses;
#: the import accepts them, and no other address of that domain.
ERASED_DOMAIN = "erased.invalid"
ERASED_EMAIL = re.compile(rf"erased-[0-9]+@{re.escape(ERASED_DOMAIN)}")
