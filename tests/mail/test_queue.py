"""Email to candidates over real SMTP (aiosmtpd on loopback): what is sent, when (only
after commit), and what happens when the server is down, refuses, or wants TLS."""

import re
import ssl
import subprocess
from datetime import date
from datetime import datetime
from datetime import timedelta
from email.utils import formataddr
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from helpers import smtp
from helpers.database import BACKEND

from portal import dates
from portal import domain
from portal.candidates import links
from portal.candidates.actions import revoke_link
from portal.candidates.actions import send_link
from portal.cli import cli
from portal.clock import local_date
from portal.clock import now
from portal.clock import today
from portal.mail import queue as mail
from portal.mail import transport
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Feedback
from portal.store.models import Mail
from portal.store.models import Stage


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received message, with their lines ending in
    "\\n" (SMTP sends "\\r\\n")."""
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    """Each test starts with no remembered server failure."""
    monkeypatch.setattr(mail, "_paused_until", {})


def test_sending_the_link(app, smtp_server, make_application):
    application = make_application(name="Ada Lovelace", email="ada@example.org")
    send_link(None, application)
    [message] = smtp_server.messages
    assert message["To"] == "ada@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Follow your application for Backend Engineer at Example Ltd"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    url = links.url(links.live(application))
    assert url.startswith("https://jobs.example.com/c/")
    assert url in text and f'href="{url}"' in html
    assert "Hello Ada," in text
    assert Mail.get().sent is not None


def test_a_notice_on_every_candidate_visible_change(smtp_server, make_application):
    application = make_application()
    interviews = application.job.stages.where(Stage.position == 2).get()
    domain.move(None, application, interviews, application.version, message="See you soon")
    domain.post_update(None, application, fresh(application).version, "A quick word")
    domain.add_note(None, application, "Internal only")
    domain.close(None, fresh(application), fresh(application).version, "rejected", "Dear Ada, no.")
    subjects = [m["Subject"] for m in smtp_server.messages]
    recruiter = application.job.recruiter.name
    assert subjects == [
        "Your application for Backend Engineer: moved on to Interviews",
        f"Your application for Backend Engineer: an update from {recruiter}",
        "Your application for Backend Engineer at Example Ltd",
    ]
    moved, updated, closed = (parts(m)[0] for m in smtp_server.messages)
    assert "moved on to the next step: Interviews" in moved
    # Each email carries the words of its change: the candidate need not open the page.
    assert "See you soon" in moved and "A quick word" in updated
    assert "Dear Ada, no." in closed
    assert not any("Internal only" in parts(m)[0] for m in smtp_server.messages)
    url = links.url(links.live(application))
    assert all(url in parts(m)[0] for m in smtp_server.messages)
    events = [m.event.kind for m in Mail.select().order_by(Mail.id)]
    assert events == ["moved", "update", "closed"]


def test_no_notice_without_a_live_link(smtp_server, make_application):
    application = make_application()
    revoke_link(None, application)
    domain.post_update(None, application, application.version, "Hello")
    assert smtp_server.messages == []
    assert Mail.select().count() == 0


def test_mail_is_sent_only_after_the_change_commits(smtp_server, make_application):
    application = make_application()
    with database.atomic():
        domain.post_update(None, application, application.version, "One")
        assert smtp_server.messages == []  # not before the commit
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_change_sends_nothing(smtp_server, make_application):
    application = make_application()
    version = application.version
    with pytest.raises(RuntimeError), database.atomic():
        domain.post_update(None, application, version, "Never happened")
        raise RuntimeError("the rest of the change failed")
    assert smtp_server.messages == []
    assert Mail.select().count() == 0
    assert fresh(application).version == version


def test_server_down_keeps_the_change_and_the_mail(runner, smtp_server, make_application):
    application = make_application()
    smtp_server.stop()
    version = application.version
    domain.post_update(None, application, version, "While the server is down")
    assert fresh(application).version == version + 1  # the change stands
    queued = Mail.get()
    assert queued.sent is None
    assert "ConnectionRefused" in queued.last_error
    assert queued.attempts == 0  # an unreachable server is no fault of the mail
    assert list(mail.unsent()) == [queued]
    smtp_server.start()
    result = runner.invoke(cli, ["send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0, 0 still queued." in result.output
    assert len(smtp_server.messages) == 1
    assert Mail.get().sent is not None


def test_the_next_change_retries_what_is_queued(monkeypatch, smtp_server, make_application):
    monkeypatch.setattr(mail, "RETRY_PAUSE", 0.0)
    application = make_application()
    smtp_server.stop()
    domain.post_update(None, application, application.version, "First")
    assert Mail.select().where(Mail.sent.is_null()).count() == 1
    smtp_server.start()
    domain.post_update(None, application, fresh(application).version, "Second")
    assert len(smtp_server.messages) == 2
    assert mail.unsent().count() == 0


def test_after_a_failure_requests_do_not_wait_on_the_server(smtp_server, make_application):
    application = make_application()
    smtp_server.stop()
    domain.post_update(None, application, application.version, "First")
    first_error = Mail.get().last_error
    smtp_server.start()
    domain.post_update(None, application, fresh(application).version, "Second")
    # Within the pause nothing is tried; `portal send` (wait=True) does not pause.
    assert smtp_server.messages == []
    assert Mail.get_by_id(1).last_error == first_error
    assert mail.send_pending(wait=True) == (2, 0)


class Refusing:
    """An SMTP server that refuses one recipient."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def test_a_refused_mail_is_retried_then_given_up(app, runner, make_application, smtp_server):
    smtp_server.stop()
    handler = Refusing()
    smtp_server.controller = Controller(handler, hostname="127.0.0.1", port=smtp_server.port)
    smtp_server.controller.start()
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    bounce = make_application(email="bounce@example.org")
    send_link(None, bounce)
    send_link(None, make_application(email="fine@example.org"))
    # The second change's flush retried the refused mail once more.
    refused = Mail.get(Mail.to == "bounce@example.org")
    assert refused.sent is None and refused.attempts == 2
    assert "550" in refused.last_error
    assert Mail.get(Mail.to == "fine@example.org").sent is not None
    assert [e.rcpt_tos for e in handler.messages] == [["fine@example.org"]]
    result = runner.invoke(cli, ["send"])  # past MAIL_MAX_ATTEMPTS: left for a person
    assert result.exit_code == 0
    assert "Sent 0, failed 0, 1 still queued." in result.output
    result = runner.invoke(cli, ["send", "--retry-failed"])
    assert result.exit_code == 1
    assert "Sent 0, failed 1, 1 still queued." in result.output
    assert Mail.get_by_id(refused.id).attempts == 3


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this process's TLS clients."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


