"""Personal data: export-candidate, erase-candidate, the retention purge, the candidate's
own erasure request, and the audit log that names no one."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from helpers.admin_client import CONFIRMED
from helpers.database import BACKEND
from helpers.http import csrf_token

from portal import dates
from portal import domain
from portal.candidates import links
from portal.candidates.actions import rate_experience
from portal.candidates.actions import revoke_link
from portal.cli import cli
from portal.clock import local_date
from portal.clock import now
from portal.errors import Invalid
from portal.mail import transport
from portal.privacy import actions as privacy
from portal.privacy import retention
from portal.site import build
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Candidate
from portal.store.models import ClosureFact
from portal.store.models import ErasureRequest
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Link
from portal.store.models import Mail
from portal.store.models import MODELS
from portal.worker.cli import one_round

NAME = "Zelda Quixote"
EMAIL = "zelda.quixote@example.org"
SECRET = "ZQ-PRIVATE-TEXT"


@pytest.fixture
def zelda(make_job, make_user):
    """An application with every kind of free text about the person, closed and rated."""
    manager = make_user("manager")
    job = make_job(title="Cartographer", managers=[manager])
    application = domain.add_application(None, job, NAME, EMAIL)
    stages = list(job.stages)
    domain.move(
        None, application, stages[2], application.version, f"Moved {SECRET} 1", f"Next {SECRET}"
    )
    domain.post_update(None, application, application.version, f"Update {SECRET} 2")
    domain.add_note(None, application, f"Internal {SECRET} note about {NAME}")
    domain.submit_feedback(manager, application, stages[2], 3, "yes", f"S {SECRET}", f"C {SECRET}")
    domain.close(
        None,
        application,
        application.version,
        "rejected",
        f"Dear Zelda {SECRET}",
        f"R {SECRET}",
        closure_reason="skills_gap",
    )
    rate_experience(application, 4)
    return Application.get_by_id(application.id)


def everything() -> str:
    """Every value of every row of every table, as one text to search."""
    rows = []
    for model in MODELS:
        for row in model.select().dicts():
            rows.append(" ".join(str(value) for value in row.values()))
    return "\n".join(rows)


def privacy_entries():
    """The audit entries of the privacy log (sign-ins and the like are in it too)."""
    return AuditEntry.select().where(AuditEntry.action != "signed_in").order_by(AuditEntry.id)


def assert_gone(*markers):
    text = everything()
    for marker in markers:
        assert marker.lower() not in text.lower(), marker


# --- export -----------------------------------------------------------------------------


def test_export_holds_everything_about_the_person_and_no_token(runner, zelda):
    result = runner.invoke(cli, ["export-candidate", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["candidate"] == {
        "name": NAME,
        "email": EMAIL,
        "created": document["candidate"]["created"],
    }
    [application] = document["applications"]
    assert application["ref"] == zelda.ref and application["status"] == "rejected"
    assert application["internal_reason"] == f"R {SECRET}"
    assert application["closure_reason"] == {
        "code": "skills_gap",
        "label": "Skills gap in the role's core skills",
        "told_to_candidate": True,
    }
    kinds = [e["kind"] for e in application["events"]]
    assert {"created", "moved", "update", "note", "feedback", "reason", "closed", "rated"} <= set(
        kinds
    )
    note = next(e for e in application["events"] if e["kind"] == "note")
    assert note["shown_to_candidate"] is False and SECRET in note["message"]
    assert application["feedback"][0]["strengths"] == f"S {SECRET}"
    assert application["links"] and application["email"]
    token = links.live(zelda).token
    assert token not in result.stdout and links.live(zelda).id not in result.stdout


def test_export_to_a_file_is_private_and_audited(runner, zelda, tmp_path):
    target = tmp_path / "zelda.json"
    result = runner.invoke(cli, ["export-candidate", EMAIL, "-o", str(target)])
    assert result.exit_code == 0
    assert (target.stat().st_mode & 0o777) == 0o600
    assert json.loads(target.read_text())["candidate"]["email"] == EMAIL
    [entry] = AuditEntry.select().where(AuditEntry.action == "export")
    assert entry.subject == f"candidate {zelda.candidate_id}"
    assert EMAIL not in entry.detail and NAME not in entry.detail and zelda.ref in entry.detail


def test_f2_export_candidate_refuses_a_symlink_and_the_live_database(
    runner, zelda, database_url, tmp_path
):
    """F2: -o FILE a symlink planted by someone else, or the live SQLite database (which
    it replaced with JSON), is refused in one line with nothing written."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "zelda.json"
    link.symlink_to(victim)
    result = runner.invoke(cli, ["export-candidate", EMAIL, "-o", str(link)])
    assert result.output == f"Error: {link} is a symlink; refusing to write through it.\n"
    assert victim.read_text() == "precious" and link.is_symlink()
    if BACKEND == "sqlite":
        live = database_url.removeprefix("sqlite:///")
        result = runner.invoke(cli, ["export-candidate", EMAIL, "-o", live])
        assert result.output == (
            f"Error: {live} is the live database or one of its files; choose another path.\n"
        )
    assert AuditEntry.select().where(AuditEntry.action == "export").count() == 0


