"""A change an applicant tracking system tells us of, in our words: what each vendor's
webhook (portal.integrations.greenhouse, .lever) reads into, and what
portal.integrations.inbound carries out."""

from dataclasses import dataclass
from datetime import datetime

VENDORS = ("greenhouse", "lever")

#: What a change does: a new application, a move, a closure (``status`` or, when the ATS
#: does not say which, ``outcome_key`` names the mapping that does), a reopening, or new
#: details of the candidate.
ACTIONS = ("created", "moved", "closed", "reopened", "details")


@dataclass(frozen=True)
class Change:
    vendor: str
    action: str
    #: The ATS's id of the application (Greenhouse's application, Lever's opportunity).
    application_id: str = ""
    job_id: str = ""
    job_name: str = ""
    stage_id: str = ""
    stage_name: str = ""
    #: For a closure: hired, rejected or withdrawn, when the ATS says which.
    status: str = ""
    #: For a closure the ATS does not name (Lever's archive reasons): the mapping's key.
    outcome_key: str = ""
    candidate_id: str = ""
    name: str = ""
    email: str = ""
    #: For the team only: the ATS's own reason for a rejection.
    note: str = ""
    #: When the ATS made the change, by its clock (UTC, naive): orders deliveries.
    at: datetime | None = None


@dataclass(frozen=True)
class Ignored:
    """A delivery that asks nothing of us (a ping, an event we do not follow)."""

    event: str
    reason: str