LOGINS = []


def _authenticator(server, session, envelope, mechanism, auth_data):
    LOGINS.append(auth_data.login)
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret pass"
    return AuthResult(success=ok, handled=False)


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_tls_and_login(app, smtp_server, certificate, make_application, scheme):
    smtp_server.stop()
    LOGINS.clear()
    if scheme == "smtps":
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS anyway.
        options = {"ssl_context": certificate, "auth_require_tls": False}
    else:
        options = {"tls_context": certificate, "require_starttls": True, "auth_required": True}
    smtp_server.start(authenticator=_authenticator, **options)
    app.config["MAIL_URL"] = f"{scheme}://mailer:s3cret%20pass@127.0.0.1:{smtp_server.port}"
    send_link(None, make_application())
    assert len(smtp_server.messages) == 1
    assert LOGINS == [b"mailer"]
    assert Mail.get().sent is not None


def test_a_wrong_password_keeps_the_mail(app, smtp_server, certificate, make_application):
    smtp_server.stop()
    smtp_server.start(
        authenticator=_authenticator,
        auth_required=True,
        tls_context=certificate,
        require_starttls=True,
    )
    app.config["MAIL_URL"] = f"smtp+starttls://mailer:wrong@127.0.0.1:{smtp_server.port}"
    send_link(None, make_application())
    queued = Mail.get()
    assert queued.sent is None
    assert "SMTPAuthenticationError" in queued.last_error
    assert smtp_server.messages == []


def test_outbox_writes_eml_files(app, make_application):
    application = make_application(email="outbox@example.org")
    send_link(None, application)
    [eml] = transport.outbox_folder().glob("*.eml")
    content = eml.read_text()
    assert "To: outbox@example.org" in content
    assert "multipart/alternative" in content
    assert Mail.get().sent is not None


