"""What every page shares (portal/web/views.py): F4 of docs/security.md for path segments.

A NUL in any path variable of any route, staff or candidate, is a 404 that no view
answers with a database lookup: PostgreSQL refuses NUL in text, so a view that looked it
up answered with a 500. The routes are walked from ``app.url_map`` (signed in as an
admin), so a route added later is covered without editing this file. Candidate
addresses keep the one dead-link page, byte for byte.
"""

import peewee
import pytest
from helpers.http import csrf_token

from portal.candidates import links
from portal.store import db

NUL = "\x00"

#: Converters whose values are digits: a NUL cannot be put in them.
NUMERIC = ("IntegerConverter", "NumberConverter", "FloatConverter")


@pytest.fixture
def world(app, make_user, make_job, make_application):
    admin = make_user("admin", name="Ada Admin")
    job = make_job(title="Walked Job")
    application = make_application(job=job)
    app.config["DEAD_LINK_RATE_LIMIT"] = "1000 per minute"  # the walk opens many dead links
    return {"admin": admin, "job": job, "application": application}


@pytest.fixture
def parameters(monkeypatch):
    """The parameters of every SQL statement run from here on."""
    seen: list = []
    real = db.database.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        seen.extend(params or ())
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", recording)
    return seen


def real_value(rule, name: str, world: dict) -> str:
    """A value that names something that exists, for the rule's text argument ``name``."""
    if name == "ref":
        return world["job"].ref if "/jobs/" in rule.rule else world["application"].ref
    if name == "token":
        return links.live(world["application"]).token
    if name == "action":
        return "withdraw"
    return "x"


def text_arguments(rule) -> list[str]:
    return [n for n in rule.arguments if type(rule._converters[n]).__name__ not in NUMERIC]


def build(app, rule, values: dict) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)


def send(client, method: str, path: str, token: str):
    data = {"csrf_token": token} if method != "GET" else None
    return client.open(path, method=method, data=data)


def test_f4_a_nul_in_any_path_variable_is_a_404_and_reaches_no_query(
    app, client, auth, world, parameters
):
    """F4: every route with a text path variable, that variable holding a NUL, each
    method, signed in as an admin: a 404 (the dead-link page under /c/), never a 500, and
    no SQL statement is given the NUL."""
    auth.login(world["admin"])
    token = csrf_token(client.get("/admin/"))
    dead = client.get("/c/not-a-token/")
    assert dead.status_code == 404
    walked = []
    for rule in app.url_map.iter_rules():
        for name in text_arguments(rule):
            values = {n: real_value(rule, n, world) for n in text_arguments(rule)}
            values.update({n: 1 for n in rule.arguments if n not in values})
            values[name] += NUL
            path = build(app, rule, values)
            assert "%00" in path, path
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                parameters.clear()
                response = send(client, method, path, token)
                where = f"{method} {path} ({rule.rule})"
                assert response.status_code == 404, where
                if path.startswith("/c/"):
                    assert response.data == dead.data, where
                assert not any(NUL in str(p) for p in parameters), where
                walked.append(rule.rule)
    # The walk reached the routes the penetration test named (a broken walk tests nothing).
    for expected in (
        "/admin/applications/<ref>/",
        "/admin/applications/<ref>/preview",
        "/admin/applications/<ref>/close",
        "/admin/jobs/<ref>/",
        "/admin/jobs/<ref>/edit",
        "/admin/jobs/<ref>/stages",
        "/admin/followup/<ref>/close",
        "/c/<token>/",
        "/c/<path:anything>",
    ):
        assert expected in walked, expected


@pytest.mark.parametrize(
    "path",
    [
        "/admin/applications/A%00/",
        "/admin/applications/A%00",  # without its slash: no redirect to the NUL address
        "/admin/jobs/J%00/edit",
        "/admin/jobs/%00/",
        "/admin%00/",
        "/admin/jobs/new%00",
        "/healthz%00",
        "/login%00",
        "/static/css/admin.css%00",
    ],
)
def test_f4_a_nul_anywhere_in_a_staff_path_is_a_404(client, auth, world, parameters, path):
    """F4: the addresses the penetration test tried, and a NUL in a fixed segment."""
    auth.login(world["admin"])
    parameters.clear()
    response = client.get(path)
    assert response.status_code == 404
    assert not any(NUL in str(p) for p in parameters)


@pytest.mark.parametrize("path", ["/c/A%00/", "/c/%00/", "/c/A%00/withdraw", "/c/fresh-link%00"])
def test_f4_a_nul_in_a_candidate_path_is_the_dead_link_page(client, world, path):
    """F4: under /c/ the answer stays the one dead-link page, headers and bytes."""
    dead = client.get("/c/not-a-token/")
    for method in ("GET", "POST"):
        response = client.open(path, method=method)
        assert response.status_code == 404, method
        assert response.data == dead.data, method
        assert sorted(response.headers.items()) == sorted(dead.headers.items()), method


