"""The application list: search, filters, pagination, a fixed number of queries; and
adding a candidate to a job through the form."""

import re

import pytest
from helpers.admin_client import submit

from portal import domain
from portal.store.models import Application
from portal.store.models import Stage


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter")


def names(response) -> list[str]:
    """The candidate names listed, in order."""
    return re.findall(r'<td data-label="Candidate"><a href="[^"]+">([^<]+)</a>', response.text)


def first_stage(job, name="Applied") -> Stage:
    return Stage.get((Stage.job == job) & (Stage.name == name))


def test_list_shows_every_application_most_recently_updated_first(
    client, auth, recruiter, make_job, make_application
):
    job = make_job(title="Data Engineer")
    older = make_application(job=job, name="Old Candidate")
    newer = make_application(job=job, name="New Candidate")
    domain.add_note(None, older, "touch: now the most recently updated")
    auth.login(recruiter)
    response = client.get("/admin/applications/")
    assert response.status_code == 200
    assert names(response) == ["Old Candidate", "New Candidate"]
    assert "1–2 of 2 applications" in response.text
    assert newer.ref in response.text and "Data Engineer" in response.text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("grace", ["Grace Hopper"]),
        ("HOPPER", ["Grace Hopper"]),
        ("ada@", ["Ada Lovelace"]),
        ("example.net", ["Alan Turing"]),
        ("%", []),  # wildcards are searched for literally
        ("_", []),
        ("nobody", []),
    ],
)
def test_search_by_name_or_email(
    client, auth, recruiter, make_job, make_application, query, expected
):
    job = make_job()
    make_application(job=job, name="Ada Lovelace", email="ada@example.org")
    make_application(job=job, name="Grace Hopper", email="grace@example.org")
    make_application(job=job, name="Alan Turing", email="alan@example.net")
    auth.login(recruiter)
    response = client.get("/admin/applications/", query_string={"q": query})
    assert response.status_code == 200
    assert sorted(names(response)) == expected
    if not expected:
        assert "No applications match." in response.text


def test_search_by_reference(client, auth, recruiter, make_application):
    wanted = make_application(name="Wanted Person", ref="A-WANTED1")
    make_application(name="Other Person")
    auth.login(recruiter)
    for text in ("A-WANTED1", "a-wanted1"):
        assert names(client.get("/admin/applications/", query_string={"q": text})) == [
            "Wanted Person"
        ]
    assert wanted.ref == "A-WANTED1"


def test_filters_by_job_stage_and_status(client, auth, recruiter, make_job, make_application):
    backend, design = make_job(title="Backend"), make_job(title="Designer")
    a = make_application(job=backend, name="Backend Applied")
    b = make_application(job=backend, name="Backend Screen")
    domain.move(None, b, first_stage(backend, "Screen"), b.version)
    c = make_application(job=backend, name="Backend Rejected")
    domain.close(None, c, c.version, "rejected", "Sorry")
    make_application(job=design, name="Design Applied")
    auth.login(recruiter)

    def listed(**args):
        return sorted(names(client.get("/admin/applications/", query_string=args)))

    assert listed(job=backend.ref) == ["Backend Applied", "Backend Rejected", "Backend Screen"]
    assert listed(job=backend.ref, status="active") == ["Backend Applied", "Backend Screen"]
    assert listed(job=backend.ref, stage=first_stage(backend, "Screen").id) == ["Backend Screen"]
    assert listed(status="rejected") == ["Backend Rejected"]
    assert listed(job=design.ref) == ["Design Applied"]
    # a stage of another job, an unknown job or status: ignored, never an error
    assert len(listed(job=design.ref, stage=first_stage(backend).id)) == 1
    assert len(listed(status="bogus")) == 4
    assert listed(job="NOPE") == listed()
    assert a.job_id == backend.id