def test_f1_outbox_mail_and_its_folder_are_owner_only(app, make_application, umask_022):
    """F1: an .eml in the outbox holds a candidate's link, the key to their page: 0600, in
    a folder made 0700."""
    send_link(None, make_application())
    folder = transport.outbox_folder()
    [eml] = folder.glob("*.eml")
    assert links.live(Mail.get().application).token in eml.read_text()
    assert (folder.stat().st_mode & 0o777, eml.stat().st_mode & 0o777) == (0o700, 0o600)
    if BACKEND == "postgres":  # its outbox is in the instance folder, made here too
        assert Path(app.instance_path).stat().st_mode & 0o777 == 0o700


def test_the_outbox_is_beside_its_database(app, database_url, make_application):
    """Every database of a checkout (the demo's, each test's) shared instance/outbox/, so
    one database's erasure could not find, or found, another's mail. A SQLite database's
    outbox is a folder beside its file; a PostgreSQL one's is named after the database."""
    if BACKEND == "sqlite":
        live = Path(database_url.removeprefix("sqlite:///"))
        expected = live.parent / f"{live.stem}.outbox"
    else:
        expected = Path(app.instance_path) / f"outbox-{database_url.rsplit('/', 1)[1]}"
    assert transport.outbox_folder() == expected
    send_link(None, make_application())
    assert len(list(expected.glob("*.eml"))) == 1
    assert not (Path(app.instance_path) / "outbox").exists()


def test_email_escapes_what_people_typed(smtp_server, make_application):
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    application = make_application(name=f"Eve {evil}")
    domain.close(None, application, application.version, "rejected", f"Dear Eve, {evil}")
    [message] = smtp_server.messages
    text, html = parts(message)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert evil in text  # plain text is plain: shown as typed, never interpreted


def test_the_templates_can_be_edited(app, smtp_server, make_application, tmp_path):
    """Email words live in templates/email/; the first line of the .txt is the subject."""
    subject, text, html = mail.render(
        "link",
        first_name="Ada",
        job="Pilot",
        recruiter="Rae",
        recruiter_email="rae@example.com",
        url="https://jobs.example.com/c/x/",
        ends="Friday 4 December",
    )
    assert subject == "Follow your application for Pilot at Example Ltd"
    assert not text.startswith("Subject")
    assert text.startswith("Hello Ada,")
    assert "<!doctype html>" in html


def test_dates_in_emails_are_the_company_s_dates(app, make_application):
    """A link ending at 02:30 UTC ends the evening before in New York: the email names
    the day the page itself names, not the UTC one."""
    app.config["TIMEZONE"] = "America/New_York"
    application = make_application()
    ends = datetime(2027, 9, 5, 2, 30)
    queued = mail.queue_link(application, links.url(links.live(application)), ends)
    assert dates.in_words(date(2027, 9, 4)) in Mail.get_by_id(queued.id).text
    assert dates.in_words(date(2027, 9, 5)) not in Mail.get_by_id(queued.id).text


def test_two_senders_never_send_one_mail_twice(smtp_server):
    """Cron's `portal send` and a request's after-commit send overlap: a mail one of them
    holds is not the other's, until the claim lapses (a sender that died mid-delivery)."""
    Mail.create(kind="link", to="ada@example.org", subject="Your link", text="Hello")
    assert mail._claim(Mail.get())  # sender A, still talking to the server
    assert mail.send_pending() == (0, 0)  # sender B
    assert smtp_server.messages == []
    with time_machine.travel(now() + mail.LEASE + timedelta(minutes=1)):
        assert mail.send_pending() == (1, 0)  # A died: the mail goes, once
    assert len(smtp_server.messages) == 1


def test_the_outbox_never_overwrites_a_file(app):
    """Databases sharing an instance folder (a fresh demo, a test run) reuse mail ids."""
    first = Mail.create(kind="link", to="ada@example.org", subject="One", text="first")
    mail.send_pending()
    Mail.delete().execute()
    Mail.create(id=first.id, kind="link", to="bob@example.org", subject="Two", text="second",
                created=first.created + timedelta(seconds=5))  # fmt: skip
    mail.send_pending()
    texts = sorted(p.read_text() for p in transport.outbox_folder().glob("*.eml"))
    assert len(texts) == 2 and "ada@example.org" in texts[0] + texts[1]


