"""Admin › Audit log (admins only): every audit entry newest first, in words, its detail as
facts and never as JSON, filtered by kind, by who and by the company's dates, 50 a page;
every action in use sits in one group; the page holds at 360 and 1280 px in Chromium."""

import html
import re
from datetime import datetime
from pathlib import Path

import pytest
from helpers.chromium import assert_fits
from helpers.chromium import LAPTOP
from helpers.chromium import PHONE
from helpers.chromium import serious_violations
from helpers.chromium import signed_in
from helpers.http import Auth

from admin.audit import GROUPED
from admin.audit import GROUPS
from portal.domain.stamps import JOB_CHANGED
from portal.identity import links
from portal.store.audit import acting_for
from portal.store.audit import audit
from portal.store.models import AuditEntry
from portal.web.views import local_time

PAGE = "/admin/audit"
SCRIPT = "<script>alert(1)</script>"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ann Admin", email="ann@example.com")


@pytest.fixture
def signed_in_admin(auth, admin):
    auth.login(admin)
    return admin


def cells(response) -> list[list[str]]:
    """Each row of the log as the text of its cells."""
    if "<tbody>" not in response.text:
        return []
    body = response.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def rows(response) -> list[str]:
    """Each row of the log as the text it shows, cells apart by " | "."""
    return [" | ".join(row).rstrip() for row in cells(response)]


def column(response, n: int) -> list[str]:
    """The text of the ``n``th cell of each row (0: when, 1: who, 2: what, 3: of)."""
    return [row[n] for row in cells(response)]


