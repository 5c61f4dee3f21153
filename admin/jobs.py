"""Jobs: the list with counts, creating and editing a job, and its board."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from markupsafe import Markup

from admin.access import actor
from admin.access import can_act
from admin.access import can_change_recruiter
from admin.access import job_or_404
from admin.access import restricted_to
from admin.access import staff_required
from admin.blueprint import bp
from admin.forms import JobForm
from admin.forms import options
from portal import domain
from portal.clock import today
from portal.domain import queries
from portal.domain import STAFF
from portal.errors import Conflict
from portal.errors import Invalid
from portal.store.models import User

#: Cards shown per stage on the board; the column links to the full list.
CARDS_PER_STAGE = 8


@bp.route("/jobs/")
@login_required
def jobs():
    """Every job the user may see, with its applications counted by status: the open
    ones, then the closed ones that still have active candidates (they are owed word),
    and the other closed ones only when asked for."""
    include_closed = request.args.get("closed") == "1"
    every = list(queries.jobs(restricted_to(current_user)))
    counts = queries.status_counts([job.id for job in every])
    closed = [job for job in every if not job.open]
    owing = [job for job in closed if counts[job.id]["active"]]
    return render_template(
        "admin/jobs.html",
        jobs=[job for job in every if job.open],
        closed=closed if include_closed else owing,
        hidden=0 if include_closed else len(closed) - len(owing),
        counts=counts,
        include_closed=include_closed,
    )


@bp.route("/jobs/<ref>/")
@login_required
def board(ref):
    """A job's pipeline as columns of stages, with counts and the freshest cards."""
    job = job_or_404(ref)
    pipeline = queries.stages(job)
    columns, closed = queries.board(job, pipeline, CARDS_PER_STAGE)
    return render_template(
        "admin/board.html",
        job=job,
        columns=columns,
        closed=closed,
        managers=queries.job_managers(job),
        can_act=can_act(current_user),
        today=today(),
    )


def _job_form(job=None) -> JobForm:
    if job is None:
        form = JobForm(data={"recruiter": current_user.id})
    else:
        data = {
            "title": job.title,
            "team": job.team,
            "location": job.location,
            "recruiter": job.recruiter_id,
            "managers": [u.id for u in queries.job_managers(job)],
            "stale_days": job.stale_days,
            "open": job.open,
        }
        form = JobForm(data=data)
    form.managers.choices = options((u.id, u.name) for u in queries.staff(("manager",)))
    if job is not None and not can_change_recruiter(current_user):
        del form.recruiter  # a recruiter's edit keeps the job's recruiter: shown, not asked
        return form
    recruiters = queries.staff(STAFF)
    if job is not None and all(u.id != job.recruiter_id for u in recruiters):
        recruiters.append(job.recruiter)  # keep a deactivated recruiter selectable
    form.recruiter.choices = options((u.id, f"{u.name} ({u.role})") for u in recruiters)
    return form


def _save(form: JobForm, job=None, seen=None):
    """Parse the job form and save it through the domain; the job, or None on refusal.

    Raises ``Conflict`` when the job changed since ``seen``, the stamp the form carried.
    """
    recruiter = job.recruiter_id if form.recruiter is None else form.recruiter.data
    wanted = [recruiter, *form.managers.data]
    users = {u.id: u for u in User.select().where(User.id.in_(wanted))}
    try:
        return domain.save_job(
            actor(),
            job=job,
            ref=form.ref.data if job is None else None,
            title=form.title.data,
            team=form.team.data,
            location=form.location.data,
            recruiter=users[recruiter],
            managers=[users[m] for m in form.managers.data],
            is_open=form.open.data,
            stale_days=form.stale_days.data,
            seen=seen,
        )
    except Invalid as error:
        flash(error.message, "error")
        return None


@bp.route("/jobs/new", methods=["GET", "POST"])
@staff_required
def new_job():
    """Create a job; it starts from the default pipeline."""
    form = _job_form()
    if form.validate_on_submit():
        job = _save(form)
        if job is not None:
            flash(
                f"Created {job.title} with the default pipeline: adjust its stages here.", "success"
            )
            return redirect(url_for("admin.stages", ref=job.ref))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/job_form.html", form=form, job=None), status


@bp.route("/jobs/<ref>/edit", methods=["GET", "POST"])
@staff_required
def edit_job(ref):
    """Edit a job's details, recruiter (admins only) and hiring managers, and see its
    history of changes.

    The form carries the job's stamp as the user saw it; when someone else saved the job
    or its pipeline meanwhile, the page comes back (409) with the job as it is now beside
    the form as the user typed it, and the next save applies to what they now see.
    """
    job = job_or_404(ref)
    form = _job_form(job)
    seen = request.form.get("seen", "") if request.method == "POST" else domain.job_stamp(job)
    if form.validate_on_submit():
        try:
            saved = _save(form, job, seen)
        except Conflict as error:
            job = job_or_404(ref)
            return _edit_page(job, form, domain.job_stamp(job), 409, error.message, current=True)
        if saved is not None:
            flash(f"Saved {job.title}.", "success")
            active = _active(saved)
            if not saved.open and active:
                flash(_still_owed(saved, active), "info")
            return redirect(url_for("admin.board", ref=job.ref))
    return _edit_page(job, form, seen, 400 if request.method == "POST" else 200)


def _active(job) -> int:
    """How many of the job's applications are active."""
    return queries.status_counts([job.id])[job.id]["active"]


def _still_owed(job, active: int) -> Markup:
    """The warning that a closed job still has active candidates, with its board."""
    return Markup(
        "{title} is closed to new candidates, but {count} active candidate{s} {are} "
        "still in its pipeline: they can still be moved and closed, and they are owed "
        'word. <a href="{board}">See them on its board</a>.'
    ).format(
        title=job.title,
        count=active,
        s="s" if active != 1 else "",
        are="are" if active != 1 else "is",
        board=url_for("admin.board", ref=job.ref),
    )


def _edit_page(job, form, seen, status, error=None, current=False):
    """The job form and the job's history; with ``current``, the job as it is now is
    shown beside it."""
    shown = {"managers": queries.job_managers(job)} if current else {}
    history = queries.job_history(job)
    return (
        render_template(
            "admin/job_form.html",
            form=form,
            job=job,
            seen=seen,
            error=error,
            history=history,
            active=_active(job) if job is not None else 0,
            **shown,
        ),
        status,
    )