# --- what each email says ------------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_move_carries_its_words_in_text_and_html(smtp_server, make_application):
    application = make_application(name="Ada Lovelace")
    interviews = application.job.stages.where(Stage.position == 2).get()
    reply_by = dates.add_business_days(today(), 4)
    domain.move(
        None,
        application,
        interviews,
        application.version,
        message="Thank you for the call.\n\nThe panel liked <your> answers & questions.",
        next_steps="Pick two slots in the calendar.\nBring nothing.",
        reply_by=reply_by,
    )
    [message] = smtp_server.messages
    text, html = parts(message)
    assert message["Subject"] == "Your application for Backend Engineer: moved on to Interviews"
    assert text.startswith("Hello Ada,")
    assert "Thank you for the call.\n\nThe panel liked <your> answers & questions." in text
    assert "Next steps:\nPick two slots in the calendar.\nBring nothing." in text
    assert f"You will hear from us by {dates.in_words(reply_by)}." in text
    # In HTML the free texts are escaped, their paragraphs and lines kept.
    assert (
        "<p>Thank you for the call.</p><p>The panel liked &lt;your&gt; answers &amp; "
        "questions.</p>" in html
    )
    assert "<p>Pick two slots in the calendar.<br>Bring nothing.</p>" in html
    assert f"<strong>{dates.in_words(reply_by)}</strong>" in html
    assert "<strong>Interviews</strong>" in html
    url = links.url(links.live(application))
    assert url in text and f'href="{url}"' in html


def test_an_update_keeps_the_standing_next_steps(smtp_server, make_application):
    application = make_application()
    domain.post_update(
        None, application, application.version, "First word", next_steps="Send your portfolio."
    )
    domain.post_update(None, application, fresh(application).version, "Got it, thank you.")
    first, second = (parts(m)[0] for m in smtp_server.messages)
    assert "Next steps:\nSend your portfolio." in first
    assert "Next steps, as before:\nSend your portfolio." in second


def test_a_word_is_signed_by_who_wrote_it(smtp_server, make_user, make_application):
    """As on the page, the one who wrote the update signs it; answers still go to the
    job's recruiter."""
    application = make_application()
    colleague = make_user("recruiter", name="Sam Stand-in")
    domain.post_update(colleague, application, application.version, "Rae is away this week.")
    [message] = smtp_server.messages
    text, _ = parts(message)
    assert (
        message["Subject"] == "Your application for Backend Engineer: an update from Sam Stand-in"
    )
    assert text.endswith("Sam Stand-in\nExample Ltd\n")
    assert f"it goes to {application.job.recruiter.name}." in text


def test_a_letter_is_not_greeted_twice(smtp_server, make_application):
    """A message written as a letter ("Dear Ada, ... Rae") is the email: no "Hello" of
    ours before it, and no second signature after it."""
    application = make_application(name="Ada Lovelace")
    recruiter = application.job.recruiter.name
    letter = f"Dear Ada,\n\nWe would love you to meet the team.\n\n{recruiter}"
    screen = application.job.stages.where(Stage.position == 1).get()
    domain.move(None, application, screen, application.version, message=letter)
    [message] = smtp_server.messages
    text, html = parts(message)
    assert text.startswith("Dear Ada,") and "Hello" not in text
    assert "Your application is now at: Introductory call." in text
    assert text.count(recruiter) == 2  # the letter's signature and "it goes to ..."
    assert "Hello" not in html


def test_reopening_and_deciding_say_what_happened(smtp_server, make_application):
    application = make_application()
    interviews = application.job.stages.where(Stage.position == 2).get()
    domain.move(None, application, interviews, application.version)
    application = fresh(application)
    domain.mark_deciding(None, application, application.version, "The panel meets on Monday.")
    application = fresh(application)
    domain.close(None, application, application.version, "rejected", "Dear Ada, not this time.")
    application = fresh(application)
    domain.reopen(None, application, application.version, message="We were too quick: sorry.")
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert subjects[1:] == [
        "Your application for Backend Engineer: after your interview",
        "Your application for Backend Engineer at Example Ltd",
        "Your application for Backend Engineer is open again",
    ]
    deciding, _, reopened = (parts(m)[0] for m in smtp_server.messages[1:])
    assert "The team is now deciding." in deciding and "The panel meets on Monday." in deciding
    assert "open again, at Interviews" in reopened and "We were too quick: sorry." in reopened