def _text(fragment: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", fragment).split()))


def written_at(entry: AuditEntry, moment: datetime) -> None:
    """Stage an entry as written at ``moment`` (stored UTC)."""
    AuditEntry.update(created=moment).where(AuditEntry.id == entry.id).execute()


# --- what the log shows ----------------------------------------------------------------


def test_a_password_sign_in_and_a_failed_one_are_shown_in_words(app, client, admin, make_user):
    Auth(client).login(admin)
    recruiter = make_user("recruiter", name="Rita Recruiter")
    assert Auth(app.test_client()).login(recruiter, "not the password").status_code == 401
    page = client.get(PAGE)
    assert page.status_code == 200
    failed, signed = rows(page)  # newest first
    when = local_time(AuditEntry.get(AuditEntry.action == "sign_in_failed").created)
    assert failed.startswith(f"{when} |")  # the company's time, as every page shows it
    assert failed.endswith(f"| System | Failed sign-in | user {recruiter.id} |")
    assert signed.endswith(f"| Ann Admin | Signed in (password) | user {admin.id} | Via password")
    assert "1–2 of 2 entries" in page.text
    assert f'href="{PAGE}" aria-current="page">Audit log</a>' in page.text


def test_the_detail_reads_as_facts_never_as_json(client, signed_in_admin):
    audit(
        signed_in_admin,
        JOB_CHANGED,
        "job J-7",
        changed=["recruiter", "managers"],
        recruiter={"from": "Rita Recruiter", "to": "Ravi Recruiter"},
        managers={"from": [], "to": ["Max Manager", "Mo Manager"]},
        open=False,
    )
    page = client.get(PAGE, query_string={"kind": "jobs"})
    [row] = rows(page)
    assert row.endswith(
        "| Ann Admin | Changed a job | job J-7 | Changed recruiter, managers "
        "Managers none → Max Manager, Mo Manager Open no "
        "Recruiter Rita Recruiter → Ravi Recruiter"
    )
    assert "<dt>Recruiter</dt><dd>Rita Recruiter → Ravi Recruiter</dd>" in page.text
    for raw in ('{"', "{&#34;", "&#34;:", '":'):
        assert raw not in page.text


def test_the_system_acting_for_an_integration_says_so(client, signed_in_admin):
    with acting_for("API token 3 (Greenhouse sync)"):
        audit(None, "api_write", "token 3", operation="move", status=200)
    audit(None, "frobnicated_twice", "thing 1")
    frob, api = rows(client.get(PAGE, query_string={"who": "system"}))
    assert api.endswith(
        "| System, for API token 3 (Greenhouse sync) | Changed data through the API | token 3 "
        "| Operation move Status 200"
    )
    assert frob.endswith("| System | Frobnicated twice | thing 1 |")  # no words: its name


def test_everything_is_escaped(client, signed_in_admin):
    audit(None, JOB_CHANGED, "J-1", title=SCRIPT)
    audit(None, "export", SCRIPT, applications=[SCRIPT, "A-1"])
    with acting_for(SCRIPT):
        audit(None, "api_write", "token 1", **{SCRIPT: SCRIPT})
    for path in (PAGE, "/admin/privacy/"):
        page = client.get(path)
        assert SCRIPT not in page.text and "<script>alert" not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
    assert f"System, for {SCRIPT}" in rows(client.get(PAGE, query_string={"kind": "api_write"}))[0]


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def mixed(signed_in_admin):
    """One entry of each group, and one no group names, after the admin's sign-in."""
    audit(None, JOB_CHANGED, "job J-1", changed=["title"])
    audit(signed_in_admin, "export", "candidate 1", applications=["A-1"])
    audit(None, "webhook_replayed", "event 2", msg_id="msg_2")
    audit(None, "frobnicated", "thing 1")


@pytest.mark.parametrize(
    "kind, shown",
    [
        ("accounts", ["Signed in (password)"]),
        ("privacy", ["Exported a candidate's data"]),
        ("integrations", ["Replayed a webhook delivery"]),
        ("jobs", ["Changed a job"]),
        ("other", ["Frobnicated"]),
        ("export", ["Exported a candidate's data"]),
        ("signed_in", ["Signed in (password)"]),
    ],
)
def test_the_kind_filter_keeps_its_group_or_action(client, mixed, kind, shown):
    page = client.get(PAGE, query_string={"kind": kind})
    assert column(page, 2) == shown
    assert f'<option value="{kind}" selected>' in page.text


def test_an_unknown_kind_filters_nothing(client, mixed):
    page = client.get(PAGE, query_string={"kind": "nonsense"})
    assert len(rows(page)) == 5 and 'option value="" selected' not in page.text
    assert "Clear</a>" not in page.text


def test_the_who_filter_keeps_a_person_or_the_system(client, mixed, signed_in_admin, make_user):
    make_user("recruiter", name="Rita Recruiter")
    page = client.get(PAGE, query_string={"who": signed_in_admin.id})
    assert [row[1:3] for row in cells(page)] == [
        ["Ann Admin", "Exported a candidate's data"],
        ["Ann Admin", "Signed in (password)"],
    ]
    assert f'<option value="{signed_in_admin.id}" selected>Ann Admin</option>' in page.text
    assert "<option value=" in page.text and ">Rita Recruiter</option>" in page.text
    system = client.get(PAGE, query_string={"who": "system"})
    assert set(column(system, 1)) == {"System"}
    assert len(rows(system)) == 3
    assert len(rows(client.get(PAGE, query_string={"who": "999999"}))) == 5  # no one: ignored


def test_the_dates_are_the_companys_and_include_both_ends(client, signed_in_admin):
    late = audit(None, JOB_CHANGED, "job late")  # 00:30 on 2 June in London, 1 June in UTC
    written_at(late, datetime(2024, 6, 1, 23, 30))
    noon = audit(None, JOB_CHANGED, "job noon")
    written_at(noon, datetime(2024, 6, 1, 12, 0))
    after = audit(None, JOB_CHANGED, "job after")
    written_at(after, datetime(2024, 6, 3, 22, 59))  # 23:59 on 3 June in London

    def subjects(**dates):
        page = client.get(PAGE, query_string={"kind": "jobs", **dates})
        assert page.status_code == 200
        return column(page, 3)

    assert subjects(**{"from": "2024-06-02", "to": "2024-06-02"}) == ["job late"]
    assert subjects(**{"from": "2024-06-02"}) == ["job after", "job late"]
    assert subjects(to="2024-06-01") == ["job noon"]
    assert subjects(**{"from": "2024-06-01", "to": "2024-06-03"}) == [
        "job after",
        "job late",
        "job noon",
    ]
    assert subjects(**{"from": "2024-06-04"}) == []
    first = rows(client.get(PAGE, query_string={"from": "2024-06-02", "to": "2024-06-02"}))[0]
    assert first.startswith("2 Jun 2024, 00:30 |")
    page = client.get(PAGE, query_string={"from": "2024-06-04", "kind": "jobs"})
    assert "No entries match." in page.text and 'value="2024-06-04"' in page.text


@pytest.mark.parametrize(
    "dates, message",
    [
        (
            {"from": "2024-13-01"},
            "“From” must be a date written like 2025-03-31, not “2024-13-01”.",
        ),
        ({"to": "yesterday"}, "“To” must be a date written like 2025-03-31, not “yesterday”."),
        ({"from": "2024-6-1"}, "“From” must be a date written like 2025-03-31"),
        ({"from": "2024-06-03", "to": "2024-06-01"}, "“From” (2024-06-03) is after “To”"),
        ({"to": "<b>x</b>"}, "not “&lt;b&gt;x&lt;/b&gt;”"),
    ],
)
def test_a_bad_date_is_a_400_that_says_what_to_write(client, mixed, dates, message):
    page = client.get(PAGE, query_string={"kind": "jobs", **dates})
    assert page.status_code == 400
    assert '<p class="flash flash-error" role="alert" id="problem">' in page.text
    assert message in page.text
    assert "<tbody>" not in page.text  # no list that looks filtered when it is not
    assert '<option value="jobs" selected>' in page.text  # the form keeps what was asked


def test_dates_at_the_ends_of_the_calendar_mean_no_bound(client, mixed):
    page = client.get(PAGE, query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert page.status_code == 200 and len(rows(page)) == 5


# --- pages -------------------------------------------------------------------------------


def test_fifty_a_page_newest_first_with_the_filters_kept(client, signed_in_admin):
    for n in range(1, 56):
        audit(None, JOB_CHANGED, f"job J-{n}")
    first = client.get(PAGE, query_string={"kind": "jobs"})
    shown = column(first, 3)
    assert len(shown) == 50 and shown[0] == "job J-55" and shown[-1] == "job J-6"
    assert "1–50 of 55 entries" in first.text and "Page 1 of 2" in first.text
    assert f'href="{PAGE}?page=2&amp;kind=jobs" rel="next"' in first.text
    second = client.get(PAGE, query_string={"kind": "jobs", "page": 2})
    assert column(second, 3) == [f"job J-{n}" for n in range(5, 0, -1)]
    assert "51–55 of 55 entries" in second.text
    assert f'href="{PAGE}?page=1&amp;kind=jobs" rel="prev"' in second.text
    beyond = client.get(PAGE, query_string={"kind": "jobs", "page": 99})
    assert "51–55 of 55 entries" in beyond.text  # the last page


def test_a_page_takes_the_same_statements_however_long_the_log(
    client, signed_in_admin, sql_statements
):
    client.get(PAGE)
    few = len(sql_statements)
    for n in range(120):
        audit(signed_in_admin if n % 2 else None, JOB_CHANGED, f"job J-{n}", changed=["title"])
    sql_statements.clear()
    client.get(PAGE)
    assert len(sql_statements) == few


# --- who may look ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_admins_see_the_log(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE, query_string={"kind": "privacy"}).status_code == 403
    assert ">Audit log</a>" not in client.get("/admin/applications/").text


def test_privacy_links_admins_to_its_entries_in_the_full_log(client, auth, make_user, admin):
    audit(None, "export", "candidate 4", applications=["A-1", "A-2"])
    auth.login(admin)
    page = client.get("/admin/privacy/")
    assert f'href="{PAGE}?kind=privacy"' in page.text
    assert "<dt>Applications</dt><dd>A-1, A-2</dd>" in page.text
    for raw in ('{"', "{&#34;", "&#34;:"):
        assert raw not in page.text
    Auth(client).logout()
    auth.login(make_user("recruiter"))
    page = client.get("/admin/privacy/")  # recruiters see the section, not the link
    assert "<dd>A-1, A-2</dd>" in page.text and f"{PAGE}?" not in page.text


# --- every action has its group --------------------------------------------------------


def test_every_action_written_today_is_in_exactly_one_group():
    assert len(GROUPED) == len(set(GROUPED))
    assert len({group.key for group in GROUPS} | {"other"}) == len(GROUPS) + 1
    written = set()
    for source in [*(ROOT / "portal").rglob("*.py"), *(ROOT / "admin").rglob("*.py")]:
        for call in re.findall(r"(?<!def )\baudit\(\s*[^,()]+,\s*([^,()]+),", source.read_text()):
            written |= _actions(call.strip())
    assert written >= {"signed_in", "job_changed", "two_factor_failed", "reset_sent"}
    assert written - set(GROUPED) == set(), "name these actions' group in admin/audit.py"


def _actions(expression: str) -> set[str]:
    """The action names an ``audit()`` call's second argument can be."""
    named = {"JOB_CHANGED": {JOB_CHANGED}, "DETAILS_CHANGED": {"details_changed"}}
    if expression == 'f"{purpose}_sent"':  # portal.identity.links.send
        return {f"{purpose}_sent" for purpose in (links.INVITE, links.RESET)}
    if expression == "action":  # portal.domain.reasons.retire_reason
        return {"closure_reason_retired", "closure_reason_offered"}
    found = set(re.findall(r'"(\w+)"', expression)) | named.get(expression, set())
    assert found, f"an audit() call whose action this test cannot read: {expression}"
    return found


# --- in a real browser ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_log_in_a_browser(browser, server, admin, viewport):
    audit(
        None,
        JOB_CHANGED,
        "job J-1",
        changed=["title", "pipeline"],
        pipeline={"from": ["Applied", "Screen", "Interviews"], "to": ["Applied", "Call"]},
        note="a-rather-long-value-without-spaces-" * 4,
    )
    with acting_for("API token 3 (Greenhouse sync with a long name for a phone)"):
        audit(None, "api_write", "token 3", path="/api/v1/applications/A-1/move", status=200)
    context, page = signed_in(browser, server, admin, viewport)
    page.click("nav a:has-text('Audit log')")
    page.wait_for_url(server + PAGE)
    page.wait_for_load_state("load")
    assert "Signed in (password)" in page.locator("table.list").inner_text()
    assert_fits(page, viewport, "the audit log")
    assert serious_violations(page) == [], "the audit log"
    page.select_option("#kind", "jobs")
    page.fill("#from", "2000-01-01")
    page.click("button:has-text('Show')")
    page.wait_for_url(re.compile(r".*kind=jobs.*"))
    assert page.locator("tbody tr").count() == 1
    assert_fits(page, viewport, "the audit log, filtered")
    assert serious_violations(page) == [], "the audit log, filtered"
    context.close()
