"""Owed an answer: in the recruiter's digest, the follow-up health numbers and /metrics."""

import csv
import io
from datetime import date

import time_machine

from portal.conversation import actions as conversation
from portal.followup import metrics
from portal.followup import remind
from portal.store.models import Application
from portal.store.models import Mail


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def test_a_recruiter_owing_only_an_answer_gets_a_digest(make_user, make_job, make_application):
    rita = make_user("recruiter", name="Rita Reyes", email="rita@example.com")
    application = make_application(job=make_job(recruiter=rita), name="Ada Lovelace")
    with time_machine.travel("2026-12-01 10:00 +0000", tick=False):
        conversation.ask(application, "Do you sponsor visas?")
    digests = remind.recruiter_digests(date(2026, 12, 2))  # nobody is owed word yet
    assert [(d.user.email, len(d.items), len(d.answers)) for d in digests] == [
        ("rita@example.com", 0, 1)
    ]
    assert digests[0].answers[0].lateness.words == "due next business day"
    assert remind.send_digest(digests[0], date(2026, 12, 2))
    mail = Mail.get(Mail.kind == "digest_recruiter")
    assert mail.subject == "1 owed an answer"
    assert "Ada Lovelace, Backend Engineer" in mail.text and "visas" not in mail.text


def test_an_inactive_recruiters_questions_go_to_the_admins(make_user, make_job, make_application):
    rita = make_user("recruiter", name="Rita Reyes")
    admin = make_user("admin", email="boss@example.com")
    application = make_application(job=make_job(recruiter=rita))
    conversation.ask(application, "Hello, is anyone there?")
    rita.active = False
    rita.save()
    [digest] = remind.recruiter_digests(date(2026, 12, 2))
    assert digest.user.id == admin.id
    assert "owed by Rita Reyes, who is no longer active" in digest.answers[0].lateness.words


def test_health_counts_the_time_to_answer_and_who_waits(client, auth, make_user, make_application):
    ada = make_application(name="Ada Lovelace", email="ada@example.org")
    bob = make_application(job=ada.job, name="Bob Smith", email="bob@example.org")
    with time_machine.travel("2026-11-02 10:00 +0000", tick=False):  # a Monday
        conversation.ask(ada, "First question")
    with time_machine.travel("2026-11-03 10:00 +0000", tick=False):
        conversation.ask(ada, "Second, before any answer")
    with time_machine.travel("2026-11-04 15:00 +0000", tick=False):  # Wednesday
        conversation.answer(None, ada, fresh(ada).version, "Both answered.", tell=False)
    with time_machine.travel("2026-11-05 10:00 +0000", tick=False):
        conversation.ask(bob, "Still waiting")
    jobs, _, overall = metrics.health(metrics.Period(date(2026, 11, 2), date(2026, 11, 27)))
    assert overall.median_answer == 2  # from the first question it settled
    assert overall.answer_waits.total() == 1
    assert overall.owed_answers == 1
    auth.login(make_user("admin"))
    query = "start=2026-11-02&end=2026-11-27"
    rows = list(csv.DictReader(io.StringIO(client.get(f"/admin/metrics.csv?{query}").text)))
    everyone = next(r for r in rows if r["scope"] == "overall")
    assert (everyone["median_business_days_question_to_answer"], everyone["answers"]) == ("2", "1")
    assert everyone["owed_an_answer"] == "1"
    assert "Questions answered in" in client.get(f"/admin/metrics/?{query}").text


def test_metrics_count_the_unanswered(client, auth, make_user, make_application):
    application = make_application()
    conversation.ask(application, "Any news?")
    auth.login(make_user("admin"))
    text = client.get("/metrics").text
    assert "portal_questions_unanswered 1.0" in text
    conversation.answer(None, application, fresh(application).version, "Yes.", tell=False)
    assert "portal_questions_unanswered 0.0" in client.get("/metrics").text
