"""Email to candidates over real SMTP (aiosmtpd on loopback): what is sent, when (only
after commit), and what happens when the server is down, refuses, or wants TLS."""

import ssl
import subprocess
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from helpers.database import BACKEND

from portal import dates
from portal import domain
from portal.candidates import links
from portal.candidates.actions import revoke_link
from portal.candidates.actions import send_link
from portal.cli import cli
from portal.clock import now
from portal.mail import queue as mail
from portal.mail import transport
from portal.store.db import database
from portal.store.models import Application
from portal.store.models import Mail
from portal.store.models import Stage


def fresh(application) -> Application:
    return Application.get_by_id(application.id)


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received message."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
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
    assert subjects == [
        "News about your application for Backend Engineer",
        "News about your application for Backend Engineer",
        "Your application for Backend Engineer at Example Ltd",
    ]
    moved, updated, closed = (parts(m)[0] for m in smtp_server.messages)
    assert "moved on to the next step: Interviews" in moved
    assert "There is an update" in updated
    # A notice says what kind of news, never the words: those are on the page.
    assert "See you soon" not in moved and "A quick word" not in updated
    assert "Dear Ada, no." in closed
    url = links.url(links.live(application))
    assert all(url in parts(m)[0] for m in smtp_server.messages)


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
    queued = mail.queue_link(application, "https://jobs.example.com/c/x/", ends)
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