@pytest.mark.parametrize(
    ("status", "subject", "opening"),
    [
        ("hired", "Your application for Backend Engineer: welcome aboard", "Welcome aboard"),
        ("rejected", "Your application for Backend Engineer at Example Ltd", "We have decided"),
        # closed by the team (the system here): nothing the candidate asked for
        ("withdrawn", "Your application for Backend Engineer is closed", "We have closed your"),
    ],
)
def test_a_closure_says_until_when_the_page_stays(
    app, smtp_server, make_application, status, subject, opening
):
    application = make_application(name="Ada Lovelace")
    domain.close(None, application, application.version, status, "Thank you for everything.")
    [message] = smtp_server.messages
    text, html = parts(message)
    assert message["Subject"] == subject
    closed = fresh(application).closed
    until = dates.in_words(local_date(closed + timedelta(days=app.config["CLOSED_DAYS"])))
    assert f"until {until}" in words(text) and f"until <strong>{until}</strong>" in html
    assert "for a while" not in text
    assert text.startswith("Hello Ada,") and opening in text
    assert "Thank you for everything." in text and "<p>Thank you for everything.</p>" in html


def test_a_closure_sooner_than_the_link_s_end_names_the_link_s_end(
    app, smtp_server, make_application
):
    app.config["CLOSED_DAYS"] = 400  # past LINK_DAYS: the link's own end comes first
    application = make_application()
    domain.close(None, application, application.version, "rejected", "Dear Ada, no.")
    until = dates.in_words(local_date(links.live(application).expires))
    assert f"until {until}" in words(parts(smtp_server.messages[0])[0])


# --- Reply-To and Message-ID ------------------------------------------------------------


def test_replies_go_to_the_job_s_recruiter(make_user, make_job, make_application, smtp_server):
    recruiter = make_user("recruiter", name="Rae O'Neill, Talent", email="rae@example.com")
    application = make_application(job=make_job(recruiter=recruiter))
    send_link(None, application)
    domain.post_update(None, application, fresh(application).version, "A word")
    expected = formataddr(("Rae O'Neill, Talent", "rae@example.com"))
    assert [m.reply_to for m in Mail.select()] == [expected, expected]
    for message in smtp_server.messages:
        assert message["Reply-To"].addresses[0].addr_spec == "rae@example.com"
        assert message["Reply-To"].addresses[0].display_name == "Rae O'Neill, Talent"
        assert "Reply to this email: it goes to Rae O'Neill, Talent." in parts(message)[0]


def test_reply_to_is_decided_when_queued(app, make_user, make_job, make_application, smtp_server):
    """A mail queued while the server was down goes out later with the Reply-To decided
    then, even if the job has another recruiter by the time it is sent."""
    job = make_job(recruiter=make_user("recruiter", email="first@example.com"))
    application = make_application(job=job)
    smtp_server.stop()
    domain.post_update(None, application, application.version, "While the server is down")
    domain.save_job(
        None, job=job, title=job.title, recruiter=make_user("recruiter", email="second@example.com")
    )
    smtp_server.start()
    assert mail.send_pending() == (1, 0)
    [message] = smtp_server.messages
    assert message["Reply-To"].addresses[0].addr_spec == "first@example.com"


def test_without_reply_to_recruiter_answers_go_to_the_from_address(
    app, smtp_server, make_application
):
    app.config["REPLY_TO_RECRUITER"] = False
    application = make_application()
    domain.post_update(None, application, application.version, "A word")
    [message] = smtp_server.messages
    assert message["Reply-To"] is None and Mail.get().reply_to == ""
    recruiter = application.job.recruiter
    assert f"Write to {recruiter.name} at {recruiter.email}." in parts(message)[0]