def test_f4_a_good_path_still_answers(client, auth, world):
    """F4, the control: the same routes without the NUL find what they name."""
    auth.login(world["admin"])
    job, application = world["job"], world["application"]
    assert client.get(f"/admin/jobs/{job.ref}/edit").status_code == 200
    assert client.get(f"/admin/applications/{application.ref}/").status_code == 200
    assert client.get(f"/c/{links.live(application).token}/").status_code == 200


# --- staff error pages ---------------------------------------------------------------

#: Werkzeug's stock words, which a staff page never shows.
STOCK = (
    "The requested URL was not found on the server",
    "The server encountered an internal error",
    "You don't have the permission",
    "The browser (or proxy) sent a request",
)


def in_the_house_layout(response) -> str:
    """The page's text, after checking it is the admin's layout with a way back."""
    text = response.text
    assert '<header class="top">' in text and 'href="/static/css/admin.css"' in text
    assert "Content-Security-Policy" in response.headers
    assert not any(stock in text for stock in STOCK)
    return text


def test_an_unknown_staff_address_is_a_404_in_the_house_layout(client, auth, world):
    auth.login(world["admin"])
    response = client.get("/admin/no-such-page")
    assert response.status_code == 404
    text = in_the_house_layout(response)
    assert "<title>Page not found · " in text and "<h1>Page not found</h1>" in text
    assert 'aria-label="Main"' in text  # signed in: the admin's own navigation
    assert '<a href="/admin/">Back to the start</a>' in text


def test_signed_out_an_unknown_staff_address_offers_to_sign_in(client):
    response = client.get("/admin/no-such-page")
    assert response.status_code == 404
    text = in_the_house_layout(response)
    assert '<a href="/login">Sign in</a>' in text and "Back to the start" not in text


def test_an_internal_error_is_a_500_page_with_no_traceback(app, client, auth, world, monkeypatch):
    """What failed is in the log, never on the page."""

    def broken():
        raise RuntimeError("secret detail: password=hunter2")

    auth.login(world["admin"])
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    monkeypatch.setitem(app.view_functions, "admin.jobs", broken)
    response = client.get("/admin/jobs/")
    assert response.status_code == 500
    text = in_the_house_layout(response)
    assert "<h1>Something went wrong on our side</h1>" in text
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret detail", 'File "'):
        assert leak not in text
    assert '<a href="/admin/">Back to the start</a>' in text


def test_a_500_whose_database_fails_too_is_still_the_house_page(
    app, client, auth, world, monkeypatch
):
    """Drawn for nobody in particular when loading the signed-in user fails as well."""

    def broken():
        raise RuntimeError("secret detail")

    def unreachable(_user_id):
        raise peewee.InterfaceError("connection already closed")

    auth.login(world["admin"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setitem(app.view_functions, "admin.jobs", broken)
    monkeypatch.setattr(app.login_manager, "_user_callback", unreachable)
    response = client.get("/admin/jobs/")
    assert response.status_code == 500
    text = in_the_house_layout(response)
    assert "<h1>Something went wrong on our side</h1>" in text
    assert '<a href="/login">Sign in</a>' in text and "secret detail" not in text


def test_a_role_without_access_gets_a_403_in_the_house_layout(client, auth, make_user):
    auth.login(make_user("manager"))
    response = client.get("/admin/users/")
    assert response.status_code == 403
    text = in_the_house_layout(response)
    assert "<h1>Not for your role</h1>" in text and "As a manager you cannot" in text


def test_a_bad_request_says_its_own_reason_in_the_house_layout(client, auth, world):
    auth.login(world["admin"])
    response = client.get("/admin/metrics/?start=2026-13-01")
    assert response.status_code == 400
    text = in_the_house_layout(response)
    assert "<h1>That did not work</h1>" in text
    assert "The start date &#39;2026-13-01&#39; is not a date: use YYYY-MM-DD." in text


def test_candidate_errors_keep_the_candidates_own_pages(app, client, world, monkeypatch):
    """Under /c/ nothing changes: a dead link is the dead-link page, a failure the
    candidate's short message page, never the staff layout."""
    dead = client.get("/c/not-a-token/")
    assert dead.status_code == 404 and '<header class="top">' not in dead.text

    def broken(token):
        raise RuntimeError("secret detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setitem(app.view_functions, "candidate.page", broken)
    token = links.live(world["application"]).token
    response = client.get(f"/c/{token}/")
    assert response.status_code == 500
    assert "Please try again in a minute." in response.text
    assert '<header class="top">' not in response.text and "secret detail" not in response.text
    assert response.headers["X-Robots-Tag"] == dead.headers["X-Robots-Tag"]
