"""The retention policy, applied by `portal purge` (run it daily from cron):

- applications closed more than ``RETENTION_DAYS`` ago are erased (portal.privacy.actions), and
  a candidate left with nothing else is deleted whole;
- candidates' erasure requests older than ``ERASURE_DAYS`` are carried out;
- staff email (digests name candidates) older than ``RETENTION_DAYS`` is deleted.

Each erasure also forgets the application's reply address, so `portal inbox` refuses
replies to it from then on.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from flask import current_app

from portal.clock import now
from portal.privacy import actions as privacy
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import ErasureRequest
from portal.store.models import Mail


@dataclass
class Plan:
    """What a purge erases; ``--dry-run`` prints it and stops."""

    cutoff: datetime | None
    requests: list[ErasureRequest] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    #: The refs of the candidates' applications (gone from them once erased).
    candidate_refs: list[str] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    staff_mail: int = 0

    @property
    def empty(self) -> bool:
        return not (self.requests or self.candidates or self.applications or self.staff_mail)


def retention() -> timedelta | None:
    """How long closed applications are kept; None when the policy is off (0)."""
    days = current_app.config["RETENTION_DAYS"]
    return timedelta(days=days) if days > 0 else None


def _expired(cutoff: datetime):
    not_erased = ~Candidate.email.endswith("@" + privacy.ERASED_DOMAIN)
    return (
        Application.select(Application, Candidate)
        .join(Candidate)
        .where((Application.status != "active") & (Application.closed < cutoff) & not_erased)
        .order_by(Application.id)
    )


def plan(moment: datetime | None = None) -> Plan:
    """What a purge at ``moment`` would erase."""
    moment = moment or now()
    keep = retention()
    result = Plan(cutoff=moment - keep if keep else None)
    result.requests = list(privacy.pending_requests().where(ErasureRequest.due <= moment))
    asked = {r.candidate_id for r in result.requests}
    if result.cutoff is None:
        return result
    expired = list(_expired(result.cutoff))
    by_candidate: dict[int, list[Application]] = {}
    for application in expired:
        if application.candidate_id not in asked:
            by_candidate.setdefault(application.candidate_id, []).append(application)
    for candidate_id, applications in by_candidate.items():
        others = Application.select().where(
            (Application.candidate == candidate_id)
            & Application.id.not_in([a.id for a in applications])
        )
        if others.exists():
            result.applications.extend(applications)  # they have a newer one: keep the person
        else:
            result.candidates.append(applications[0].candidate)
            result.candidate_refs.extend(a.ref for a in applications)
    result.staff_mail = _old_staff_mail(result.cutoff).count()
    return result


def _old_staff_mail(cutoff: datetime):
    return Mail.select().where(
        Mail.application.is_null() & Mail.sent.is_null(False) & (Mail.created < cutoff)
    )


def purge(moment: datetime | None = None) -> Plan:
    """Carry out the plan, each erasure in its own transaction (a failure keeps the rest)."""
    result = plan(moment)
    for request in result.requests:
        privacy.carry_out_request(None, request, why="candidate's request, due")
    for candidate in result.candidates:
        privacy.erase_candidate(None, candidate, why="retention")
    for application in result.applications:
        privacy.erase_application(None, application, why="retention")
    if result.staff_mail:
        with database.atomic():
            ids = [m.id for m in _old_staff_mail(result.cutoff).select(Mail.id)]
            Mail.delete().where(Mail.id.in_(ids)).execute()
            privacy.audit(None, "purge", "staff email", deleted=len(ids))
    return result


def lines(result: Plan, dry_run: bool) -> list[str]:
    """What the purge did (or would do), in a few lines with references, never names."""
    verb = "Would erase" if dry_run else "Erased"
    out = []
    if result.cutoff is None:
        out.append("Retention is off (PORTAL_RETENTION_DAYS=0): closed applications are kept.")
    else:
        out.append(f"Retention: applications closed before {result.cutoff:%Y-%m-%d}.")
    if result.requests:
        out.append(f"{verb} {len(result.requests)} candidate(s) who asked for erasure.")
    if result.candidates:
        whole = _refs(result.candidate_refs)
        out.append(f"{verb} {len(result.candidates)} candidate(s) whole: {whole}.")
    if result.applications:
        refs = [a.ref for a in result.applications]
        out.append(
            f"{verb} {len(refs)} old application(s) of candidates with newer ones: {_refs(refs)}."
        )
    if result.staff_mail:
        out.append(
            f"{'Would delete' if dry_run else 'Deleted'} {result.staff_mail} old staff email(s)."
        )
    if result.empty:
        out.append("Nothing to purge.")
    return out


def _refs(refs: list[str]) -> str:
    return ", ".join(refs[:20]) + (f" and {len(refs) - 20} more" if len(refs) > 20 else "")