def test_unknown_address_is_one_line(runner, app):
    for args in (["export-candidate"], ["erase-candidate", "--yes"]):
        result = runner.invoke(cli, [*args, "nobody@example.org"])
        assert result.exit_code == 1
        assert result.output == "Error: No candidate has the email address nobody@example.org.\n"
    result = runner.invoke(cli, ["export-candidate", "not an address"])
    assert result.exit_code == 1 and "is not a valid email address" in result.output


# --- erasure ----------------------------------------------------------------------------


def test_erase_candidate_removes_every_trace_and_keeps_the_counts(runner, client, zelda, tmp_path):
    token = links.live(zelda).token
    facts = ClosureFact.select().count()
    feedback = list(Feedback.select(Feedback.rating, Feedback.recommendation).tuples())
    assert client.get(f"/c/{token}/").status_code == 200
    result = runner.invoke(cli, ["erase-candidate", EMAIL], input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Erased {EMAIL}: 1 application(s)" in result.output

    assert_gone(NAME, EMAIL, SECRET, "Zelda")
    assert Candidate.get_or_none(Candidate.email == EMAIL) is None
    kept = Application.get_by_id(zelda.id)
    assert (kept.ref, kept.status, kept.job_id, kept.stage_id) == (
        zelda.ref,
        "rejected",
        zelda.job_id,
        zelda.stage_id,
    )
    assert kept.closure_note == privacy.ERASED_TEXT and kept.version == zelda.version + 1
    assert kept.candidate.name == privacy.ERASED_NAME
    assert Event.get((Event.application == zelda.id) & (Event.kind == "rated")).message == (
        "4 out of 5"
    )
    assert ClosureFact.select().count() == facts
    assert list(Feedback.select(Feedback.rating, Feedback.recommendation).tuples()) == feedback
    assert Mail.select().where(Mail.application == zelda.id).count() == 0
    assert Link.select().where(Link.application == zelda.id, Link.revoked.is_null()).count() == 0
    dead = client.get(f"/c/{token}/")
    assert dead.status_code == 404 and "no longer works" in dead.text
    [entry] = AuditEntry.select().where(AuditEntry.action == "erasure")
    assert entry.subject == f"candidate {zelda.candidate_id}"
    assert json.loads(entry.detail)["applications"] == [zelda.ref]


def test_erase_asks_first_and_no_changes_nothing(runner, zelda):
    result = runner.invoke(cli, ["erase-candidate", EMAIL], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert Candidate.get(Candidate.email == EMAIL).name == NAME
    assert AuditEntry.select().count() == 0


def test_erasing_an_open_application_takes_it_out_of_the_pipeline(make_application):
    application = make_application(name=NAME, email=EMAIL)
    privacy.erase_candidate(None, application.candidate)
    erased = Application.get_by_id(application.id)
    assert erased.status == "withdrawn" and erased.closed is not None and erased.reply_by is None
    assert Mail.select().count() == 0  # nobody to tell
    with pytest.raises(domain.Conflict):  # a recruiter who loaded it before cannot write
        domain.post_update(None, application, application.version, "hello")


def test_erasure_deletes_the_static_pages_at_once(app, zelda, make_application, tmp_path):
    other = make_application()
    site = tmp_path / "site"
    app.config["SITE_DIR"] = str(site)
    build.build(str(site))
    mine, theirs = links.live(zelda).token, links.live(other).token
    assert (site / "c" / mine / "index.html").exists()
    privacy.erase_candidate(None, zelda.candidate)
    assert not (site / "c" / mine).exists()
    assert (site / "c" / theirs / "index.html").exists()


def test_staff_digests_lose_the_name(zelda):
    Mail.create(
        kind="digest_recruiter",
        to="rita@example.com",
        subject="1 candidate owed word",
        text=f"- {NAME}, Cartographer ({zelda.ref})\n- Zeldarin Other, Cook",
        html=f"<li>{NAME}</li>",
    )
    privacy.erase_candidate(None, zelda.candidate)
    digest = Mail.get(Mail.kind == "digest_recruiter")
    assert NAME not in digest.text and NAME not in digest.html
    assert "Zeldarin Other" in digest.text and zelda.ref in digest.text


def test_a_name_ending_in_punctuation_is_redacted_too(make_application):
    application = make_application(name="Mary Smith Jr.")
    Mail.create(
        kind="digest_recruiter",
        to="rita@example.com",
        subject="1 candidate owed word",
        text=f"- Mary Smith Jr., Data Analyst ({application.ref})",
    )
    privacy.erase_candidate(None, application.candidate)
    assert "Mary Smith Jr." not in Mail.get(Mail.kind == "digest_recruiter").text


def test_erasure_deletes_their_mail_from_the_outbox(app, zelda):
    """With MAIL_URL=outbox the delivered copies are files that name the person."""
    outbox = transport.outbox_folder()

    def naming_them():
        return [p.name for p in outbox.glob("*.eml") if EMAIL in p.read_text()]

    assert naming_them()  # the notices and the closure note were delivered there
    privacy.erase_candidate(None, zelda.candidate)
    assert naming_them() == []


def test_managers_cannot_erase(make_user, zelda):
    with pytest.raises(domain.Forbidden):
        privacy.erase_candidate(make_user("manager"), zelda.candidate)


# --- retention --------------------------------------------------------------------------


def test_purge_erases_what_closed_before_the_retention_period(runner, app, make_job, zelda):
    app.config["RETENTION_DAYS"] = 30
    job = make_job()
    recent = domain.add_application(None, job, "Recent Person", "recent@example.org")
    with time_machine.travel(now() + timedelta(days=20), tick=False):
        domain.close(None, recent, recent.version, "hired", "Welcome")
    # Zelda applies again later: her old application goes, she and the new one stay.
    again = domain.add_application(None, job, NAME, EMAIL)
    later = now() + timedelta(days=31)
    with time_machine.travel(later, tick=False):
        dry = runner.invoke(cli, ["purge", "--dry-run"])
        assert dry.exit_code == 0
        assert f"Would erase 1 old application(s) of candidates with newer ones: {zelda.ref}." in (
            dry.output
        )
        assert "Recent Person" not in dry.output and Candidate.select().count() == 2
        assert AuditEntry.select().count() == 0
        done = runner.invoke(cli, ["purge"])
        assert done.exit_code == 0 and "Erased 1 old application(s)" in done.output
    assert Application.get_by_id(zelda.id).candidate.name == privacy.ERASED_NAME
    assert Application.get_by_id(again.id).candidate.email == EMAIL
    assert Application.get_by_id(recent.id).candidate.name == "Recent Person"
    with time_machine.travel(now() + timedelta(days=62), tick=False):
        result = runner.invoke(cli, ["purge"])
        assert "Erased 1 candidate(s) whole" in result.output
    assert Candidate.get_or_none(Candidate.email == "recent@example.org") is None
    again_result = runner.invoke(cli, ["purge"])
    assert "Nothing to purge." in again_result.output


def test_retention_off_keeps_everything(runner, app, zelda):
    app.config["RETENTION_DAYS"] = 0
    with time_machine.travel(now() + timedelta(days=3650), tick=False):
        result = runner.invoke(cli, ["purge"])
    assert result.output.splitlines() == [
        "Retention is off (PORTAL_RETENTION_DAYS=0): closed applications are kept.",
        "Nothing to purge.",
    ]
    assert Candidate.get(Candidate.email == EMAIL)


def test_old_staff_mail_is_purged(app):
    app.config["RETENTION_DAYS"] = 10
    Mail.create(kind="digest_recruiter", to="r@example.com", subject="s", text=NAME, sent=now())
    with time_machine.travel(now() + timedelta(days=11), tick=False):
        plan = retention.plan()
        assert plan.staff_mail == 1
        retention.purge()
    assert Mail.select().count() == 0
    assert AuditEntry.get(AuditEntry.action == "purge").detail == '{"deleted": 1}'


# --- the candidate's own request ----------------------------------------------------------


def page_form(client, token):
    page = client.get(f"/c/{token}/")
    match = re.search(r'action="([^"]*erase)".*?name="form_token" value="([^"]+)"', page.text, re.S)
    assert match, "no erasure form on the page"
    return match.group(1), match.group(2)


def test_candidate_asks_from_their_page_and_a_recruiter_erases(
    app, client, auth, make_application, make_user
):
    application = make_application(name=NAME, email=EMAIL)
    token = links.live(application).token
    action, form_token = page_form(client, token)
    assert action == f"/c/{token}/erase"
    refused = client.post(action, data={"confirm": "yes"})
    assert refused.status_code == 400 and "did not come from your page" in refused.text
    unconfirmed = client.post(action, data={"form_token": form_token})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    assert ErasureRequest.select().count() == 0

    asked = client.post(action, data={"form_token": form_token, "confirm": "yes"})
    assert asked.status_code == 200 and "We have your request" in asked.text
    assert asked.headers["Referrer-Policy"] == "no-referrer"
    assert Application.get_by_id(application.id).status == "withdrawn"
    [erasure] = Mail.select().where(Mail.kind == "erasure")
    assert erasure.to == EMAIL and "If you did not ask for this" in erasure.text
    again = client.post(action, data={"form_token": form_token, "confirm": "yes"})
    assert again.status_code == 200 and ErasureRequest.select().count() == 1

    recruiter = make_user("recruiter")
    auth.login(recruiter)
    listing = client.get("/admin/privacy/")
    assert listing.status_code == 200 and EMAIL in listing.text
    [request_row] = ErasureRequest.select()
    done = client.post(
        f"/admin/privacy/{request_row.id}/erase",
        data={"csrf_token": csrf_token(listing)},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "Erased:" in done.text
    assert_gone(NAME, EMAIL)
    assert client.get(f"/c/{token}/").status_code == 404
    actions = [e.action for e in privacy_entries()]
    assert actions == ["erasure_request", "erasure"]
    audit_page = client.get("/admin/privacy/").text
    assert "erasure request" in audit_page and recruiter.name in audit_page


def test_a_request_can_be_cancelled_and_otherwise_purge_carries_it_out(
    app, client, auth, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    first = make_application(name=NAME, email=EMAIL)
    second = make_application(name="Other Person")
    for application in (first, second):
        privacy.request_erasure(application)
    recruiter = make_user("recruiter")
    auth.login(recruiter)
    listing = client.get("/admin/privacy/")
    request_id = ErasureRequest.get(ErasureRequest.candidate == second.candidate_id).id
    client.post(
        f"/admin/privacy/{request_id}/cancel", data={"csrf_token": csrf_token(listing), **CONFIRMED}
    )
    assert Candidate.get_by_id(second.candidate_id).name == "Other Person"
    with time_machine.travel(now() + timedelta(days=6), tick=False):
        assert retention.plan().requests == []
    with time_machine.travel(now() + timedelta(days=8), tick=False):
        retention.purge()
    assert Candidate.get_or_none(Candidate.email == EMAIL) is None
    assert Candidate.get_by_id(second.candidate_id).name == "Other Person"


def test_with_no_wait_the_request_erases_at_once(app, client, make_application):
    app.config["ERASURE_DAYS"] = 0
    application = make_application(name=NAME, email=EMAIL)
    token = links.live(application).token
    action, form_token = page_form(client, token)
    done = client.post(action, data={"form_token": form_token, "confirm": "yes"})
    assert done.status_code == 200 and "Your data is deleted" in done.text
    assert_gone(NAME, EMAIL)
    assert client.get(f"/c/{token}/").status_code == 404


def test_a_dead_link_cannot_ask(client, make_application):
    application = make_application()
    token = links.live(application).token
    revoke_link(None, application)
    dead_page = client.get(f"/c/{token}/")
    dead_erase = client.post(f"/c/{token}/erase", data={"confirm": "yes"})
    assert dead_erase.status_code == dead_page.status_code == 404
    assert dead_erase.data == dead_page.data
    assert ErasureRequest.select().count() == 0


def test_managers_cannot_see_the_privacy_page(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/admin/privacy/").status_code == 403


# --- one link reaches one application -------------------------------------------------------


def two_applications(make_job, make_application):
    """One person who applied to two jobs."""
    first = make_application(job=make_job(title="Backend Engineer"), name=NAME, email=EMAIL)
    second = make_application(job=make_job(title="Data Engineer"), name=NAME, email=EMAIL)
    assert first.candidate_id == second.candidate_id
    return first, second


def test_a_request_withdraws_only_its_own_application(app, make_job, make_application):
    """One application's link cannot withdraw the person's others."""
    app.config["ERASURE_DAYS"] = 7
    first, second = two_applications(make_job, make_application)
    privacy.request_erasure(first)
    assert Application.get_by_id(first.id).status == "withdrawn"
    assert Application.get_by_id(second.id).status == "active"
    [erasure] = Mail.select().where(Mail.kind == "erasure")
    assert "your application for Backend Engineer" in " ".join(erasure.text.split())
    assert "Your other applications with us (Data Engineer) are not affected" in " ".join(
        erasure.text.split()
    )


def test_carrying_it_out_erases_that_application_and_keeps_the_others(
    app, make_job, make_application
):
    app.config["ERASURE_DAYS"] = 7
    first, second = two_applications(make_job, make_application)
    request = privacy.request_erasure(first)
    privacy.carry_out(None, request.id)
    assert privacy.is_erased(Application.get_by_id(first.id).candidate)
    kept = Application.get_by_id(second.id)
    assert (kept.status, kept.candidate.name, kept.candidate.email) == ("active", NAME, EMAIL)
    assert links.live(kept) is not None
    assert ErasureRequest.select().count() == 0


def test_the_last_application_takes_the_person_with_it(app, make_job, make_application):
    app.config["ERASURE_DAYS"] = 0
    first, second = two_applications(make_job, make_application)
    privacy.request_erasure(first)
    assert Candidate.get_by_id(second.candidate_id).name == NAME  # still has one
    privacy.request_erasure(Application.get_by_id(second.id))
    assert_gone(NAME, EMAIL)


def test_cancelling_opens_the_withdrawn_application_again(
    app, client, auth, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    stage = application.stage_id
    request = privacy.request_erasure(application)
    assert Application.get_by_id(application.id).status == "withdrawn"
    auth.login(make_user("recruiter"))
    listing = client.get("/admin/privacy/")
    client.post(
        f"/admin/privacy/{request.id}/cancel", data={"csrf_token": csrf_token(listing), **CONFIRMED}
    )
    restored = Application.get_by_id(application.id)
    assert (restored.status, restored.stage_id, restored.closed) == ("active", stage, None)
    assert ErasureRequest.select().count() == 0
    actions = [e.action for e in privacy_entries()]
    assert actions == ["erasure_request", "erasure_cancelled"]


def test_cancelling_a_request_for_a_closed_application_leaves_it_closed(
    app, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you.")
    request = privacy.request_erasure(Application.get_by_id(application.id))
    assert request.withdrew is False
    privacy.cancel_request(make_user("recruiter"), request.id)
    assert Application.get_by_id(application.id).status == "rejected"


def test_purge_carries_out_a_due_request_for_its_application_only(app, make_job, make_application):
    app.config["ERASURE_DAYS"] = 7
    first, second = two_applications(make_job, make_application)
    privacy.request_erasure(first)
    with time_machine.travel(now() + timedelta(days=8), tick=False):
        assert len(retention.purge().requests) == 1
    assert privacy.is_erased(Application.get_by_id(first.id).candidate)
    kept = Application.get_by_id(second.id)
    assert (kept.status, kept.candidate.name) == ("active", NAME)


def test_a_pending_request_cannot_be_reopened_around(app, make_application, make_user):
    """Reopening on the application page would leave the request to erase an active
    application: it is refused, and says how to cancel the request instead."""
    app.config["ERASURE_DAYS"] = 7
    application = make_application()
    privacy.request_erasure(application)
    withdrawn = Application.get_by_id(application.id)
    with pytest.raises(Invalid, match="cancel their request in Admin › Privacy"):
        domain.reopen(make_user("recruiter"), withdrawn, withdrawn.version)
    assert Application.get_by_id(application.id).status == "withdrawn"


def test_asking_twice_says_the_request_is_already_there(app, client, make_application):
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    action, form_token = page_form(client, links.live(application).token)
    first = client.post(action, data={"form_token": form_token, "confirm": "yes"})
    assert "We have withdrawn it and emailed you to confirm." in first.text
    again = client.post(action, data={"form_token": form_token, "confirm": "yes"})
    assert "We already had your request" in again.text and "emailed" not in again.text
    assert Mail.select().where(Mail.kind == "erasure").count() == 1


# --- "Erase now" asks first --------------------------------------------------------------


def erase_page_words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_erase_now_asks_first_and_the_question_erases_nothing(
    app, client, auth, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    privacy.request_erasure(application)
    [request_row] = ErasureRequest.select()
    auth.login(make_user("recruiter"))
    listing = client.get("/admin/privacy/").text
    # the list's button only opens the question: a GET form, no token, no erasure
    asked = f'<form method="get" action="/admin/privacy/{request_row.id}/erase"'
    assert asked in listing
    assert f'method="post" action="/admin/privacy/{request_row.id}/erase"' not in listing
    page = client.get(f"/admin/privacy/{request_row.id}/erase")
    assert page.status_code == 200
    said = erase_page_words(page.text)
    assert f"This deletes this application for good: {application.ref}" in said
    assert "the history (messages, next steps, internal notes), the written parts of the" in said
    assert f"{NAME}’s name and email address ({EMAIL}) are deleted too" in said
    assert "It cannot be undone." in said
    assert 'href="/admin/privacy/"' in page.text and "Go back without erasing" in said
    assert ErasureRequest.select().count() == 1
    assert Candidate.get(Candidate.email == EMAIL).name == NAME
    assert not AuditEntry.select().where(AuditEntry.action == "erasure").exists()


def test_the_confirmed_erase_erases_and_still_needs_its_csrf_token(
    app, client, auth, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    privacy.request_erasure(application)
    [request_row] = ErasureRequest.select()
    auth.login(make_user("recruiter"))
    url = f"/admin/privacy/{request_row.id}/erase"
    page = client.get(url)
    for forged in ({}, {"csrf_token": "forged"}):
        assert client.post(url, data=forged).status_code == 400
    assert Candidate.get(Candidate.email == EMAIL).name == NAME
    form_html = re.search(rf'<form method="post" action="{url}".*?</form>', page.text, re.S)
    assert form_html and "Erase for good" in form_html.group(0)
    done = client.post(url, data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert done.status_code == 200 and "Erased:" in done.text
    assert_gone(NAME, EMAIL)
    assert client.get(url).status_code == 404  # carried out: nothing left to ask about


def test_erase_now_says_when_the_person_and_their_other_applications_stay(
    app, client, auth, make_job, make_application, make_user
):
    app.config["ERASURE_DAYS"] = 7
    first, second = two_applications(make_job, make_application)
    privacy.request_erasure(first)
    [request_row] = ErasureRequest.select()
    auth.login(make_user("recruiter"))
    said = erase_page_words(client.get(f"/admin/privacy/{request_row.id}/erase").text)
    assert f"This deletes this application for good: {first.ref} (Backend Engineer)" in said
    assert f"name and email address stay, with their other application: {second.ref}" in said
    assert "are deleted too" not in said


def test_erase_now_is_for_staff_only(app, client, auth, make_application, make_user):
    app.config["ERASURE_DAYS"] = 7
    privacy.request_erasure(make_application(name=NAME, email=EMAIL))
    [request_row] = ErasureRequest.select()
    auth.login(make_user("manager"))
    assert client.get(f"/admin/privacy/{request_row.id}/erase").status_code == 403
    assert ErasureRequest.select().count() == 1


def test_asking_withdraws_and_erases_in_one_email(app, client, smtp_server, make_application):
    """Withdrawing and asking for erasure are one request: the candidate gets one email
    that says both, the withdrawal's closure note and when the data goes, replies going
    to the recruiter."""
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    action, form_token = page_form(client, links.live(application).token)
    client.post(action, data={"form_token": form_token, "confirm": "yes"})
    one_round()  # the worker sends what the request queued
    [message] = smtp_server.messages
    # (a subject this long is folded after "Subject:", and parsed with a leading space)
    subject = message["Subject"].strip()
    assert subject == "Your application for Backend Engineer is withdrawn, and will be deleted"
    text = " ".join(message.get_body(("plain",)).get_content().split())
    withdrawn = Application.get_by_id(application.id)
    assert " ".join(withdrawn.closure_note.split()) in text
    due = ErasureRequest.get().due
    assert f"We will delete it by {dates.in_words(local_date(due))} at the latest." in text
    assert "we will stop it and open your application again" in text
    assert links.url(links.live(withdrawn)) in text
    recruiter = application.job.recruiter
    assert message["Reply-To"].addresses[0].addr_spec == recruiter.email
    [queued] = Mail.select()
    assert (queued.kind, queued.event.kind) == ("erasure", "closed")


def test_asking_after_the_closure_sends_the_confirmation_only(app, smtp_server, make_application):
    app.config["ERASURE_DAYS"] = 7
    application = make_application(name=NAME, email=EMAIL)
    domain.close(None, application, application.version, "rejected", "Dear Zelda, thank you.")
    privacy.request_erasure(Application.get_by_id(application.id))
    closure, erasure = smtp_server.messages
    assert erasure["Subject"] == "Your request to delete your data at Example Ltd"
    text = " ".join(erasure.get_body(("plain",)).get_content().split())
    assert "we will stop it." in text and "open your application again" not in text
    assert erasure["Reply-To"] is not None and Mail.get(Mail.kind == "erasure").event is None


def test_calling_off_a_request_shows_the_reopening_email_first(
    client, auth, make_user, make_application
):
    application = make_application()
    request = privacy.request_erasure(application)
    auth.login(make_user("recruiter"))
    listing = client.get("/admin/privacy/")
    check = client.post(
        f"/admin/privacy/{request.id}/cancel", data={"csrf_token": csrf_token(listing)}
    )
    assert "Check before it goes" in check.text
    assert "We have not deleted your data" in check.text  # not "good news"
    assert ErasureRequest.select().count() == 1  # nothing happened yet
