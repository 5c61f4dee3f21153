"""Fuzz: hypothesis fills every admin form (found by crawling the admin as an admin) and
the candidate actions with hostile values: never a 500.

Examples are bounded so the suite stays fast: FUZZ_EXAMPLES per form (default 50), the
same on every run unless FUZZ_RANDOM=1."""

import os
import re
from collections import deque
from datetime import timedelta
from datetime import timezone

import pytest
from helpers import admin_client
from helpers.admin_client import forms
from helpers.http import csrf_token
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from portal import domain
from portal.candidates import links
from portal.clock import today
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import Mail

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The same examples on every run, so CI is repeatable; FUZZ_RANDOM=1 explores.
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "4",
    "5",
    "99999999999999999999999",
    "1.5",
    "NaN",
    "1e309",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-12-01",
    # time-zone-aware moments, where a form carries a stamp (docs/security.md F4)
    "2026-12-01T10:00:00+00:00",
    "2026-12-01T10:00:00-05:30",
    "0001-01-01T00:00:00+01:00",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    "'; DROP TABLE event;--",
    "%00",
    "../../etc/passwd",
    "yes",
    "on",
    "active",
    "hired",
    "rejected",
    "withdrawn",
    "admin",
    "manager",
    "strong_yes",
    "x" * 20_000,
    "ä" * 300,
    "\u202e\ufeff\U0001f600",
    "a@b",
    "someone@example.com",
]

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


def value(original):
    """Something hostile, or what the form held, or the field left out (None)."""
    choices = [st.sampled_from(HOSTILE), TEXT, st.integers().map(str), st.none()]
    if original is not None:
        choices.append(st.just(original))
    return st.one_of(choices)


def data_for(found: dict):
    """A strategy of form data for one form: every field fuzzed but the CSRF token."""
    fields = {
        name: value(original) for name, original in found["fields"].items() if name != "csrf_token"
    }
    return st.fixed_dictionaries(fields).map(
        lambda values: {k: v for k, v in values.items() if v is not None}
    )


@pytest.fixture
def world(make_user, make_job, make_application):
    """One of everything the admin shows: users, a job with managers, applications open
    and closed, feedback, a link, an erasure request, an unsent email."""
    admin = make_user("admin", name="Ada Admin")
    manager = make_user("manager")
    job = make_job(title="Fuzzed Role", managers=[manager])
    active = make_application(job=job, name="Open Person")
    closed = make_application(job=job, name="Closed Person")
    stages = list(job.stages)
    domain.move(None, active, stages[2], active.version, "Moved on")
    domain.submit_feedback(manager, active, stages[2], 3, "yes", "good", "fine")
    domain.close(None, closed, closed.version, "rejected", "Sorry", "Reason")
    late = make_application(job=job, name="Late Person")
    # Owed word for weeks: the follow-up queue shows its rows, bulk forms and proposals.
    Application.update(reply_by=today() - timedelta(days=30)).where(
        Application.id == late.id
    ).execute()
    privacy.request_erasure(make_application(job=job, name="Leaving Person"))
    Mail.create(application=active, kind="notice", to="x@example.org", subject="s", text="t")
    return {"admin": admin, "job": job, "active": active, "closed": closed}


