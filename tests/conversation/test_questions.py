"""Questions from the candidate's page and the team's answers: what each side sees, what
is emailed, and when the application is owed an answer."""

import re

import pytest
import time_machine
from helpers.admin_client import CHECK_PAGE
from helpers.admin_client import submit

from portal import domain
from portal.candidates import links
from portal.conversation import actions as conversation
from portal.errors import Invalid
from portal.privacy import actions as privacy
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Mail
from portal.worker.cli import one_round


def page_url(application) -> str:
    return f"/c/{links.live(application).token}/"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def ask(client, application, question, **data):
    url = page_url(application)
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).text).group(1)
    data.setdefault("form_token", token)
    return client.post(f"{url}ask", data={"question": question, **data})


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


@pytest.fixture
def recruiter(make_user, auth):
    user = make_user("recruiter", name="Grace Hopper")
    auth.login(user)
    return user


@time_machine.travel("2026-12-01 10:00 +0000", tick=False)
def test_a_question_from_the_page_is_filed_and_owed_an_answer(client, make_application):
    application = make_application(name="Ada Lovelace")
    response = ask(client, application, "When will I hear about the second interview?")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#conversation")
    event = Event.get(Event.kind == "question")
    assert (event.visible, event.via, event.actor_id) == (True, "page", None)
    assert fresh(application).asked == event.created
    words = text_of(client.get(page_url(application)).text)
    assert "You asked When will I hear about the second interview?" in words
    # two business days for the job by default: Tuesday 1 December + 2
    assert "will answer by Thursday 3 December" in words
    # the candidate gets no email for their own question; the recruiter is told, unquoted
    mails = list(Mail.select())
    assert [m.kind for m in mails] == ["question_staff"]
    assert mails[0].to == application.job.recruiter.email
    assert "second interview" not in mails[0].text + mails[0].html
    assert f"/admin/applications/{application.ref}/#conversation" in mails[0].text


@pytest.mark.parametrize(
    "question, problem",
    [("   ", "Your question is required."), ("x" * 4001, "Your question is too long")],
)
def test_an_empty_or_overlong_question_is_refused(client, make_application, question, problem):
    application = make_application()
    response = ask(client, application, question)
    assert response.status_code == 400
    assert problem in response.text
    assert fresh(application).asked is None
    assert not Event.select().where(Event.kind == "question").exists()


def test_a_question_needs_the_pages_form_token(client, make_application):
    application = make_application()
    response = ask(client, application, "Hello?", form_token="forged")
    assert response.status_code == 400
    assert fresh(application).asked is None
    dead = client.post("/c/not-a-token/ask", data={"question": "Hello?"})
    assert dead.status_code == 404


def test_questions_are_rate_limited_per_application(client, make_application):
    application = make_application()
    for n in range(conversation.ASK_LIMIT):
        assert ask(client, application, f"Question {n}").status_code == 303
    response = ask(client, application, "One more")
    assert response.status_code == 400
    assert "several messages in the last hour" in response.text
    other = make_application(name="Grace", email="grace@example.org")
    assert ask(client, other, "Mine is my own").status_code == 303  # counted per application


def test_a_candidate_sees_only_their_own_conversation(client, make_application):
    ada = make_application(name="Ada Lovelace", email="ada@example.org")
    bob = make_application(job=ada.job, name="Bob Smith", email="bob@example.org")
    ask(client, ada, "Is the role remote-friendly at all?")
    assert "remote-friendly" not in client.get(page_url(bob)).text