def test_pagination_and_count(app, client, auth, recruiter, make_job, make_application):
    app.config["PAGE_SIZE"] = 5
    job = make_job()
    for n in range(12):
        make_application(job=job, name=f"Person {n:02d}")
    auth.login(recruiter)
    first = client.get("/admin/applications/")
    assert "1–5 of 12 applications" in first.text
    assert names(first) == [f"Person {n:02d}" for n in (11, 10, 9, 8, 7)]
    assert "Page 1 of 3" in first.text
    assert 'href="/admin/applications/?page=2" rel="next"' in first.text
    third = client.get("/admin/applications/?page=3")
    assert names(third) == ["Person 01", "Person 00"]
    assert "11–12 of 12" in third.text and 'rel="next"' not in third.text
    assert names(client.get("/admin/applications/?page=99")) == names(third)
    assert names(client.get("/admin/applications/?page=abc")) == names(first)
    assert names(client.get(f"/admin/applications/?page={2**64}&stage={2**64}")) == names(first)
    filtered = client.get(f"/admin/applications/?job={job.ref}&status=active")
    assert f"/admin/applications/?page=2&amp;job={job.ref}&amp;status=active" in filtered.text


def _statements_for(client, sql_statements, path) -> int:
    sql_statements.clear()
    response = client.get(path)
    assert response.status_code == 200
    return len(sql_statements)


@pytest.mark.parametrize(
    "query",
    ["", "?status=active", "?q=person", "?q=A-X&status=active", "JOB", "JOB&stage=STAGE"],
)
def test_list_issues_a_fixed_number_of_queries_whatever_the_page_size(
    app, client, auth, recruiter, make_job, make_application, sql_statements, query
):
    job = make_job()
    for n in range(30):
        make_application(job=job, name=f"Person {n}")
    stage = first_stage(job)
    query = query.replace("JOB", f"?job={job.ref}").replace("STAGE", str(stage.id))
    auth.login(recruiter)
    counts = {}
    for size in (2, 10, 30):
        app.config["PAGE_SIZE"] = size
        counts[size] = _statements_for(client, sql_statements, "/admin/applications/" + query)
    assert len(set(counts.values())) == 1, counts
    assert counts[30] <= 6, sql_statements


def test_manager_lists_only_applications_of_their_jobs(
    client, auth, make_user, make_job, make_application
):
    manager = make_user("manager")
    mine, other = make_job(title="Mine", managers=[manager]), make_job(title="Not mine")
    make_application(job=mine, name="Visible Person")
    make_application(job=other, name="Hidden Person")
    auth.login(manager)
    response = client.get("/admin/applications/")
    assert names(response) == ["Visible Person"]
    assert "Hidden Person" not in response.text and "Not mine" not in response.text
    assert names(client.get("/admin/applications/?q=hidden")) == []
    assert names(client.get(f"/admin/applications/?job={other.ref}")) == ["Visible Person"]


# --- adding a candidate ---------------------------------------------------------------


def test_add_a_candidate_through_the_form(client, auth, recruiter, make_job):
    job = make_job(title="Data Engineer")
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    assert page.status_code == 200
    response = submit(client, page, "", name="Katherine Johnson", email="KJ@Example.org")
    assert response.status_code == 302
    application = Application.get()
    assert response.headers["Location"] == f"/admin/applications/{application.ref}/"
    assert application.candidate.email == "kj@example.org"
    assert application.stage.name == "Applied"
    assert application.reply_by == domain.reply_by_default(application.stage)
    shown = client.get(response.headers["Location"]).text
    assert "Added Katherine Johnson to Data Engineer." in shown
    assert "Added at Applied" in shown


def test_add_a_candidate_at_a_later_stage(client, auth, recruiter, make_job):
    job = make_job()
    screen = first_stage(job, "Screen")
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    response = submit(client, page, "", name="Al", email="al@example.org", stage=str(screen.id))
    assert response.status_code == 302
    assert Application.get().stage_id == screen.id


@pytest.mark.parametrize(
    "name, email, message",
    [
        ("", "x@example.org", "This field is required."),
        ("Somebody", "not an email", "is not a valid email address"),
        ("Twice", "twice@example.org", "already has an application"),
    ],
)
def test_bad_candidate_input_is_refused_and_kept(
    client, auth, recruiter, make_job, make_application, name, email, message
):
    job = make_job()
    make_application(job=job, email="twice@example.org")
    auth.login(recruiter)
    page = client.get(f"/admin/jobs/{job.ref}/applications/new")
    response = submit(client, page, "", name=name, email=email)
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{email}"' in response.text
    assert Application.select().count() == 1
