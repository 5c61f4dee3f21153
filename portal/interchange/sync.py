"""`portal import --sync`: a file from another system brings its later changes to the
applications already here, as the domain's own operations, so that each has its event,
its email to the candidate and its audit entry, as if a recruiter had made it: a closure
(with the file's note, or the company's template; its reason code), a reopening, a move
to the file's stage, the candidate's corrected name or address. What the file says
that is already so changes nothing, so syncing the same file twice does nothing more."""

from portal import domain
from portal.candidates import actions as candidate_actions
from portal.errors import Invalid
from portal.interchange.fields import text
from portal.interchange.fields import typed
from portal.store.audit import acting_for
from portal.store.models import Application
from portal.store.models import Stage
from portal.store.models import STATUSES


def sync(application: Application, data: dict, stage_of) -> list[str]:
    """Bring ``application`` to what ``data`` (an application record of the import file)
    says; ``stage_of(job_ref, name)`` finds a stage. What changed, in words."""
    job_ref = text(data, "job", True).strip()
    if job_ref != application.job.ref:
        raise Invalid(
            f"it is for job {application.job.ref} here, not {job_ref}: an application "
            "stays in its job"
        )
    status = text(data, "status") or "active"
    if status not in STATUSES:
        raise Invalid(f"unknown status {status!r}")
    stage = stage_of(job_ref, text(data, "stage")) if text(data, "stage") else None
    changed = []
    with acting_for("import --sync"):
        changed += _details(application, typed(data, "candidate", (dict,), required=True))
        application = Application.get_by_id(application.id)
        if status == "active":
            changed += _active(application, stage)
        else:
            changed += _closed(application, status, data, stage)
    return changed


def _details(application: Application, candidate: dict) -> list[str]:
    corrected = candidate_actions.edit_details(
        None, application, text(candidate, "name", True), text(candidate, "email", True)
    )
    return [f"corrected {', '.join(corrected.changed)}"] if corrected.changed else []


def _active(application: Application, stage: Stage | None) -> list[str]:
    if not application.is_active:
        domain.reopen(None, application, application.version, stage=stage)
        return ["reopened"]
    if stage is not None and stage.id != application.stage_id:
        domain.move(None, application, stage, application.version)
        return [f"moved to {stage.name}"]
    return []


def _closed(application: Application, status: str, data: dict, stage) -> list[str]:
    if application.status == status:
        return []
    changed = []
    if not application.is_active:  # closed otherwise here: quietly reopened, then closed
        domain.reopen(None, application, application.version, stage=stage, tell=False)
        application = Application.get_by_id(application.id)
        changed.append("reopened")
    note = text(data, "closure_note") or domain.closure_note_draft(application, status)
    domain.close(
        None,
        application,
        application.version,
        status,
        note,
        text(data, "closed_reason"),
        closure_reason=text(data, "closure_reason") or None,
    )
    return [*changed, f"closed as {status}"]