def test_a_retried_mail_keeps_its_message_id(app, smtp_server, make_application):
    """The server takes the first delivery and defers it (451): the mail is retried, and
    both deliveries are one message, recognisably, by their Message-ID."""
    smtp_server.defer = 1
    application = make_application()
    domain.post_update(None, application, application.version, "Said once, sent twice")
    queued = Mail.get()
    assert queued.sent is None and queued.attempts == 1 and "451" in queued.last_error
    assert re.fullmatch(r"<[^@<>]+@example\.com>", queued.message_id)  # MAIL_FROM's domain
    assert mail.send_pending() == (1, 0)
    [first], [second] = smtp_server.deferred, smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == queued.message_id
    assert "Said once, sent twice" in parts(second)[0]


def test_mail_queued_before_the_upgrade_keeps_one_message_id(app, smtp_server):
    """A row from before Message-IDs were fixed at queue time has none stored: it gets
    one derived from its id, the same on every try."""
    old = Mail.create(kind="link", to="ada@example.org", subject="Your link", text="Hello")
    assert old.message_id == ""
    smtp_server.defer = 1
    assert mail.send_pending() == (0, 1)
    assert mail.send_pending() == (1, 0)
    [first], [second] = smtp_server.deferred, smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == transport.legacy_message_id(old)
    assert f".mail{old.id}@example.com>" in second["Message-ID"]


def test_every_queued_mail_has_its_own_message_id(make_application):
    application = make_application()
    send_link(None, application)
    send_link(None, application)
    first, second = Mail.select().order_by(Mail.id)
    assert first.message_id and first.message_id != second.message_id


# --- the check every candidate email passes (tests/conftest.py) ----------------------------


def test_the_every_email_check_reads_a_move_and_fails_a_bad_copy(
    app, make_job, make_application, make_user
):
    """conftest.py checks every candidate email after every test; here it is seen at work
    on a move with words, and failing copies that lost them or leaked internal text."""
    manager = make_user("manager")
    application = make_application(job=make_job(managers=[manager]))
    interviews = application.job.stages.where(Stage.position == 2).get()
    domain.add_note(None, application, "Internal: salary expectations too high")
    domain.submit_feedback(
        manager, application, application.stage, 2, "no", "Clear and kind", "Vague on design work"
    )
    domain.move(
        None,
        application,
        interviews,
        fresh(application).version,
        message="You & the panel: Tuesday",
        next_steps="Bring a laptop",
    )
    [queued] = smtp.candidate_mails()
    assert queued.event.kind == "moved"
    assert smtp.check_every_candidate_mail(True) == 1

    def copy(**changes):
        bad = Mail.get_by_id(queued.id)
        for field, value in changes.items():
            setattr(bad, field, value)
        return bad  # in memory only: the stored mail stays good for conftest's check

    cases = {
        "no Reply-To": copy(reply_to=""),
        "the text lacks the message": copy(text=queued.text.replace("You & the panel", "")),
        "the HTML lacks the message 'You & the panel: Tuesday', escaped": copy(
            html=queued.html.replace("You &amp; the panel", "You & the panel")
        ),
        "the text lacks the next steps": copy(text=queued.text.replace("Bring a laptop", "")),
        "the text lacks the stage label": copy(
            subject="News", text=queued.text.replace("Interviews", "")
        ),
        "the text has no link": copy(text=queued.text.replace("/c/", "/x/")),
        "the HTML has no link": copy(html=queued.html.replace("/c/", "/x/")),
        "internal text of the application: 'Internal: salary": copy(
            text=queued.text + "\nInternal: salary\n expectations too high"
        ),
        "internal text of the application: 'Vague on design work'": copy(
            html=queued.html + "<p>Vague on design work</p>"
        ),
    }
    for problem, bad in cases.items():
        with pytest.raises(AssertionError, match=re.escape(problem)):
            smtp.check_candidate_mail(bad, reply_to_recruiter=True)
    # Feedback its author shared may be quoted; off, a Reply-To is not required.
    Feedback.update(share_concerns=True).execute()
    smtp.check_candidate_mail(
        cases["internal text of the application: 'Vague on design work'"], True
    )
    smtp.check_candidate_mail(cases["no Reply-To"], reply_to_recruiter=False)
