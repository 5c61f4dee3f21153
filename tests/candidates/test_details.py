"""Correcting a candidate's name or email address (``edit_details``): the person's, on
every application of theirs, told to the new address and the old one, audited without
naming anyone."""

import json
from datetime import timedelta
from datetime import UTC

import pytest
import time_machine

from portal import domain
from portal.candidates import links
from portal.candidates.actions import edit_details
from portal.candidates.actions import masked
from portal.candidates.actions import revoke_link
from portal.clock import now
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import AuditEntry
from portal.store.models import Candidate
from portal.store.models import Event
from portal.store.models import Link
from portal.store.models import Mail

OLD = "ada.lovelace@exmaple.org"
NEW = "ada.lovelace@example.org"


@pytest.fixture
def recruiter(make_user):
    return make_user("recruiter", name="Rita Recruiter")


@pytest.fixture
def two(make_job, make_application):
    """One person with two applications, each with a live link."""
    first = make_application(job=make_job(title="Data Engineer"), name="Ada Lovelase", email=OLD)
    second = make_application(job=make_job(title="Analyst"), name="Ada Lovelase", email=OLD)
    return first, second


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def test_masked_keeps_the_first_character_and_the_domain():
    assert masked("nora@example.org") == "n•••@example.org"
    assert masked(NEW) == "a•••@example.org"


def test_a_correction_is_the_persons_on_every_application(recruiter, two):
    first, second = two
    before = {a.id: fresh(a).updated for a in two}
    done = edit_details(recruiter, first, " Ada Lovelace ", "Ada.Lovelace@Example.org")
    assert done.changed == ["name", "email"] and done.sent == 2
    [candidate] = Candidate.select()
    assert (candidate.name, candidate.email) == ("Ada Lovelace", NEW)
    for application in two:
        assert fresh(application).candidate_id == candidate.id
        assert fresh(application).updated > before[application.id]  # static pages rebuilt
        kinds = [e.kind for e in Event.select().where(Event.application == application)]
        assert "details_changed" in kinds


def test_the_audit_entry_names_nobody(recruiter, two):
    first, _ = two
    edit_details(recruiter, first, "Ada Lovelace", NEW)
    [entry] = AuditEntry.select().where(AuditEntry.action == "details_changed")
    assert entry.actor_id == recruiter.id
    assert entry.subject == f"candidate {first.candidate_id}"
    detail = json.loads(entry.detail)
    assert detail["changed"] == ["name", "email"]
    assert detail["application"] == first.ref and detail["applications"] == 2
    for personal in ("Ada", "Lovelace", "Lovelase", OLD, NEW, "exmaple", "example.org"):
        assert personal not in entry.subject and personal not in entry.detail


def test_a_new_address_gets_new_links_and_the_old_one_a_notice(recruiter, two):
    first, second = two
    old_links = {a.id: links.live(a) for a in two}
    edit_details(recruiter, first, "Ada Lovelace", NEW)
    [notice] = Mail.select().where(Mail.kind == "address_changed")
    assert notice.to == OLD and notice.application_id == first.id
    assert notice.subject.startswith("Your email address at")
    assert "was changed to a•••@example.org" in notice.text
    assert "a•••@example.org" in notice.html and NEW not in notice.text + notice.html
    assert "If you did not ask for this, or it was not you" in notice.text
    assert "Hello Ada," in notice.text  # greeted by the corrected name
    assert "The links to your pages were sent there" in notice.text
    sent = list(Mail.select().where(Mail.kind == "link").order_by(Mail.id))
    assert [(m.to, m.application_id) for m in sent] == [(NEW, first.id), (NEW, second.id)]
    for application, mail in zip(two, sent, strict=True):
        new = links.live(application)
        assert new.token != old_links[application.id].token
        assert Link.get_by_id(old_links[application.id].id).revoked is not None
        assert links.url(new) in mail.text and "Hello Ada," in mail.text


