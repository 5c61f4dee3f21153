"""`/metrics` (portal/web/metrics.py): the backlog in the Prometheus text format, read
from the database at each scrape, for a signed-in admin or a scraper with
PORTAL_METRICS_TOKEN, and for nobody else."""

import secrets
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal import domain
from portal.candidates.actions import send_link
from portal.clock import now
from portal.clock import today
from portal.mail.queue import send_pending
from portal.settings import checks
from portal.site.build import build
from portal.store.models import Mail
from portal.store.models import ScheduledClosure
from portal.store.models import Task

TOKEN = secrets.token_urlsafe(32)


def numbers(response) -> dict[str, float]:
    """Every sample of a scrape, by name (and labels), parsed by prometheus_client."""
    assert response.status_code == 200, response.text
    assert response.content_type.startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def scrape(client, auth, admin):
    """Scrape /metrics as a signed-in admin."""
    auth.login(admin)
    return lambda: numbers(client.get("/metrics"))


def test_an_admin_reads_every_backlog_number_at_zero(scrape):
    assert scrape() == {
        "portal_mail_queued": 0,
        "portal_mail_oldest_queued_age_seconds": 0,
        "portal_mail_failed": 0,
        "portal_tasks_queued": 0,
        "portal_tasks_failing": 0,
        "portal_scheduled_closures_due": 0,
        "portal_questions_unanswered": 0,
        "portal_question_oldest_unanswered_age_seconds": 0,
        "portal_webhooks_queued": 0,
        "portal_webhooks_failed": 0,
        "portal_ats_deliveries_held": 0,
    }


def test_mail_numbers_follow_the_queue(app, scrape, smtp_server, make_application, admin):
    """Mail queued while the server is down counts, with the age of the oldest; once it
    is sent it no longer does; mail past PORTAL_MAIL_MAX_ATTEMPTS counts as failed."""
    one, two = make_application(), make_application()
    smtp_server.stop()
    send_link(admin, one)
    send_link(admin, two)
    Mail.update(created=now() - timedelta(minutes=5)).where(
        Mail.to == one.candidate.email
    ).execute()
    seen = scrape()
    assert seen["portal_mail_queued"] == 2
    assert 300 <= seen["portal_mail_oldest_queued_age_seconds"] < 400
    assert seen["portal_mail_failed"] == 0

    Mail.update(attempts=app.config["MAIL_MAX_ATTEMPTS"]).where(
        Mail.to == one.candidate.email
    ).execute()
    seen = scrape()
    assert (seen["portal_mail_queued"], seen["portal_mail_failed"]) == (1, 1)
    assert seen["portal_mail_oldest_queued_age_seconds"] < 60  # the other one's

    smtp_server.start()
    assert send_pending() == (1, 0)
    seen = scrape()
    assert (seen["portal_mail_queued"], seen["portal_mail_failed"]) == (0, 1)
    assert seen["portal_mail_oldest_queued_age_seconds"] == 0
    assert len(smtp_server.messages) == 1


def test_tasks_and_closures_due(scrape, make_application, admin):
    Task.enqueue("fresh_links", email="nobody@example.org")
    failing = Task.enqueue("fresh_links", email="someone@example.org")
    Task.update(last_error="SMTPException: down").where(Task.id == failing.id).execute()
    application = make_application()
    domain.schedule_close(
        admin,
        application,
        application.version,
        "rejected",
        "Thank you.",
        "",
        today() + timedelta(days=1),
        closure_reason="role_filled",
    )
    seen = scrape()
    assert (seen["portal_tasks_queued"], seen["portal_tasks_failing"]) == (2, 1)
    assert seen["portal_scheduled_closures_due"] == 0  # tomorrow's is not due yet

    ScheduledClosure.update(due=now() - timedelta(minutes=1)).execute()
    assert scrape()["portal_scheduled_closures_due"] == 1
    domain.close_due()
    assert scrape()["portal_scheduled_closures_due"] == 0


def test_the_last_static_build_is_shown_once_there_is_one(scrape, make_application, tmp_path):
    make_application()
    assert not any(name.startswith("portal_site_") for name in scrape())
    summary = build(str(tmp_path / "site"), processes=1)
    seen = scrape()
    assert seen["portal_site_build_duration_seconds{kind=full}"] == pytest.approx(summary.seconds)
    assert abs(seen["portal_site_build_finished_timestamp_seconds"] - now().timestamp()) < 3600 * 24
    build(str(tmp_path / "site"), processes=1)
    assert "portal_site_build_duration_seconds{kind=incremental}" in scrape()


def test_a_scraper_reads_it_with_the_token(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert numbers(response)["portal_mail_queued"] == 0
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # anonymous
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
        "Bearer \u00e9t\u00e9",
    ],
)
@pytest.mark.parametrize("token", [TOKEN, ""])
def test_anyone_else_gets_a_403_without_a_number(app, client, authorization, token):
    app.config["METRICS_TOKEN"] = token
    Task.enqueue("fresh_links", email="nobody@example.org")
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 403
    assert "portal_" not in response.text and "# TYPE" not in response.text


def test_the_empty_token_opens_nothing(app, client):
    """PORTAL_METRICS_TOKEN empty (the default): 'Bearer ' with nothing is no key."""
    assert app.config["METRICS_TOKEN"] == ""
    assert client.get("/metrics", headers={"Authorization": "Bearer"}).status_code == 403


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_staff_who_are_not_admins_get_a_403(client, auth, make_user, role):
    auth.login(make_user(role))
    response = client.get("/metrics")
    assert response.status_code == 403
    assert "portal_" not in response.text


def test_a_wrong_bearer_token_is_refused_even_for_a_signed_in_admin(app, client, auth, admin):
    app.config["METRICS_TOKEN"] = TOKEN
    auth.login(admin)
    assert client.get("/metrics").status_code == 200
    response = client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert response.status_code == 403


@pytest.mark.parametrize("token", ["sh0rt-t0ken", "a" * 64, f"{TOKEN} {TOKEN}"])
def test_a_weak_metrics_token_is_refused_at_startup_without_showing_it(app, token):
    app.config["METRICS_TOKEN"] = token
    found = checks.problems(app)
    assert len(found) == 1 and found[0].startswith("PORTAL_METRICS_TOKEN is too short")
    assert token not in found[0]
