"""Closing for a reason from the company's list, through the admin's real forms and the
check page; the list itself (admins change it, everyone who acts reads it); the templates
per outcome and point; and a reason the candidate may not be told, nowhere they look."""

import html
import re

import pytest
from helpers.admin_client import confirmed
from helpers.admin_client import fill
from helpers.admin_client import form
from helpers.admin_client import forms
from helpers.admin_client import submit
from helpers.http import csrf_token

from portal import dates
from portal import domain
from portal.candidates import links
from portal.clock import today
from portal.domain import default_reasons
from portal.domain import reasons
from portal.site import build
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import ClosureReason
from portal.store.models import ClosureTemplate
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import Stage

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Recruiter")


@pytest.fixture
def application(make_job, make_application, recruiter):
    job = make_job(title="Backend Engineer", recruiter=recruiter)
    return make_application(job=job, name="Ada Lovelace", email="ada@example.org")


def url(application) -> str:
    return f"/admin/applications/{application.ref}/"


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def select_of(page_html: str, name: str) -> str:
    """The select named ``name``, as HTML."""
    return re.search(rf'<select[^>]*name="{name}".*?</select>', page_html, re.S).group(0)


# --- the close form ----------------------------------------------------------------------


def test_the_close_form_offers_the_list_grouped_by_outcome(client, auth, recruiter, application):
    reasons.retire_reason(None, reasons.by_code("salary_expectations"))
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    select = select_of(page.text, "close-closure_reason")
    assert '<option value="">Choose a reason…</option>' in select
    groups = re.findall(r'<optgroup label="(\w+)">', select)
    assert groups == ["Rejected", "Withdrawn"]
    assert ">Role filled (the candidate is told)</option>" in select
    assert ">Conduct or references</option>" in select  # never told: not marked
    assert "salary_expectations" not in select  # retired
    assert default_reasons.OWN_WITHDRAWAL not in select  # the candidate's own, never staff's
    assert default_reasons.AUTO_CLOSED not in select  # the reminder's, never staff's
    note = form(page.text, "/close")["fields"]["close-closure_note"]
    assert note.startswith("Dear Ada,") and "{reason}" in note  # filled once chosen
    assert "the template for closing after applying" in page.text


