"""The admin's "Edit details" page: correcting a candidate's name or email address,
saying first what will be emailed; staff only, CSRF-checked, inert to markup."""

import re

import pytest
from helpers.admin_client import CHECK_PAGE
from helpers.admin_client import form
from helpers.admin_client import submit
from helpers.http import csrf_token

from portal.candidates import links
from portal.privacy import actions as privacy
from portal.store.models import AuditEntry
from portal.store.models import Candidate
from portal.store.models import Mail

OLD = "nora.bates@exmaple.org"
NEW = "nora.bates@example.org"
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def recruiter(make_user, auth):
    user = make_user("recruiter")
    auth.login(user)
    return user


@pytest.fixture
def application(make_application):
    return make_application(name="Nora Bates", email=OLD)


def details_url(application) -> str:
    return f"/admin/applications/{application.ref}/details"


def save(client, application, confirm=True, **values):
    """Submit the details form; a change of address is checked first, and confirmed."""
    return submit(client, client.get(details_url(application)), "", confirm=confirm, **values)


def test_a_new_address_shows_both_emails_before_anything_is_sent(client, recruiter, application):
    check = save(client, application, confirm=False, email=NEW)
    assert CHECK_PAGE in check.text
    assert "This email goes to" not in check.text  # two of them, one to each address
    assert OLD in check.text and NEW in check.text
    assert Candidate.get_by_id(application.candidate_id).email == OLD
    assert Mail.select().count() == 0


def test_the_application_page_links_to_the_details(client, recruiter, application):
    page = client.get(f"/admin/applications/{application.ref}/")
    head = re.search(r'<div class="page-head">.*?</div>', page.text, re.S).group(0)
    assert f'href="{details_url(application)}"' in head and "Edit details" in head


def test_the_page_says_what_will_be_emailed(
    client, recruiter, application, make_job, make_application
):
    other = make_application(job=make_job(title="Analyst"), name="Nora Bates", email=OLD)
    page = client.get(details_url(application))
    assert page.status_code == 200
    fields = form(page.text, "")["fields"]
    assert (fields["name"], fields["email"]) == ("Nora Bates", OLD)
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert f"all 2 of their applications: {application.ref}" in text and other.ref in text
    assert "we email 2 new links to their pages" in text
    assert f"The old address, {OLD}, gets a short notice naming the new one" in text
    assert "Changing only the name emails nobody." in text
    assert Mail.select().count() == 0  # showing the page sends nothing


def test_correcting_the_address(client, recruiter, application):
    response = save(client, application, name="Nora Bates", email=NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/applications/{application.ref}/"
    assert Candidate.get_by_id(application.candidate_id).email == NEW
    shown = client.get(response.headers["Location"]).text
    assert f"Corrected the email of Nora Bates. Emailed a new link to {NEW}" in shown
    assert "and a notice to the old address" in shown
    assert [(m.kind, m.to) for m in Mail.select().order_by(Mail.id)] == [
        ("address_changed", OLD),
        ("link", NEW),
    ]
    assert links.url(links.live(application)) in Mail.get(Mail.kind == "link").text
    entry = AuditEntry.get(AuditEntry.action == "details_changed")
    assert entry.actor_id == recruiter.id and "Nora" not in entry.detail + entry.subject


def test_the_same_details_change_nothing(client, recruiter, application):
    response = save(client, application)
    assert response.status_code == 302
    assert Mail.select().count() == 0
    assert "Nothing changed" in client.get(response.headers["Location"]).text


def test_an_address_taken_by_another_candidate(client, recruiter, application, make_application):
    make_application(name="Someone Else", email=NEW)
    response = save(client, application, email=NEW)
    assert response.status_code == 400
    assert f"{NEW} already belongs to another candidate (Someone Else)" in response.text
    assert form(response.text, "")["fields"]["email"] == NEW  # kept as typed
    assert Candidate.get_by_id(application.candidate_id).email == OLD
    assert Mail.select().count() == 0


@pytest.mark.parametrize("email", ["", "nobody", "a@b@c"])
def test_a_bad_address_is_refused(client, recruiter, application, email):
    response = save(client, application, email=email)
    assert response.status_code == 400
    assert Candidate.get_by_id(application.candidate_id).email == OLD


def test_an_erased_candidate_has_nothing_to_correct(client, recruiter, application):
    privacy.erase_application(None, application, why="test")
    page = client.get(details_url(application))
    assert page.status_code == 200 and "This candidate was erased" in page.text
    assert 'name="email"' not in page.text
    response = client.post(
        details_url(application),
        data={"csrf_token": csrf_token(page), "name": "Nora Bates", "email": NEW},
    )
    assert response.status_code == 400 and "was erased" in response.text
    assert Candidate.get_or_none(Candidate.email == NEW) is None


def test_a_manager_may_not(client, auth, make_user, make_job, make_application):
    manager = make_user("manager")
    application = make_application(job=make_job(managers=[manager]), email=OLD)
    auth.login(manager)
    page = client.get(f"/admin/applications/{application.ref}/")
    assert page.status_code == 200 and "Edit details" not in page.text
    assert client.get(details_url(application)).status_code == 403
    response = client.post(
        details_url(application),
        data={"csrf_token": csrf_token(page), "name": "X", "email": NEW},
    )
    assert response.status_code == 403
    assert Candidate.get_by_id(application.candidate_id).email == OLD


def test_signed_out_goes_to_sign_in(client, application):
    response = client.get(details_url(application))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("token", [None, "forged"])
def test_csrf_is_required(client, recruiter, application, token):
    data = {"name": "Nora Bates", "email": NEW}
    if token:
        data["csrf_token"] = token
    response = client.post(details_url(application), data=data)
    assert response.status_code == 400
    assert Candidate.get_by_id(application.candidate_id).email == OLD
    assert Mail.select().count() == 0


def test_markup_in_the_name_is_inert(client, recruiter, application):
    response = save(client, application, name=XSS, email=NEW)
    assert response.status_code == 302
    for path in (f"/admin/applications/{application.ref}/", details_url(application)):
        html = client.get(path).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    candidate_page = client.get(f"/c/{links.live(application).token}/").text
    assert "<script>alert(1)" not in candidate_page
    for mail in Mail.select():
        assert "<script>alert(1)" not in mail.html and "<img src=x" not in mail.html
