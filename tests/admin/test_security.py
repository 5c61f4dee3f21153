"""docs/security.md for the staff side: A1 (no login), A2 (managers and other jobs),
A4 (CSRF on every POST), A5 (script in every free-text field, inert on every admin page).

A1, A2 and A4 walk ``app.url_map``, so a route added later is covered without editing
this file."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from helpers.admin_client import fill
from helpers.admin_client import forms
from helpers.admin_client import submit
from helpers.factories import PASSWORD
from helpers.http import Auth
from helpers.http import csrf_token

from portal import domain
from portal.clock import today
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import Job
from portal.store.models import MODELS
from portal.store.models import Stage
from portal.store.models import User

CSRF_REFUSAL = "The form had expired or did not come from this site."


def snapshot() -> dict:
    """Every row of every table: to prove that a refused request changed nothing."""
    return {
        m._meta.table_name: sorted(map(repr, m.select().tuples().order_by(*m._meta.sorted_fields)))
        for m in MODELS
    }


@pytest.fixture
def world(make_user, make_job, make_application):
    """Two jobs; a manager on the first only; applications (active, closed) on each."""
    admin = make_user("admin")
    manager = make_user("manager")
    recruiter = make_user("recruiter")
    mine = make_job(title="Managed Job", recruiter=recruiter, managers=[manager])
    other = make_job(title="Other Job", recruiter=recruiter)
    worlds = {}
    for name, job in (("mine", mine), ("other", other)):
        active = make_application(job=job)
        closed = make_application(job=job)
        domain.close(None, closed, closed.version, "rejected", "Sorry", "Reason")
        interviews = Stage.get((Stage.job == job) & (Stage.name == "Interviews"))
        author = manager if name == "mine" else recruiter
        feedback = domain.submit_feedback(author, active, interviews, 3, "yes", "S", "C")
        worlds[name] = {"job": job, "active": active, "closed": closed, "feedback": feedback}
    return {"admin": admin, "manager": manager, "recruiter": recruiter, **worlds}


def arguments(rule, side: dict, application_key="active") -> dict:
    """Values for a rule's arguments, from one side of the world."""
    values = {}
    for name in rule.arguments:
        if name == "ref":
            is_job = rule.rule.startswith("/admin/jobs/")
            values[name] = side["job"].ref if is_job else side[application_key].ref
        elif name == "user_id":
            values[name] = User.select().first().id
        elif name == "feedback_id":
            values[name] = side["feedback"].id
        else:  # a route this file does not know: any value will do for login and CSRF
            converter = type(rule._converters.get(name)).__name__
            values[name] = 1 if converter in ("IntegerConverter", "NumberConverter") else "x"
    return values


def build(app, rule, values) -> str:
    with app.test_request_context():
        return app.url_map.bind("localhost").build(
            rule.endpoint,
            values,
            method=next(iter(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))),
        )


def admin_rules(app, method):
    return [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and method in r.methods
    ]


# --- A1: every admin route without login ----------------------------------------------


def test_a1_every_admin_get_redirects_to_login(app, client, world):
    rules = admin_rules(app, "GET")
    assert len(rules) >= 15
    for rule in rules:
        path = build(app, rule, arguments(rule, world["mine"]))
        response = client.get(path)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login?next="), rule.rule


def test_a1_every_admin_post_is_refused_and_changes_nothing(app, client, world):
    token = csrf_token(client.get("/login"))  # a valid token: only the login is missing
    before = snapshot()
    rules = admin_rules(app, "POST")
    assert len(rules) >= 12
    for rule in rules:
        for key in ("active", "closed"):
            path = build(app, rule, arguments(rule, world["mine"], key))
            response = client.post(path, data={"csrf_token": token})
            assert response.status_code in (302, 401, 403), rule.rule
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), rule.rule
    assert snapshot() == before


# --- A2: a manager and the jobs they are not on -----------------------------------------