def test_closing_without_a_reason_is_refused_with_what_was_typed(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    response = submit(client, page, "/close", closure_note="Dear Ada, my own words.")
    assert response.status_code == 400
    assert "Choose why it closed from the list" in response.text
    assert "Dear Ada, my own words.</textarea>" in response.text
    assert fresh(application).is_active and Mail.select().count() == 0


def test_the_check_page_shows_the_note_with_the_reasons_words(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    check = submit(client, page, "/close", confirm=False, closure_reason="skills_gap")
    gap = reasons.by_code("skills_gap")
    email = html.unescape(check.text.split('<pre class="email-text">', 1)[1].split("</pre>")[0])
    assert gap.candidate_text in email and gap.next_steps in email
    assert "{reason}" not in email and fresh(application).is_active
    done = confirmed(client, check, url(application) + "close", follow_redirects=True)
    assert "Closed as rejected." in done.text
    after = fresh(application)
    assert after.closure_reason_id == gap.id and gap.candidate_text in after.closure_note
    shown = done.text.split('aria-labelledby="standing"', 1)[1].split("</section>", 1)[0]
    assert "Why it closed" in shown and "Skills gap in the role&#39;s core skills" in shown


def test_an_untold_reason_reaches_no_email_page_or_static_file(
    client, auth, recruiter, application, tmp_path
):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    check = submit(client, page, "/close", confirm=False, closure_reason="conduct_references")
    assert "Conduct or references" not in check.text.split('<pre class="email-text">', 1)[1]
    confirmed(client, check, url(application) + "close")
    after = fresh(application)
    assert after.status == "rejected" and after.closure_reason.code == "conduct_references"
    [mail] = Mail.select().where(Mail.application == application.id, Mail.kind != "link")
    candidate = client.get(f"/c/{links.live(after).token}/").text
    build.build(str(tmp_path / "site"))
    static = (tmp_path / "site" / "c" / links.live(after).token / "index.html").read_text()
    for seen in (mail.subject + mail.text, mail.html, candidate, static):
        assert "Conduct or references" not in seen and "conduct_references" not in seen
        assert "{reason}" not in seen and "Dear Ada," in html.unescape(seen)


def test_a_reason_can_be_edited_into_the_note_but_is_counted_as_chosen(
    client, auth, recruiter, application
):
    """The note is the recruiter's to edit: without {reason}, none of its words go."""
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=withdrawn")
    typed = "Dear Ada, thank you for telling us. Good luck!"
    submit(client, page, "/close", closure_note=typed, closure_reason="other_offer")
    after = fresh(application)
    assert after.closure_note == typed and after.closure_reason.code == "other_offer"


def test_a_scheduled_closure_keeps_its_reason(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    day = dates.add_business_days(today(), 3)
    values = {"send_on": day.isoformat(), "closure_reason": "role_closed"}
    check = submit(client, page, "/close", confirm=False, **values)
    closed = reasons.by_code("role_closed")
    assert "Nothing is sent now" in check.text and closed.candidate_text in check.text
    confirmed(client, check, url(application) + "close")
    scheduled = ScheduledClosure.get()
    assert scheduled.closure_reason_id == closed.id
    assert closed.candidate_text in scheduled.closure_note and fresh(application).is_active


# --- the follow-up queue's close page ------------------------------------------------------


def test_the_follow_up_close_page_asks_for_its_outcomes_reasons(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    path = f"/admin/followup/{application.ref}/close?status=withdrawn"
    page = client.get(path)
    select = select_of(page.text, "closure_reason")
    assert "not_right_time" in select and "role_filled" not in select
    refused = client.post(
        path,
        data={
            "csrf_token": csrf_token(page),
            "version": application.version,
            "note": "Dear Ada, {reason}",
            "tell": "y",
            "confirmed": "yes",
        },
        follow_redirects=True,
    )
    assert "Choose why it closed" in refused.text and fresh(application).is_active
    check = client.post(
        path,
        data={
            "csrf_token": csrf_token(page),
            "version": application.version,
            "note": "Dear Ada, {reason}",
            "closure_reason": "not_right_time",
            "tell": "y",
        },
    )
    assert "Dear Ada, We understand that now is not the right time." in check.text
    confirmed(client, check, path)
    assert fresh(application).closure_reason.code == "not_right_time"


# --- the templates page ---------------------------------------------------------------------


def test_a_template_per_point_of_the_process(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get("/admin/templates")
    assert 'id="rejected-applied"' in page.text and 'id="withdrawn-final"' in page.text
    assert 'id="hired-final"' not in page.text  # a hire comes at the end: one template
    point = next(
        f
        for f in forms(page.text)
        if f["fields"].get("status") == "rejected" and f["fields"].get("point") == "applied"
    )
    body = "Thanks for applying, {first_name}. {reason}"
    response = client.post(point["action"], data={**fill(point), "rejected-applied-body": body})
    assert response.headers["Location"] == "/admin/templates#rejected-applied"
    saved = ClosureTemplate.get(ClosureTemplate.point == "applied")
    assert (saved.status, saved.body) == ("rejected", body)
    close = client.get(url(application) + "close?status=rejected")
    assert "Thanks for applying, Ada. {reason}</textarea>" in close.text
    page = client.get("/admin/templates")
    assert "uses its own" in page.text
    again = next(
        f
        for f in forms(page.text)
        if f["fields"].get("status") == "rejected" and f["fields"].get("point") == "applied"
    )
    client.post(again["action"], data={**fill(again), "reset": "yes"})
    page = client.get("/admin/templates").text
    applied = page.split('id="rejected-applied"')[1].split("</details>")[0]
    assert "uses the rejected template for any point" in applied
    assert "Use the portal's words instead" in applied
    portal = next(
        f
        for f in forms(page)
        if f["fields"].get("status") == "rejected" and f["fields"].get("point") == "applied"
    )
    client.post(portal["action"], data={**fill(portal), "reset": "portal"})
    assert ClosureTemplate.select().count() == 0


def point_source(page_html: str, status: str, point: str) -> str:
    """What the templates page says a point's template is."""
    block = page_html.split(f'id="{status}-{point}"')[1].split("</details>")[0]
    return re.search(r'<span class="sub">uses ([^<]+)</span>', block).group(1)


def test_saving_the_any_point_template_leaves_every_point_as_it_was(
    client, auth, recruiter, application
):
    """Saving "Rejected, at any point" must not switch the points that have words of their
    own or the portal's: each keeps the template it used, and so do the drafts."""
    auth.login(recruiter)
    page = client.get("/admin/templates")
    before = {
        p: point_source(page.text, "rejected", p) for p in ("applied", "interviewed", "final")
    }
    draft = form(client.get(url(application) + "close?status=rejected").text, "/close")
    general = next(
        f
        for f in forms(page.text)
        if f["fields"].get("status") == "rejected" and not f["fields"].get("point")
    )
    body = "Dear {first_name}, our general words. {reason}"
    response = client.post(general["action"], data={**fill(general), "rejected-body": body})
    assert response.status_code == 302
    page = client.get("/admin/templates")
    after = {p: point_source(page.text, "rejected", p) for p in ("applied", "interviewed", "final")}
    assert after == before == dict.fromkeys(before, "the portal&#39;s words")
    redraft = form(client.get(url(application) + "close?status=rejected").text, "/close")
    assert redraft["fields"]["close-closure_note"] == draft["fields"]["close-closure_note"]
    assert "our general words" not in redraft["fields"]["close-closure_note"]


@pytest.mark.parametrize("body", ["Dear {first_name}, {bogus}", "Dear {first_name}, {reason"])
def test_a_template_with_a_bad_placeholder_is_refused_as_typed(client, auth, recruiter, body):
    auth.login(recruiter)
    page = client.get("/admin/templates")
    general = next(
        f
        for f in forms(page.text)
        if f["fields"].get("status") == "rejected" and not f["fields"].get("point")
    )
    response = client.post(general["action"], data={**fill(general), "rejected-body": body})
    assert response.status_code == 400
    bad = body.split(", ")[1]
    assert "The template has a" in response.text and f"placeholder “{bad}”" in response.text
    assert html.escape(body, quote=False) + "</textarea>" in response.text
    assert ClosureTemplate.select().count() == 0


def test_placeholders_typed_in_the_note_reach_the_candidate_filled(
    client, auth, recruiter, application
):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    typed = "Dear {first_name}, about the {job} role: {reason}\r\n\r\n{recruiter}"
    check = submit(
        client, page, "/close", confirm=False, closure_note=typed, closure_reason="skills_gap"
    )
    email = html.unescape(check.text.split('<pre class="email-text">', 1)[1].split("</pre>")[0])
    assert "Dear Ada, about the Backend Engineer role:" in email and "Rita Recruiter" in email
    confirmed(client, check, url(application) + "close")
    after = fresh(application)
    candidate = client.get(f"/c/{links.live(after).token}/").text
    [mail] = Mail.select().where(Mail.application == application.id, Mail.kind == "closure")
    for seen in (after.closure_note, email, mail.text, mail.html, candidate):
        for placeholder in ("{first_name}", "{job}", "{recruiter}", "{reason}"):
            assert placeholder not in seen


def test_a_bad_placeholder_in_the_note_is_refused_naming_it(client, auth, recruiter, application):
    auth.login(recruiter)
    page = client.get(url(application) + "close?status=rejected")
    typed = "Dear {frist_name}, no."
    response = submit(client, page, "/close", closure_note=typed, closure_reason="skills_gap")
    assert response.status_code == 400
    assert "The closure note has an unknown placeholder “{frist_name}”" in response.text
    assert "Dear {frist_name}, no.</textarea>" in response.text
    assert fresh(application).is_active and Mail.select().where(Mail.kind == "closure").count() == 0


# --- the list, as admins change it ------------------------------------------------------------


def test_an_admin_adds_edits_and_retires_a_reason(client, auth, make_user, application):
    admin = make_user("admin")
    auth.login(admin)
    page = client.get("/admin/templates")
    assert ClosureReason.select().count() == 0  # reading the list writes nothing
    added = submit(
        client,
        page,
        "/admin/reasons/",
        **{
            "new-status": "rejected",
            "new-label": "No visa sponsorship",
            "new-tellable": "y",
            "new-candidate_text": "We cannot sponsor a visa for this role.",
            "new-next_steps": "Roles that offer sponsorship say so in their advert.",
        },
    )
    assert added.headers["Location"] == "/admin/templates#reason-no_visa_sponsorship"
    visa = reasons.by_code("no_visa_sponsorship")
    assert visa.tellable and visa.status == "rejected"
    edit = client.get("/admin/reasons/no_visa_sponsorship/edit")
    assert "code <code>no_visa_sponsorship</code>" in edit.text
    submit(client, edit, "/edit", **{"reason-label": "Visa sponsorship", "reason-tellable": None})
    visa = reasons.by_code("no_visa_sponsorship")
    assert (visa.label, visa.tellable, visa.status) == ("Visa sponsorship", False, "rejected")
    confirm = client.get("/admin/reasons/no_visa_sponsorship/retire")
    assert "It is no longer offered" in confirm.text
    assert "No application was closed for it, so there is nothing to keep" in confirm.text
    assert "The 0 applications" not in confirm.text
    assert reasons.by_code("no_visa_sponsorship").retired is None  # asking changes nothing
    retired = submit(client, confirm, "/retire", follow_redirects=True)
    assert "Retired “Visa sponsorship”" in retired.text
    assert "no_visa_sponsorship" not in select_of(
        client.get(url(application) + "close?status=rejected").text, "close-closure_reason"
    )
    offered = submit(client, retired, "/admin/reasons/no_visa_sponsorship/offer")
    assert offered.status_code == 302 and reasons.by_code("no_visa_sponsorship").retired is None
    reasons_log = AuditEntry.action.startswith("closure_reason")  # sign-ins are logged too
    actions = [e.action for e in AuditEntry.select().where(reasons_log).order_by(AuditEntry.id)]
    assert actions == [
        "closure_reason_added",
        "closure_reason_changed",
        "closure_reason_retired",
        "closure_reason_offered",
    ]


def test_retiring_a_reason_counts_its_closures_in_words(client, auth, make_user, application):
    domain.close(
        None, application, application.version, "rejected", "No.", closure_reason="role_filled"
    )
    auth.login(make_user("admin"))
    confirm = client.get("/admin/reasons/role_filled/retire").text
    assert "The one application closed for it keeps it" in confirm
    assert "The 1 application" not in confirm and "keeps it, and Follow-up health" in confirm


def test_a_refused_reason_is_shown_again_as_typed(client, auth, make_user):
    auth.login(make_user("admin"))
    page = client.get("/admin/templates")
    typed = {"new-label": "Told but silent", "new-tellable": "y", "new-candidate_text": ""}
    response = submit(client, page, "/admin/reasons/", **typed)
    assert response.status_code == 400
    assert "needs the sentence they read" in response.text
    assert 'value="Told but silent"' in response.text
    assert '<details class="add-reason" id="add-reason" open>' in response.text


def test_recruiters_read_the_list_and_only_admins_change_it(
    client, auth, recruiter, make_user, application
):
    auth.login(recruiter)
    page = client.get("/admin/templates")
    assert "Conduct or references" in page.text and "Only an admin can change the list" in page.text
    assert "/admin/reasons/" not in page.text
    token = csrf_token(page)
    for path in ("/admin/reasons/", "/admin/reasons/role_filled/retire"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/reasons/role_filled/edit").status_code == 403
    assert ClosureReason.select().count() == 0
    auth.logout()
    auth.login(make_user("admin"))
    own = f"/admin/reasons/{default_reasons.OWN_WITHDRAWAL}/retire"
    assert client.get(own).status_code == 404  # the candidate's own withdrawal stays
    automatic = f"/admin/reasons/{default_reasons.AUTO_CLOSED}/edit"
    assert client.get(automatic).status_code == 404  # and the reminder's
    assert client.get("/admin/reasons/no_such_thing/edit").status_code == 404


def test_a_reasons_words_are_inert_wherever_they_show(client, auth, make_user, application):
    admin = make_user("admin")
    reasons.save_reason(
        admin,
        label=f"Label {XSS}",
        tellable=True,
        candidate_text=f"Sentence {XSS}",
        next_steps=f"Next {XSS}",
    )
    code = ClosureReason.select().order_by(ClosureReason.id.desc()).get().code
    auth.login(admin)
    page = client.get(url(application) + "close?status=rejected")
    check = submit(client, page, "/close", confirm=False, closure_reason=code)
    confirmed(client, check, url(application) + "close")
    after = fresh(application)
    paths = [
        "/admin/templates",
        url(application),
        f"/admin/reasons/{code}/edit",
        f"/admin/reasons/{code}/retire",
        "/admin/metrics/",
        f"/c/{links.live(after).token}/",
    ]
    for path in paths:
        text = client.get(path).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text, path
    assert "<script>alert(1)" not in check.text.split("<iframe", 1)[0]
    csv_text = client.get("/admin/metrics-reasons.csv").text
    assert f"Label {XSS}" in csv_text  # a CSV cell, not markup; starts with no formula


def test_managers_cannot_see_the_list(client, auth, make_user):
    auth.login(make_user("manager"))
    assert client.get("/admin/templates").status_code == 403
    assert client.get("/admin/reasons/role_filled/edit").status_code == 403


def test_stage_is_where_it_closed(client, auth, recruiter, application):
    """The close form's template follows the stage the application stands at."""
    interviews = application.job.stages.where(Stage.interview).get()
    auth.login(recruiter)
    page = client.get(url(application))
    submit(client, page, "/move", stage=str(interviews.id))
    close = client.get(url(application) + "close?status=rejected")
    assert "the template for closing after the final stage" in close.text
    assert "through every stage" in form(close.text, "/close")["fields"]["close-closure_note"]