def test_the_new_name_is_on_the_candidates_page(client, recruiter, two):
    first, _ = two
    edit_details(recruiter, first, "Augusta Ada King", OLD)
    page = client.get(f"/c/{links.live(first).token}/")
    assert "Hello Augusta." in page.text


def test_only_a_name_emails_nobody(recruiter, two):
    first, _ = two
    token = links.live(first).token
    done = edit_details(recruiter, first, "Ada Lovelace", OLD)
    assert done == (["name"], 0)
    assert Mail.select().count() == 0
    assert links.live(first).token == token  # the link stays as it was
    [entry] = AuditEntry.select().where(AuditEntry.action == "details_changed")
    assert json.loads(entry.detail)["changed"] == ["name"]


def test_nothing_to_change_writes_nothing(recruiter, two):
    first, _ = two
    assert edit_details(recruiter, first, "Ada Lovelase", OLD.upper()) == ([], 0)
    assert AuditEntry.select().where(AuditEntry.action == "details_changed").count() == 0
    assert Mail.select().count() == 0


def test_a_page_without_a_live_link_gets_none(recruiter, two):
    first, second = two
    revoke_link(recruiter, second)  # a revoked link is a decision: no email undoes it
    done = edit_details(recruiter, first, "Ada Lovelace", NEW)
    assert done.sent == 1
    assert [m.application_id for m in Mail.select().where(Mail.kind == "link")] == [first.id]
    assert links.live(second) is None
    notice = Mail.get(Mail.kind == "address_changed")
    assert "The link to your page was sent there" in notice.text


@pytest.mark.parametrize(
    "name, email, message",
    [
        ("", NEW, "Candidate name is required"),
        ("Ada\x00", NEW, "contains a NUL character"),
        ("A" * 201, NEW, "Candidate name is too long"),
        ("Ada Lovelace", "not an address", "is not a valid email address"),
        ("Ada Lovelace", "erased-7@erased.invalid", "is not a valid email address"),
    ],
)
def test_bad_input_is_refused(recruiter, two, name, email, message):
    first, _ = two
    with pytest.raises(Invalid, match=message):
        edit_details(recruiter, first, name, email)
    assert Candidate.get().email == OLD and Mail.select().count() == 0


def test_an_address_of_another_candidate_is_refused(recruiter, two, make_application):
    first, _ = two
    make_application(name="Grace Hopper", email=NEW)
    with pytest.raises(Invalid, match=f"{NEW} already belongs to another candidate"):
        edit_details(recruiter, first, "Ada Lovelace", NEW)
    assert Candidate.get_by_id(first.candidate_id).email == OLD
    assert Mail.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.action == "details_changed").count() == 0


def test_an_erased_candidate_is_refused(recruiter, make_application):
    application = make_application(name="Ada Lovelace", email=OLD)
    privacy.erase_application(None, application, why="test")
    with pytest.raises(Invalid, match="was erased"):
        edit_details(recruiter, fresh(application), "Ada Lovelace", NEW)
    assert Candidate.get_or_none(Candidate.email == NEW) is None


def test_a_manager_may_not(make_user, two):
    first, _ = two
    with pytest.raises(Forbidden):
        edit_details(make_user("manager"), first, "Ada Lovelace", NEW)
    assert Candidate.get().email == OLD


def test_a_page_that_has_ended_gets_no_link(recruiter, two, app):
    first, second = two
    domain.close(None, second, second.version, "rejected", "Thank you.")
    later = now() + timedelta(days=app.config["CLOSED_DAYS"] + 1)
    with time_machine.travel(later.replace(tzinfo=UTC), tick=False):
        done = edit_details(recruiter, first, "Ada Lovelace", NEW)
        assert links.live(second) is None  # ended after the closure, and stays ended
    assert done.sent == 1
    assert [m.application_id for m in Mail.select().where(Mail.kind == "link")] == [first.id]


def test_the_system_may_correct_too(two):
    first, _ = two
    assert edit_details(None, first, "Ada Lovelace", NEW).changed == ["name", "email"]
    assert AuditEntry.get(AuditEntry.action == "details_changed").actor_id is None