def test_a2_manager_gets_404_for_every_route_of_a_job_not_theirs(app, client, auth, world):
    auth.login(world["manager"])
    token = csrf_token(client.get("/admin/jobs/"))
    before = snapshot()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or not set(rule.arguments) & {"ref", "feedback_id"}:
            continue
        for key in ("active", "closed"):
            path = build(app, rule, arguments(rule, world["other"], key))
            if "GET" in rule.methods:
                assert client.get(path).status_code in (403, 404), path
            if "POST" in rule.methods:
                response = client.post(path, data={"csrf_token": token})
                assert response.status_code in (403, 404), path
            checked += 1
    assert checked >= 20
    assert snapshot() == before


def test_a2_lists_leave_out_other_jobs(client, auth, world):
    auth.login(world["manager"])
    for path in ("/admin/jobs/", "/admin/jobs/?closed=1", "/admin/applications/", "/admin/"):
        page = client.get(path, follow_redirects=True)
        assert page.status_code == 200
        assert "Other Job" not in page.text
        assert world["other"]["active"].ref not in page.text
    assert "Managed Job" in client.get("/admin/jobs/").text


def test_a2_manager_reads_their_jobs_but_recruiter_actions_are_403(app, client, auth, world):
    auth.login(world["manager"])
    side = world["mine"]
    assert client.get(f"/admin/jobs/{side['job'].ref}/").status_code == 200
    page = client.get(f"/admin/applications/{side['active'].ref}/")
    assert page.status_code == 200
    token = csrf_token(page)
    before = snapshot()
    for action in ("move", "update", "note", "close", "reopen"):
        response = client.post(
            f"/admin/applications/{side['active'].ref}/{action}",
            data={"csrf_token": token, f"{action}-version": "1", f"{action}-message": "x"},
        )
        assert response.status_code == 403, action
    for path in (
        f"/admin/jobs/{side['job'].ref}/edit",
        f"/admin/jobs/{side['job'].ref}/stages",
        f"/admin/jobs/{side['job'].ref}/applications/new",
        "/admin/jobs/new",
        "/admin/templates",
        "/admin/users/",
    ):
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert snapshot() == before


# --- A4: CSRF on every POST -------------------------------------------------------------


def _real_forms(app, client, world) -> dict:
    """Every POST form the admin's GET pages offer, by action, with its values."""
    found = {}
    for rule in admin_rules(app, "GET"):
        for key in ("active", "closed"):
            page = client.get(build(app, rule, arguments(rule, world["mine"], key)))
            if page.status_code == 200 and page.mimetype == "text/html":
                for each in forms(page.text):
                    if each["method"].lower() == "post" and each["action"]:
                        found.setdefault(each["action"], fill(each))
                    elif each["method"].lower() == "post":
                        found.setdefault(page.request.path, fill(each))
    return found


def post_rules(app):
    rules = admin_rules(app, "POST")
    return rules + [r for r in app.url_map.iter_rules() if r.rule in ("/login", "/logout")]


def test_a4_every_post_needs_this_sessions_csrf_token(app, client, auth, world):
    auth.login(world["admin"])
    thief = app.test_client()
    Auth(thief).login(world["recruiter"])
    stolen = csrf_token(thief.get("/admin/"))
    real = _real_forms(app, client, world)
    covered = 0
    for rule in post_rules(app):
        for key in ("active", "closed"):
            path = build(app, rule, arguments(rule, world["mine"], key))
            data = dict(real.get(path, {}))
            covered += path in real
            data.pop("csrf_token", None)
            before = snapshot()
            missing = client.post(path, data=data)
            assert missing.status_code == 400, path
            assert CSRF_REFUSAL in missing.text, path
            foreign = client.post(path, data={**data, "csrf_token": stolen})
            assert foreign.status_code == 400, path
            assert CSRF_REFUSAL in foreign.text, path
            assert snapshot() == before, path
    assert covered >= 15, "too few real forms found: the test would prove little"


