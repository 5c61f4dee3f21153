"""Who may see and do what in the admin: every permission predicate lives here.

- admin: everything, including users and who a job's recruiter is.
- recruiter: every job and application; all actions but naming a job's recruiter
  (the job's recruiter reads all its feedback: a recruiter's edit keeps it).
- manager: only the jobs they are on (other jobs and their applications are a 404,
  as if they did not exist), read-only except for feedback (other actions are a 403);
  never a candidate's email address (they assess, they do not write to candidates).
"""

import functools

from flask import abort
from flask_login import current_user
from flask_login import login_required

from admin.blueprint import bp
from portal.domain import queries
from portal.domain import STAFF
from portal.domain.jobs import may_change_recruiter
from portal.store.models import Application
from portal.store.models import Job
from portal.store.models import User


def actor() -> User:
    """The signed-in user, as the domain operations take it (not a proxy)."""
    return current_user._get_current_object()


def restricted_to(user: User) -> User | None:
    """The manager whose jobs bound what ``user`` sees, or None for no bound."""
    return user if user.role == "manager" else None


def can_act(user: User) -> bool:
    """May change jobs, pipelines, applications and templates."""
    return user.role in STAFF


def can_change_recruiter(user: User) -> bool:
    """May name another recruiter for a job (the domain refuses it to anyone else)."""
    return may_change_recruiter(user)


@bp.app_template_global("can_see_contact")
def can_see_contact(user: User) -> bool:
    """May see a candidate's email address: those who write to candidates (admins and
    recruiters), not the hiring managers."""
    return user.role in STAFF


def can_manage_users(user: User) -> bool:
    """May create users and change their role or access."""
    return user.role == "admin"


def can_give_feedback(user: User, application: Application) -> bool:
    """May submit a scorecard: the job's managers, and staff (as the domain allows)."""
    return can_act(user) or any(m.id == user.id for m in queries.job_managers(application.job))


def staff_required(view):
    """Signed in with a role that acts; managers get a 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_act(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Signed in as an admin; anyone else gets a 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_manage_users(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def job_or_404(ref: str) -> Job:
    """The job ``ref`` if the signed-in user may see it."""
    job = queries.job(ref, restricted_to(current_user))
    if job is None:
        abort(404)
    return job


def application_or_404(ref: str) -> Application:
    """The application ``ref`` if the signed-in user may see it."""
    application = queries.application(ref, restricted_to(current_user))
    if application is None:
        abort(404)
    return application
