"""Staff accounts (admins only) and the closure-note templates."""

import pytest
from helpers.admin_client import forms as forms_of
from helpers.admin_client import submit
from helpers.http import Auth

from portal import domain
from portal.errors import Invalid
from portal.store.models import ClosureTemplate
from portal.store.models import User


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Alex Admin")


def test_admin_lists_users(client, auth, admin, make_user):
    make_user("manager", name="Max Manager", email="max@example.com")
    auth.login(admin)
    page = client.get("/admin/users/")
    assert page.status_code == 200
    assert "Max Manager" in page.text and "max@example.com" in page.text
    assert 'Alex Admin <span class="sub">(you)</span>' in page.text


def test_create_a_user_who_can_then_sign_in(app, client, auth, admin):
    auth.login(admin)
    page = client.get("/admin/users/")
    response = submit(
        client,
        page,
        "/admin/users/",
        name="Nina New",
        email="Nina@Example.com",
        role="manager",
        password="a long password",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users/"
    user = User.get(User.email == "nina@example.com")
    assert (user.name, user.role, user.active) == ("Nina New", "manager", True)
    assert "Created manager Nina New (nina@example.com)." in client.get("/admin/users/").text
    assert Auth(app.test_client()).login(user, "a long password").status_code == 302


@pytest.mark.parametrize(
    "values, message",
    [
        ({"password": "short"}, "The password needs at least 8 characters."),
        ({"email": "taken@example.com"}, "A user with the email taken@example.com already exists."),
        ({"email": "nope"}, "is not a valid email address"),
        ({"name": ""}, "This field is required."),
        ({"role": "owner"}, "Not a valid choice"),
    ],
)
def test_bad_user_input_is_refused_and_kept(client, auth, admin, make_user, values, message):
    make_user("recruiter", email="taken@example.com")
    auth.login(admin)
    typed = {"name": "Kept Name", "email": "new@example.com", "role": "recruiter"}
    typed.update({"password": "long enough password", **values})
    response = submit(client, client.get("/admin/users/"), "/admin/users/", **typed)
    assert response.status_code == 400
    assert message in response.text
    if typed["name"]:
        assert 'value="Kept Name"' in response.text
    assert User.select().count() == 2


def test_change_role_and_deactivate(app, client, auth, admin, make_user):
    user = make_user("recruiter", name="Rita Recruiter")
    auth.login(admin)
    page = client.get("/admin/users/")
    action = f"/admin/users/{user.id}"
    response = submit(client, page, action, role="manager")
    assert response.status_code == 302
    assert User.get_by_id(user.id).role == "manager"
    response = submit(client, client.get("/admin/users/"), action, active=None)
    assert response.status_code == 302
    assert User.get_by_id(user.id).active is False
    assert "Saved Rita Recruiter: manager, deactivated." in client.get("/admin/users/").text
    assert Auth(app.test_client()).login(user).status_code == 401


def test_a_deactivated_user_is_signed_out(app, client, auth, admin, make_user):
    user = make_user("recruiter")
    other = app.test_client()
    Auth(other).login(user)
    assert other.get("/admin/").status_code == 200
    auth.login(admin)
    submit(client, client.get("/admin/users/"), f"/admin/users/{user.id}", active=None)
    assert other.get("/admin/").headers["Location"].startswith("/login")


def test_an_admin_cannot_remove_their_own_admin_access(client, auth, admin, make_user):
    make_user("admin")  # not the last admin: the refusal is about oneself
    auth.login(admin)
    response = submit(
        client, client.get("/admin/users/"), f"/admin/users/{admin.id}", role="recruiter"
    )
    assert response.status_code == 400
    assert "You cannot take away your own admin access" in response.text
    assert User.get_by_id(admin.id).role == "admin"


def test_the_last_admin_stays(admin):
    with pytest.raises(Invalid, match="last active admin"):
        domain.update_user(None, admin, active=False)
    assert User.get_by_id(admin.id).active


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_admins_manage_users(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/users/").status_code == 403
    assert "Users</a>" not in client.get("/admin/").text


# --- closure templates ------------------------------------------------------------------


def test_templates_page_shows_the_defaults(client, auth, make_user):
    auth.login(make_user("recruiter"))
    page = client.get("/admin/templates")
    assert page.status_code == 200
    for status in ("hired", "rejected", "withdrawn"):
        assert 'action="/admin/templates"' in page.text
        assert f'<h2 id="{status}-title">{status.title()}</h2>' in page.text
    assert "We have decided not to continue with your" in page.text
    assert "<code>{first_name}</code>" in page.text


def test_edit_a_template_and_closing_starts_from_it(
    client, auth, make_user, make_job, make_application
):
    recruiter = make_user("recruiter", name="Rita Recruiter")
    application = make_application(
        job=make_job(title="Designer", recruiter=recruiter), name="Ada Byron"
    )
    auth.login(recruiter)
    page = client.get("/admin/templates")
    forms = [f for f in forms_of(page.text) if f["fields"].get("status")]
    rejected = next(f for f in forms if f["fields"]["status"] == "rejected")
    body = "Hi {first_name}, not this time for {job}. {recruiter} {reason}"
    response = client.post(rejected["action"], data={**rejected["fields"], "rejected-body": body})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/templates#rejected"
    assert ClosureTemplate.get(ClosureTemplate.status == "rejected").body == body
    # the points of the process keep the portal's words until one is set to follow it
    page = client.get("/admin/templates")
    point = next(
        f
        for f in forms_of(page.text)
        if f["fields"].get("status") == "rejected" and f["fields"].get("point") == "applied"
    )
    client.post(point["action"], data={**point["fields"], "reset": "yes"})
    close = client.get(f"/admin/applications/{application.ref}/close?status=rejected")
    assert "Hi Ada, not this time for Designer. Rita Recruiter {reason}</textarea>" in close.text


def test_an_empty_template_is_refused(client, auth, make_user):
    auth.login(make_user("recruiter"))
    page = client.get("/admin/templates")
    forms = [f for f in forms_of(page.text) if f["fields"].get("status")]
    hired = next(f for f in forms if f["fields"]["status"] == "hired")
    response = client.post(hired["action"], data={**hired["fields"], "hired-body": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert ClosureTemplate.select().count() == 0


def test_managers_cannot_edit_templates(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/admin/templates").status_code == 403
