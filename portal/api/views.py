"""The API's operations under /api/v1: each reads through portal.api.queries or changes
state through the same domain operations as the admin, so that a move made by an
applicant tracking system is the move a recruiter makes (its event, its email, its
audit entry). ``operation`` (portal.api.operations) does the rest."""

import re

from flask import Flask

from portal import domain
from portal.api import problems
from portal.api import queries
from portal.api import schemas
from portal.api import spec
from portal.api.operations import bp
from portal.api.operations import operation
from portal.candidates import actions as candidate_actions
from portal.domain.base import normalise_email
from portal.errors import Invalid
from portal.errors import NotFound
from portal.integrations import inbound
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import Stage
from portal.store.models import User
from portal.web.views import csrf
from portal.web.views import ERROR_FORMATS

NEW_REF = re.compile(schemas.REF_PATTERN)


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # a token in a header, never a cookie: there is no request to forge
    ERROR_FORMATS["/api/"] = problems.answer
    app.register_blueprint(bp)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, made from the schemas that validate the requests."""
    return spec.document()


# --- jobs -------------------------------------------------------------------------------


@operation("GET", "/jobs", tag="Jobs", query=schemas.ListQuery, response=schemas.Jobs)
def list_jobs(query):
    """Jobs, with their pipelines"""
    return queries.jobs(query.cursor, query.limit)


@operation("GET", "/jobs/<ref>", tag="Jobs", response=schemas.Job, errors=(404,))
def get_job(ref):
    """One job, with its pipeline"""
    return queries.job(queries.job_or_404(ref))


@operation("PUT", "/jobs/<ref>", tag="Jobs", body=schemas.JobIn, response=schemas.Job, status=200)
def put_job(ref, body):
    """Create or update a job by its ref

    Stages are matched to the job's by name: a stage left out is taken out of the pipeline
    (kept for history when applications or feedback name it). Returns 201 when the job is
    new.
    """
    existing = Job.get_or_none(Job.ref == ref) or _new(ref)
    kept = {s.name: s.id for s in queries.live_stages(existing)} if existing else {}
    stages = body.stages and [
        {**s.model_dump(), **({"id": kept[s.name]} if s.name in kept else {})} for s in body.stages
    ]
    saved = domain.save_job(
        None,
        job=existing,
        ref=ref,
        title=body.title,
        recruiter=_staff(body.recruiter, "recruiter"),
        managers=[_staff(email, "manager") for email in body.managers],
        team=body.team,
        location=body.location,
        is_open=body.open,
        stale_days=existing.stale_days if existing else None,
        stages=stages,
    )
    return queries.job(saved), 200 if existing else 201


def _new(ref: str) -> None:
    """Nothing: ``ref`` is free, and fit to name a new record (else Invalid)."""
    if not NEW_REF.fullmatch(ref):
        raise Invalid(
            f"{ref!r} cannot be a new ref: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 60."
        )


def _staff(email: str, what: str) -> User:
    user = User.get_or_none(User.email == normalise_email(email))
    if user is None or not user.active:
        raise Invalid(f"There is no active member of staff {email!r} to be the job's {what}.")
    return user


# --- applications -----------------------------------------------------------------------


@operation(
    "GET",
    "/applications",
    tag="Applications",
    query=schemas.ApplicationQuery,
    response=schemas.Applications,
)
def list_applications(query):
    """Applications, with their candidates"""
    return queries.applications(query)


@operation(
    "GET", "/applications/<ref>", tag="Applications", response=schemas.Application, errors=(404,)
)
def get_application(ref):
    """One application: where the candidate stands"""
    return queries.current(ref)


@operation(
    "PUT",
    "/applications/<ref>",
    tag="Applications",
    body=schemas.ApplicationIn,
    response=schemas.Application,
    errors=(404,),
)
def put_application(ref, body):
    """Create an application by its ref, or correct its candidate's details

    A new application starts at ``stage`` (the job's first stage when left out) and
    returns 201. For an existing one, the candidate's name and email are corrected as in
    the admin (a new address is told so); the job cannot change.
    """
    existing = Application.get_or_none(Application.ref == ref) or _new(ref)
    if existing is None:
        job = queries.job_or_404(body.job)
        stage = _stage(job, body.stage) if body.stage else None
        application = domain.add_application(
            None,
            job,
            body.candidate.name,
            body.candidate.email,
            ref=ref,
            stage=stage,
            tell=body.tell,
        )
        if body.ats:
            inbound.link(body.ats.vendor, "application", body.ats.id, application)
        return queries.current(ref), 201
    if existing.job.ref != body.job:
        raise Invalid(
            f"Application {ref} is for job {existing.job.ref}, not {body.job}: an "
            "application stays in its job (add a new one for the other job)."
        )
    # Unchanged details change nothing (and write nothing).
    candidate_actions.edit_details(None, existing, body.candidate.name, body.candidate.email)
    if body.ats:
        inbound.link(body.ats.vendor, "application", body.ats.id, existing)
    return queries.current(ref)


def _stage(job: Job, name: str) -> Stage:
    stage = next((s for s in queries.live_stages(job) if s.name == name.strip()), None)
    if stage is None:
        names = ", ".join(s.name for s in queries.live_stages(job))
        raise Invalid(f"Job {job.ref} has no stage {name!r}: its stages are {names}.")
    return stage


def change(action: str, body):
    """Declare a change to an application: ``POST /applications/<ref>/<action>``, taking
    ``body`` and the version read, answering with the application (409: as it is now)."""
    return operation(
        "POST",
        f"/applications/<ref>/{action}",
        tag="Applications",
        body=body,
        response=schemas.Application,
        errors=(404,),
        current=queries.current,
    )


def _changing(ref: str) -> Application:
    return queries.application_or_404(ref)


@change("move", schemas.MoveIn)
def move_application(ref, body):
    """Move to another stage, with word for the candidate"""
    application = _changing(ref)
    domain.move(
        None,
        application,
        _stage(application.job, body.stage),
        body.version,
        message=body.message,
        next_steps=body.next_steps,
        reply_by=body.reply_by,
        tell=body.tell,
    )
    return queries.current(ref)


@change("update", schemas.UpdateIn)
def update_application(ref, body):
    """Tell the candidate something without changing stage"""
    domain.post_update(
        None,
        _changing(ref),
        body.version,
        body.message,
        next_steps=body.next_steps or "",
        reply_by=body.reply_by,
        tell=body.tell,
    )
    return queries.current(ref)


@change("close", schemas.CloseIn)
def close_application(ref, body):
    """Close as hired, rejected or withdrawn

    Rejected and withdrawn closures name a reason from the company's list by its code;
    the closure note is the company's template for this point of the process when left
    out.
    """
    application = _changing(ref)
    note = body.closure_note
    if note is None:
        note = domain.closure_note_draft(application, body.status)
    domain.close(
        None,
        application,
        body.version,
        body.status,
        note,
        body.internal_note,
        tell=body.tell,
        closure_reason=body.reason or None,
    )
    return queries.current(ref)


@change("reopen", schemas.ReopenIn)
def reopen_application(ref, body):
    """Put a closed application back in the pipeline"""
    application = _changing(ref)
    domain.reopen(
        None,
        application,
        body.version,
        stage=_stage(application.job, body.stage) if body.stage else None,
        message=body.message,
        reply_by=body.reply_by,
        tell=body.tell,
    )
    return queries.current(ref)


@operation(
    "POST",
    "/applications/<ref>/notes",
    tag="Applications",
    body=schemas.NoteIn,
    response=schemas.Application,
    status=201,
    errors=(404,),
)
def add_note(ref, body):
    """Add an internal note, never shown to the candidate"""
    domain.add_note(None, _changing(ref), body.message)
    return queries.current(ref)


@operation(
    "GET",
    "/applications/<ref>/history",
    tag="Applications",
    response=schemas.History,
    errors=(404,),
)
def get_history(ref):
    """What the candidate's page shows of their history"""
    return queries.history(queries.application_or_404(ref))


@operation(
    "GET",
    "/applications/<ref>/scorecards",
    tag="Applications",
    response=schemas.Scorecards,
    errors=(404,),
)
def get_scorecards(ref):
    """The interviewers' scorecards, with each criterion's rating

    Internal: what the team thinks, never shown to the candidate.
    """
    return queries.scorecards(queries.application_or_404(ref))


# --- links ------------------------------------------------------------------------------


@operation(
    "GET",
    "/applications/<ref>/link",
    tag="Links",
    response=schemas.Link,
    errors=(403, 404),
    scope="write",
)
def get_link(ref):
    """The candidate's live link

    A write token only: the address is the key to the candidate's page, where they can
    act (withdraw, ask), so it is worth as much as a write.
    """
    return queries.link(queries.application_or_404(ref))


@operation("POST", "/applications/<ref>/link", tag="Links", response=schemas.Link, errors=(404,))
def issue_link(ref):
    """Issue a link, or give the live one

    Nothing is emailed: the link is yours to send, or use the admin's "send link".
    """
    application = queries.application_or_404(ref)
    return queries.link_of(application, candidate_actions.issue_link(None, application))


@operation("DELETE", "/applications/<ref>/link", tag="Links", errors=(404,), status=204)
def revoke_link(ref):
    """Revoke every link at once: the candidate's address stops working"""
    application = queries.application_or_404(ref)
    if not candidate_actions.revoke_link(None, application):
        raise NotFound(f"Application {ref} has no live link to revoke.")


# --- follow-up --------------------------------------------------------------------------


@operation("GET", "/followup", tag="Follow-up", query=schemas.QueueQuery, response=schemas.Queue)
def list_owed(query):
    """Who is owed word: overdue or due within a business day"""
    return queries.queue(query)