def crawl(client, start="/admin/", limit=80) -> dict:
    """Every form of the admin's pages, one per (endpoint, method), with its page."""
    adapter = client.application.url_map.bind("localhost")
    seen, found = set(), {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.text
        for link in re.findall(r'href="(/admin/[^"#]*)"', html):
            queue.append(link.replace("&amp;", "&"))
        for form in forms(html):
            action = (form["action"] or path).replace("&amp;", "&").split("?")[0]
            method = form["method"].upper()
            try:
                endpoint, _ = adapter.match(action, method=method)
            except (NotFound, MethodNotAllowed):
                continue
            found.setdefault((endpoint, method), (action, form, path))
    return found


def test_every_admin_form_survives_hostile_input(app, client, auth, world):
    auth.login(world["admin"])
    found = crawl(client)
    endpoints = {endpoint for endpoint, _ in found}
    # The crawl reached the forms that matter (a broken crawl would test nothing).
    for expected in (
        "admin.move",
        "admin.update",
        "admin.note",
        "admin.close",
        "admin.feedback",
        "admin.new_job",
        "admin.create_user",
        "admin.closure_templates",
        "admin.applications",
        "admin.erase_now",
        "admin.cancel",
        "admin.followup_bulk",
        "admin.send_unsent",
    ):
        assert expected in endpoints, sorted(endpoints)
    print(f"fuzzing {len(found)} admin forms: {', '.join(sorted(e for e, _ in found))}")
    for (endpoint, method), (action, form, page) in sorted(found.items()):
        if endpoint != "auth.logout":
            token = csrf_token(client.get(page)) if "csrf_token" in form["fields"] else None
            fuzz_form(client, endpoint, method, action, form, token)


def fuzz_form(client, endpoint: str, method: str, action: str, form: dict, token: str | None):
    """Submit ``form`` with hostile values (a valid CSRF token): never a 500."""

    @FUZZ
    @given(data=data_for(form))
    def submit(data):
        if token:
            data["csrf_token"] = token
        request = client.get if method == "GET" else client.post
        options = {"query_string": data} if method == "GET" else {"data": data}
        try:
            status = request(action, **options).status_code
        except Exception as error:  # the app raised: a 500 in production
            raise AssertionError(f"{endpoint} {method}: {error!r} for {data!r}") from error
        assert status < 500, (endpoint, data)

    submit()


#: Any fixed offset from UTC a stamp can carry, to the minute (with seconds, too).
OFFSETS = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(timezone)


def test_job_stamps_survive_any_moment(client, auth, world):
    """F4: the job and stages forms saved with ``seen`` as any moment, naive or with any
    time zone: saved, or a 409 showing the job as it is; never a 500."""
    auth.login(world["admin"])
    ref = world["job"].ref

    @FUZZ
    @given(
        moment=st.datetimes(timezones=st.none() | OFFSETS),
        page=st.sampled_from(["edit", "stages"]),
    )
    def save(moment, page):
        path = f"/admin/jobs/{ref}/{page}"
        page_form = admin_client.form(client.get(path).text, "")
        data = admin_client.fill(page_form, seen=moment.isoformat())
        try:
            status = client.post(path, data=data).status_code
        except Exception as error:  # the app raised: a 500 in production
            raise AssertionError(f"{path}: {error!r} for seen={moment.isoformat()}") from error
        assert status in (302, 409), (path, moment.isoformat())

    save()


CANDIDATE_FIELDS = {
    "form_token": None,
    "confirm": "yes",
    "reason": "",
    "score": "3",
}


@pytest.mark.parametrize("action", ["withdraw", "acknowledge", "rate", "erase"])
def test_candidate_actions_survive_hostile_input(app, client, world, action):
    app.config["ERASURE_DAYS"] = 7
    application = world["active"] if action in ("withdraw", "erase") else world["closed"]
    link = links.live(application)
    fields = dict(CANDIDATE_FIELDS, form_token=links.form_token(link.id))
    paths = st.sampled_from([f"/c/{link.token}/{action}", f"/c/{link.token[:-2]}xx/{action}"])

    @FUZZ
    @given(path=paths, data=data_for({"fields": fields}))
    def post(path, data):
        response = client.post(path, data=data)
        assert response.status_code < 500, data

    post()


def test_candidate_pages_and_fresh_links_survive_hostile_input(app, client, world):
    app.config["RATELIMIT_ENABLED"] = False

    @FUZZ
    @given(token=st.one_of(st.sampled_from(HOSTILE), TEXT), email=value(None))
    def visit(token, email):
        quoted = re.sub(r"[/?#%\s]", "_", token) or "_"
        assert client.get(f"/c/{quoted}/").status_code < 500
        response = client.post("/c/fresh-link", data={"email": email or ""})
        assert response.status_code < 500

    visit()