def test_a_question_is_escaped_on_both_sides(client, recruiter, make_application):
    application = make_application()
    ask(client, application, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    for html in (
        client.get(page_url(application)).text,
        client.get(f"/admin/applications/{application.ref}/").text,
    ):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


@time_machine.travel("2026-12-01 10:00 +0000", tick=False)
def test_the_answer_is_checked_then_shown_and_emailed(
    client, make_user, auth, make_application, smtp_server
):
    recruiter = make_user("recruiter", name="Grace Hopper")
    auth.login(recruiter)  # in the time travelled to: a session from later would not hold
    application = make_application(name="Ada Lovelace", email="ada@example.org")
    application.job.recruiter = recruiter
    application.job.save()
    Application.update(next_steps="Bring your ID.").where(
        Application.id == application.id
    ).execute()
    ask(client, application, "Can I bring my portfolio?")
    page = client.get(f"/admin/applications/{application.ref}/")
    assert "Owed an answer" in page.text and "Thursday 3 December" in page.text
    check = submit(client, page, "/answer", confirm=False, message="Yes, please bring it!")
    assert check.status_code == 200 and CHECK_PAGE in check.text
    assert "Yes, please bring it!" in check.text  # the email as it would go
    assert fresh(application).asked is not None  # nothing happened yet
    done = submit(client, page, "/answer", message="Yes, please bring it!")
    assert done.status_code == 302
    answered = fresh(application)
    assert answered.asked is None and answered.last_word is not None
    one_round()
    [message] = [m for m in smtp_server.messages if m["To"] == "ada@example.org"]
    assert message["Subject"] == "Grace Hopper answered your question about Backend Engineer"
    body = message.get_body(("plain",)).get_content()
    assert "Yes, please bring it!" in body and "Here is our answer." in body
    assert "Bring your ID." not in body  # an answer is about their question, not the steps
    words = text_of(client.get(page_url(application)).text)
    assert "Grace Hopper answered Yes, please bring it!" in words
    assert "will answer by" not in words


def test_a_quiet_answer_emails_nobody(client, recruiter, make_application):
    application = make_application()
    ask(client, application, "Is there parking?")
    page = client.get(f"/admin/applications/{application.ref}/")
    submit(client, page, "/answer", message="There is, behind the building.", tell=None)
    assert fresh(application).asked is None
    assert not Mail.select().where(Mail.to == application.candidate.email).exists()
    assert "behind the building" in client.get(page_url(application)).text


def test_answered_another_way_is_internal(client, recruiter, make_application):
    application = make_application()
    ask(client, application, "Can we talk on the phone?")
    page = client.get(f"/admin/applications/{application.ref}/")
    response = submit(client, page, "/settle", note="Called her back on Tuesday at noon.")
    assert response.status_code == 302
    assert fresh(application).asked is None
    event = Event.get(Event.kind == "answered_elsewhere")
    assert event.visible is False
    assert "Called her back" not in client.get(page_url(application)).text


def test_a_manager_cannot_answer(client, make_user, auth, make_job, make_application):
    manager = make_user("manager")
    job = make_job(managers=[manager])
    application = make_application(job=job)
    conversation.ask(application, "Who will I meet?")
    auth.login(manager)
    page = client.get(f"/admin/applications/{application.ref}/")
    assert page.status_code == 200
    assert "Who will I meet?" in page.text  # the team sees the question
    assert "/answer" not in page.text
    response = client.post(f"/admin/applications/{application.ref}/answer", data={})
    assert response.status_code in (400, 403)
    assert fresh(application).asked is not None


def test_the_queue_lists_who_is_owed_an_answer(client, make_user, auth, make_application):
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        application = make_application(name="Ada Lovelace")
        conversation.ask(application, "Any news on the salary range for this role?")
    with time_machine.travel("2026-12-01 10:00 +0000", tick=False):
        auth.login(make_user("recruiter"))
        html = client.get("/admin/followup/").text
        assert 'id="owed-answer-title">Owed an answer' in html
        assert "Any news on the salary range" in html
        assert "4 business days overdue" in html  # due Wednesday 25 November
        words = text_of(client.get(page_url(application)).text)
        assert "we are late" in words
        conversation.answer(None, application, fresh(application).version, "Soon.", tell=False)
        assert "owed-answer-title" not in client.get("/admin/followup/").text


def test_a_closed_application_can_still_ask(client, make_application):
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Thank you, Ada.")
    assert ask(client, application, "Could you tell me why?").status_code == 303
    assert fresh(application).asked is not None


def test_an_erased_application_cannot_ask(app, make_application):
    application = make_application()
    privacy.erase_application(None, application, "request")
    with pytest.raises(Invalid, match="erased"):
        conversation.ask(Application.get_by_id(application.id), "Hello?", via="email")


def test_a_static_only_page_offers_replying_by_email(app, client, make_application):
    app.config["STATIC_ONLY"] = True
    application = make_application()
    html = client.get(page_url(application)).text
    assert 'action="' not in html.split('id="conversation"')[1].split("</section>")[0]
    assert "Reply to any email from us" in text_of(html)


def test_what_an_email_lost_shows_beside_it_for_the_team(client, recruiter, make_application):
    application = make_application()
    conversation.ask(application, "My CV is attached.", via="email", note="Not kept: cv.pdf")
    card = client.get(f"/admin/applications/{application.ref}/").text.split('id="conversation"')[1]
    card = card.split("</section>")[0]
    assert "by email" in card and "About that email" in card and "Not kept: cv.pdf" in card
    assert "cv.pdf" not in client.get(page_url(application)).text


def test_an_application_erased_meanwhile_cannot_ask(app, make_application):
    application = make_application()
    conversation.ask(application, "Please delete my data.")
    stale = Application.get_by_id(application.id)  # read before the erasure
    privacy.erase_application(None, stale, "request")
    with pytest.raises(Invalid, match="erased"):
        conversation.ask(stale, "Hello?", via="email")
    assert Application.get_by_id(application.id).asked is None  # nobody left to answer


def test_the_recruiter_hears_once_the_candidate_starts_waiting(make_application):
    application = make_application()
    for question in ("First question?", "Second, before any answer?", "A third?"):
        conversation.ask(application, question)
    assert Mail.select().where(Mail.kind == "question_staff").count() == 1
    conversation.answer(None, application, fresh(application).version, "Answered.", tell=False)
    conversation.ask(application, "A new one after the answer?")
    assert Mail.select().where(Mail.kind == "question_staff").count() == 2