def test_a4_the_same_forms_pass_with_their_own_token(app, client, auth, world):
    """The control for the test above: what was refused was the token, not the form."""
    auth.login(world["admin"])
    real = _real_forms(app, client, world)
    own = csrf_token(client.get("/admin/"))
    for path, data in real.items():
        if path == "/logout":
            continue
        response = client.post(path, data={**data, "csrf_token": own})
        assert CSRF_REFUSAL not in response.text, path


# --- A5: script in every free-text field, inert on every admin page ------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
]
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


class _Audit(HTMLParser):
    """Whatever in a page could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            self.text.append(value or "")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
            self._script = True
        a = dict(attrs)
        if tag in ("img", "iframe", "object", "embed", "frame"):
            source = a.get("src") or a.get("data") or ""
            if not source.startswith("/") or source.startswith("//") or "srcdoc" in a:
                self.problems.append(f"<{tag} src={source!r}>")  # only our own pages and assets
        if tag == "base":
            self.problems.append("<base>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append(f"inline script {data.strip()[:40]!r}")
        self.text.append(data)


def assert_inert(page, payload, where):
    assert page.status_code == 200, where
    audit = _Audit()
    audit.feed(page.text)
    assert audit.problems == [], where
    assert any(payload in piece for piece in audit.text), f"{where}: payload not shown at all"


def overdue(application):
    Application.update(reply_by=today() - timedelta(days=7)).where(
        Application.id == application.id
    ).execute()


def _job_pages(job, application, shows=("title",)):
    """The admin pages that show a job's ``shows`` fields (and its application's)."""
    pages = {
        "title": [
            "/admin/",
            "/admin/jobs/",
            f"/admin/jobs/{job.ref}/",
            f"/admin/jobs/{job.ref}/edit",
            f"/admin/jobs/{job.ref}/stages",
            f"/admin/jobs/{job.ref}/applications/new",
            "/admin/applications/",
            f"/admin/applications/{application.ref}/",
        ],
        "team": ["/admin/jobs/", f"/admin/jobs/{job.ref}/", f"/admin/jobs/{job.ref}/edit"],
        "stage name": [
            "/admin/",
            f"/admin/jobs/{job.ref}/",
            f"/admin/jobs/{job.ref}/stages",
            f"/admin/jobs/{job.ref}/applications/new",
            "/admin/applications/",
            f"/admin/applications/?job={job.ref}",
            f"/admin/applications/{application.ref}/",
        ],
        "stage label": [
            f"/admin/jobs/{job.ref}/",
            f"/admin/jobs/{job.ref}/stages",
            f"/admin/applications/{application.ref}/",
        ],
        "stage description": [f"/admin/jobs/{job.ref}/stages"],
        "candidate": [
            "/admin/",
            f"/admin/jobs/{job.ref}/",
            "/admin/applications/",
            f"/admin/applications/{application.ref}/",
        ],
        "recruiter": [
            "/admin/jobs/",
            f"/admin/jobs/{job.ref}/",
            f"/admin/jobs/{job.ref}/edit",
            f"/admin/applications/{application.ref}/",
        ],
    }
    return [page for key in shows for page in pages[key]]


def set_job_field(field, shows):
    def setup(client, world, payload):
        page = client.get("/admin/jobs/new")
        ref = "XSS-" + field.upper()
        values = {"ref": ref, "title": "Job", field: payload}
        assert submit(client, page, "", **values).status_code == 302
        job = Job.get(Job.ref == ref)
        application = domain.add_application(None, job, "Candidate", "c@example.org")
        overdue(application)
        return _job_pages(job, application, shows)

    return setup


def set_stage_field(field, shows):
    def setup(client, world, payload):
        job, application = world["mine"]["job"], world["mine"]["active"]
        overdue(application)
        page = client.get(f"/admin/jobs/{job.ref}/stages")
        values = {"stages-0-name": "Stage", f"stages-0-{field}": payload}
        assert submit(client, page, "", **values).status_code == 302
        return _job_pages(job, application, shows)

    return setup


def set_candidate_name(client, world, payload):
    job = world["mine"]["job"]
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    assert submit(client, page, "", name=payload, email="x@example.org").status_code == 302
    application = (
        Application.select().where(Application.job == job).order_by(Application.id.desc()).get()
    )
    overdue(application)
    return _job_pages(job, application, ("candidate",))


def application_action(action, field, **extra):
    def setup(client, world, payload):
        job = world["mine"]["job"]
        email = f"{action}.{field}@example.org"
        application = domain.add_application(None, job, "Candidate", email)
        path = f"/admin/applications/{application.ref}/"
        page = client.get(path + ("close?status=rejected" if action == "close" else ""))
        response = submit(client, page, f"/{action}", **{field: payload, **extra})
        assert response.status_code == 302, response.text
        return [path]

    return setup


def set_feedback(field, stage_name):
    def setup(client, world, payload):
        application = world["mine"]["active"]
        path = f"/admin/applications/{application.ref}/"
        stage = Stage.get((Stage.job == application.job) & (Stage.name == stage_name))
        values = {"stage": str(stage.id), "rating": "2", "recommendation": "no", field: payload}
        assert submit(client, client.get(path), "/feedback", **values).status_code == 302
        return [path]

    return setup


def set_kit_field(field):
    def setup(client, world, payload):
        job, application = world["mine"]["job"], world["mine"]["active"]
        page = client.get(f"/admin/jobs/{job.ref}/kit")
        found = next(f for f in forms(page.text) if not f["action"])
        data = {**fill(found, **{f"criteria-0-{field}": payload}), "action": "save"}
        assert client.post(page.request.path, data=data).status_code == 302
        # the application page shows the kit in the scorecard form
        return [page.request.path, f"/admin/applications/{application.ref}/"]

    return setup


def set_rating_note(client, world, payload):
    path = f"/admin/applications/{world['mine']['active'].ref}/"
    values = {"rating": "2", "recommendation": "no", "ratings-0-score": "3"}
    response = submit(
        client, client.get(path), "/feedback", **values, **{"ratings-0-note": payload}
    )
    assert response.status_code == 302
    return [path]  # side by side


def set_template(client, world, payload):
    page = client.get("/admin/templates")
    for rejected in (f for f in forms(page.text) if f["fields"].get("status") == "rejected"):
        point = rejected["fields"]["point"]  # the template for any point, and each point's
        body = f"rejected-{point}-body" if point else "rejected-body"
        data = {**fill(rejected), body: f"{{first_name}} {payload}"}
        assert client.post(rejected["action"], data=data).status_code == 302
    ref = world["mine"]["active"].ref
    return [
        "/admin/templates",
        f"/admin/applications/{ref}/",
        f"/admin/applications/{ref}/close?status=rejected",
    ]


def set_user_name(client, world, payload):
    page = client.get("/admin/users/")
    values = {"name": payload, "email": "evil@example.com", "role": "recruiter"}
    response = submit(client, page, "/admin/users/", password=PASSWORD, **values)
    assert response.status_code == 302
    evil = User.get(User.email == "evil@example.com")
    job = domain.save_job(None, ref="EVIL", title="Job", recruiter=evil)
    application = domain.add_application(evil, job, "Candidate", "evil.c@example.org")
    domain.add_note(evil, application, "note")
    overdue(application)
    pages = _job_pages(job, application, ("recruiter",))
    return ["/admin/users/", *pages, "as:evil@example.com /admin/"]


def search_query(client, world, payload):
    return ["/admin/applications/?q=" + payload.replace("&", "%26")]


FIELDS = {
    "job title": set_job_field("title", ("title",)),
    "job team": set_job_field("team", ("team",)),
    "job location": set_job_field("location", ("team",)),
    "stage name": set_stage_field("name", ("stage name",)),
    "stage label": set_stage_field("candidate_label", ("stage label",)),
    "stage description": set_stage_field("description", ("stage description",)),
    "candidate name": set_candidate_name,
    "move message": application_action("move", "message"),
    "move next steps": application_action("move", "next_steps"),
    "update message": application_action("update", "message"),
    "update next steps": application_action("update", "next_steps", message="m"),
    "note": application_action("note", "message"),
    "closure note": application_action("close", "closure_note", closure_reason="role_filled"),
    "internal reason": application_action("close", "reason", closure_reason="role_filled"),
    "feedback strengths": set_feedback("strengths", "Screen"),
    "feedback concerns": set_feedback("concerns", "Decision"),
    "kit criterion": set_kit_field("name"),
    "kit guidance": set_kit_field("guidance"),
    "criterion note": set_rating_note,
    "closure template": set_template,
    "user name": set_user_name,
    "search text": search_query,
}


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img-onerror", "javascript-url"])
@pytest.mark.parametrize("field", list(FIELDS))
def test_a5_free_text_is_inert_on_every_admin_page(app, client, auth, world, field, payload):
    auth.login(world["admin"])
    pages = FIELDS[field](client, world, payload)
    for where in pages:
        if where.startswith("as:"):
            email, where = where[3:].split(" ")
            other = app.test_client()
            Auth(other).login(User.get(User.email == email))
            assert_inert(other.get(where), payload, f"{field} at {where} as {email}")
        else:
            assert_inert(client.get(where), payload, f"{field} at {where}")


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img-onerror", "javascript-url"])
def test_a5_every_admin_page_is_inert_with_every_field_at_once(app, client, auth, world, payload):
    """Beyond the pages listed per field: every GET route of the admin, for every job and
    application, with the payload in every field at once (routes added later included)."""
    auth.login(world["admin"])
    pages = set()
    for setup in FIELDS.values():
        pages.update(setup(client, world, payload))
    for job in Job.select():
        for application in Application.select().where(Application.job == job):
            side = {"job": job, "active": application, "feedback": Feedback.select().first()}
            for rule in admin_rules(app, "GET"):
                pages.add(build(app, rule, arguments(rule, side)))
    audited = 0
    for where in sorted(pages):
        if where.startswith("as:"):
            continue  # checked per field above
        page = client.get(where)
        if page.status_code == 200 and page.mimetype == "text/html":
            audit = _Audit()
            audit.feed(page.text)
            assert audit.problems == [], where
            audited += 1
    assert audited >= 100


def test_a5_audit_catches_live_script():
    """The control: the audit above would notice each payload rendered raw."""

    class Raw:
        status_code = 200

        def __init__(self, text):
            self.text = text

    for payload in PAYLOADS[:2]:
        with pytest.raises(AssertionError):
            assert_inert(Raw(f"<p>{payload}</p>"), payload, "raw")
    with pytest.raises(AssertionError):
        assert_inert(Raw('<a href="javascript:alert(1)">x</a>'), "javascript:alert(1)", "raw")


def test_feedback_share_route_ignores_unknown_feedback(app, client, auth, world):
    """A feedback id that does not exist is a 404, never a 500."""
    auth.login(world["admin"])
    missing = Feedback.select().count() + 100
    for rule in app.url_map.iter_rules():
        if "feedback_id" in rule.arguments and "GET" in rule.methods:
            path = build(app, rule, {"feedback_id": missing})
            assert client.get(path).status_code == 404


# --- what every staff page carries --------------------------------------------------------


def test_staff_pages_carry_strict_headers_and_load_only_our_assets(client, auth, world):
    auth.login(world["admin"])
    for path in ("/login", "/admin/", f"/admin/applications/{world['mine']['active'].ref}/"):
        page = client.get(path)
        assert page.status_code in (200, 302)
        if page.status_code == 302:
            continue
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        for url in re_findall_urls(page.text):
            assert url.startswith("/") and not url.startswith("//"), (path, url)


def re_findall_urls(html: str) -> list[str]:
    """Addresses of stylesheets, scripts and images a page loads."""
    return re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html)


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
