"""Staff accounts (admins only): list, create or invite, change role, deactivate."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for

from admin.access import actor
from admin.access import admin_required
from admin.blueprint import bp
from admin.forms import UserAccessForm
from admin.forms import UserForm
from portal import domain
from portal.domain import queries
from portal.errors import Invalid
from portal.identity import invitations
from portal.store.models import User


def _render(form, status=200, error=None, access_forms=None):
    rows = queries.users()
    forms = {u.id: UserAccessForm(prefix=f"u{u.id}", formdata=None, obj=u) for u in rows}
    forms.update(access_forms or {})
    return (
        render_template("admin/users.html", users=rows, form=form, access=forms, error=error),
        status,
    )


@bp.route("/users/")
@admin_required
def users():
    """Every member of staff."""
    return _render(UserForm(formdata=None))


@bp.post("/users/")
@admin_required
def create_user():
    """Add a member of staff."""
    form = UserForm()
    if not form.validate():
        return _render(form, 400)
    try:
        if form.password.data:
            user = domain.create_user(
                form.email.data, form.name.data, form.role.data, form.password.data, actor=actor()
            )
        else:
            user = invitations.invite(actor(), form.email.data, form.name.data, form.role.data)
    except Invalid as error:
        return _render(form, 400, error.message)
    if form.password.data:
        flash(f"Created {user.role} {user.name} ({user.email}).", "success")
    else:
        flash(
            f"Invited {user.name} ({user.email}) as {user.role}: the email is on its way.",
            "success",
        )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>")
@admin_required
def update_user(user_id):
    """Change a user's role, or whether they can sign in."""
    user = User.get_or_none(User.id == user_id) or abort(404)
    form = UserAccessForm(prefix=f"u{user.id}")
    if not form.validate():
        return _render(UserForm(formdata=None), 400, access_forms={user.id: form})
    try:
        domain.update_user(actor(), user, role=form.role.data, active=form.active.data)
    except Invalid as error:
        return _render(UserForm(formdata=None), 400, error.message, {user.id: form})
    flash(
        f"Saved {user.name}: {user.role}, {'active' if user.active else 'deactivated'}.", "success"
    )
    return redirect(url_for("admin.users"))
