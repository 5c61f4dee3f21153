"""Replies by email: a real SMTP (and LMTP) client delivers to `portal inbox`'s receiver
on loopback. A reply to a live reply address is filed as the candidate's question, with
what it lost in a note to the team; what a program wrote is dropped."""

import secrets
import smtplib
from email import policy
from urllib.parse import urlsplit

import pytest
from conversation.emails import Client
from conversation.emails import DOMAIN
from conversation.emails import notes
from conversation.emails import nothing_filed
from conversation.emails import questions
from conversation.emails import reply
from conversation.emails import told_staff
from helpers.ports import free_port

from portal.candidates import links
from portal.conversation import inbox as receiver
from portal.conversation.actions import ask
from portal.conversation.actions import ASK_LIMIT
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import Event

# --- a reply to a live address --------------------------------------------------------------


def test_a_reply_is_filed_as_the_candidate_s_question(app, inbox, make_application, reply_address):
    application = make_application(name="Ada Lovelace", email="ada@example.org")
    other = make_application(name="Grace Hopper", email="grace@example.org")
    answer = inbox.deliver(reply_address(application), reply("Is the role open to remote work?"))
    assert (answer.stage, answer.code) == ("DATA", 250)
    [question] = questions()
    assert question.application_id == application.id
    assert (question.message, question.via, question.visible) == (
        "Is the role open to remote work?",
        "email",
        True,
    )
    assert Application.get_by_id(application.id).asked == question.created
    assert Application.get_by_id(other.id).asked is None
    [staff] = told_staff()
    assert staff.to == application.job.recruiter.email
    assert staff.sent is None  # the inbox sends nothing: that is the worker's
    assert notes(application) == []  # nothing was lost on the way


def test_lmtp_files_a_reply_too(app, lmtp_inbox, application, reply_address):
    answer = lmtp_inbox.deliver(reply_address(application), reply("Delivered by LMTP."))
    assert (answer.stage, answer.code) == ("DATA", 250)
    assert [q.message for q in questions(application)] == ["Delivered by LMTP."]


def test_smtplib_sendmail_delivers_a_reply(app, inbox, application, reply_address):
    with inbox.connect() as client:
        refused = client.sendmail(
            "ada@example.org",
            [reply_address(application)],
            reply("Sent the usual way.").as_bytes(policy=policy.SMTP),
        )
    assert refused == {}
    assert [q.message for q in questions(application)] == ["Sent the usual way."]


def test_the_question_shows_on_the_candidate_s_page_and_the_note_does_not(
    app, client, inbox, application, reply_address
):
    message = reply("Could I see the team first?", attachments=[("portfolio-2026.pdf", b"%PDF")])
    assert inbox.deliver(reply_address(application), message).code == 250
    assert notes(application) == ["1 attachment was not kept: portfolio-2026.pdf."]
    page = client.get(urlsplit(links.url(links.live(application))).path)
    assert page.status_code == 200
    assert "Could I see the team first?" in page.text
    assert "portfolio-2026.pdf" not in page.text and "not kept" not in page.text


def test_quoted_history_is_not_filed(app, inbox, application, reply_address):
    text = (
        "Tuesday at 10 suits me.\n\n"
        "On Mon, 2 Mar 2026 at 09:12, Rita Alvarez <reply@hiring.example.com> wrote:\n"
        "> Dear Ada,\n> Would Tuesday or Wednesday suit you?\n> Rita\n"
    )
    assert inbox.deliver(reply_address(application), reply(text)).code == 250
    assert [q.message for q in questions(application)] == ["Tuesday at 10 suits me."]


def test_the_signature_is_not_filed(app, inbox, application, reply_address):
    text = "Can I bring my own laptop?\n\n-- \nAda Lovelace\n+44 20 7946 0000\nhttps://ada.example"
    assert inbox.deliver(reply_address(application), reply(text)).code == 250
    assert [q.message for q in questions(application)] == ["Can I bring my own laptop?"]


def test_an_html_only_reply_is_filed_as_text(app, inbox, application, reply_address):
    html = (
        "<html><head><style>p { color: red }</style></head><body>"
        "<p>Is there <b>parking</b> &amp; a bike shed?</p><div>Thanks!</div>"
        '<div class="gmail_quote">On Mon, Rita wrote:<blockquote>Dear Ada</blockquote></div>'
        "</body></html>"
    )
    assert inbox.deliver(reply_address(application), reply("", html=html)).code == 250
    [question] = questions(application)
    assert question.message == "Is there parking & a bike shed?\n\nThanks!"


def test_attachments_are_dropped_with_a_note_to_the_team(app, inbox, application, reply_address):
    message = reply(
        "Here are my certificates.", attachments=[("cv.pdf", b"%PDF-1.7"), ("photo.jpg", b"\xff")]
    )
    assert inbox.deliver(reply_address(application), message).code == 250
    [question] = questions(application)
    assert question.message == "Here are my certificates."
    [note] = Event.select().where(Event.kind == "reply_note")
    assert note.application_id == application.id and note.visible is False
    assert note.message == "2 attachments were not kept: cv.pdf, photo.jpg."


def test_a_reply_of_attachments_alone_still_reaches_the_team(
    app, inbox, application, reply_address
):
    """No words to file, but the candidate sent something: the team is told, and owes
    them an answer (the page says the attachments were not kept)."""
    message = reply("", attachments=[("references.docx", b"PK")])
    assert inbox.deliver(reply_address(application), message).code == 250
    [question] = questions(application)
    assert "attachments are not kept" in question.message
    assert notes(application) == ["1 attachment was not kept: references.docx."]
    assert len(told_staff()) == 1


def test_a_reply_with_no_words_of_its_own_is_refused(app, inbox, application, reply_address):
    text = "On Mon, 2 Mar 2026, Rita Alvarez wrote:\n> Dear Ada,\n> Any questions?\n"
    answer = inbox.deliver(reply_address(application), reply(text))
    assert (answer.stage, answer.code) == ("DATA", 550)
    assert "no words of yours" in answer.text
    assert nothing_filed()


def test_a_long_reply_is_cut_with_a_note(app, inbox, application, reply_address):
    text = "\n\n".join(f"Paragraph {n}: " + "word " * 60 for n in range(30))
    assert inbox.deliver(reply_address(application), reply(text)).code == 250
    [question] = questions(application)
    assert 3900 < len(question.message) <= 4000 and question.message.endswith("word…")
    assert question.message.startswith("Paragraph 0: word word")
    assert notes(application) == ["The reply was cut at 4,000 characters."]


def test_a_reply_from_another_address_is_filed_with_a_note(
    app, inbox, make_application, reply_address
):
    application = make_application(email="ada@example.org")
    message = reply("Forwarded from my work account.", sender="Ada <ada@work.example>")
    assert inbox.deliver(reply_address(application), message).code == 250
    assert len(questions(application)) == 1
    assert notes(application) == [
        "It came from ada@work.example, not the address on the application."
    ]


def test_the_same_candidate_writing_in_capitals_is_theirs(
    app, inbox, make_application, reply_address
):
    """Mail servers may change the case of an address: the key is lower-case hex."""
    application = make_application(email="ada@example.org")
    address = reply_address(application).upper()
    message = reply("Hello from a loud mail server.", sender="ADA@EXAMPLE.ORG")
    assert inbox.deliver(address, message).code == 250
    assert len(questions(application)) == 1 and notes(application) == []


def test_too_many_replies_in_an_hour_are_deferred_not_lost(app, inbox, application, reply_address):
    for n in range(ASK_LIMIT):
        ask(Application.get_by_id(application.id), f"Question {n}", via="email")
    answer = inbox.deliver(reply_address(application), reply("One more."))
    assert (answer.stage, answer.code) == ("DATA", 450)  # the sender's server tries later
    assert len(questions(application)) == ASK_LIMIT


def test_one_reply_address_a_message(app, inbox, make_application, reply_address):
    """A second reply address in one message is asked again apart (452), so each message
    is one application's, and LMTP's one answer holds for its one recipient."""
    first, second = make_application(), make_application()
    with inbox.connect() as client:
        client.mail("ada@example.org")
        assert client.rcpt(reply_address(first))[0] == 250
        assert client.rcpt(reply_address(first))[0] == 250  # the same one again
        assert client.rcpt(reply_address(second))[0] == 452
        assert client.data(reply("To both.").as_bytes(policy=policy.SMTP))[0] == 250
    assert len(questions(first)) == 1 and questions(second) == []


# --- written by a program: dropped ------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto_Submitted": "auto-replied"}, "ada@example.org"),
        ({"Auto_Submitted": "auto-generated; owner-email=ada@example.org"}, "ada@example.org"),
        ({"Precedence": "bulk"}, "ada@example.org"),
        ({"Precedence": "auto_reply"}, "ada@example.org"),
        ({"X_Autoreply": "yes"}, "ada@example.org"),
        ({"List_Id": "<jobs.lists.example.org>"}, "ada@example.org"),
        ({}, ""),  # a bounce: the empty sender
    ],
    ids=["auto-replied", "auto-generated", "bulk", "auto_reply", "x-autoreply", "list", "bounce"],
)
def test_automatic_mail_is_taken_and_dropped(
    app, inbox, application, reply_address, caplog, headers, sender
):
    message = reply("I am out of the office until Monday.", **headers)
    with caplog.at_level("INFO", logger="portal"):
        answer = inbox.deliver(reply_address(application), message, sender=sender)
    assert (answer.stage, answer.code) == ("DATA", 250)  # no bounce back to a program
    assert nothing_filed()
    assert any(
        "inbox: dropped" in r.getMessage() and "dropped 1" in r.getMessage() for r in caplog.records
    )


def test_a_delivery_report_is_dropped(app, inbox, application, reply_address):
    report = (
        b"From: MAILER-DAEMON@example.org\r\nTo: reply@hiring.example.com\r\n"
        b"Subject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--b--\r\n"
    )
    assert inbox.deliver(reply_address(application), report).code == 250
    assert nothing_filed()


def test_auto_submitted_no_is_a_person(app, inbox, application, reply_address):
    message = reply("Written by me.", Auto_Submitted="no")
    assert inbox.deliver(reply_address(application), message).code == 250
    assert len(questions(application)) == 1


def test_the_log_never_holds_a_reply_address(app, inbox, application, reply_address, caplog):
    address = reply_address(application)
    with caplog.at_level("INFO"):  # the default PORTAL_LOG_LEVEL; aiosmtpd logs at INFO too
        inbox.deliver(address, reply("Keep my key out of the logs."))
        inbox.deliver(f"reply+{secrets.token_hex(16)}@{DOMAIN}", reply("Unknown."))
    assert caplog.records and "inbox: filed on" in caplog.text
    key = Application.get_by_id(application.id).reply_key
    assert key not in caplog.text and address not in caplog.text


# --- a header-injection attempt -----------------------------------------------------------------


def test_a_crlf_in_the_subject_breaks_nothing(app, inbox, application, reply_address, smtp_server):
    raw = (
        f"From: Ada <ada@example.org>\r\nTo: reply@{DOMAIN}\r\n"
        "Subject: =?utf-8?q?Hello=0D=0ABcc:_victim@example.net=0D=0A=0D=0Aforged?=\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Is the offer negotiable?\r\n"
    ).encode()
    assert inbox.deliver(reply_address(application), raw).code == 250
    [question] = questions(application)
    assert question.message == "Is the offer negotiable?"
    assert mail.send_pending() == (1, 0)  # the worker's part: the recruiter's notice
    [message] = smtp_server.messages
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [application.job.recruiter.email]
    assert message["Bcc"] is None and "victim" not in message.as_string()
    assert "\n" not in message["Subject"]


# --- too large ---------------------------------------------------------------------------------


def test_an_oversize_reply_is_refused_and_nothing_filed(app, application, reply_address):
    app.config.update(REPLY_DOMAIN=DOMAIN, INBOX_MAX_BYTES=20_000)
    server = receiver.serve(app, "127.0.0.1", free_port())
    try:
        inbox = Client(server.port)
        big = reply("Here is my portfolio.", attachments=[("portfolio.zip", b"x" * 30_000)])
        answer = inbox.deliver(reply_address(application), big)
        assert (answer.stage, answer.code) == ("DATA", 552)
        with inbox.connect() as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
            # a client that says the size first is refused at MAIL FROM
            client.sendmail("ada@example.org", [reply_address(application)], big.as_bytes())
        assert refused.value.smtp_code == 552
        assert nothing_filed()
        small = reply("Here is a link to it instead.")
        assert inbox.deliver(reply_address(application), small).code == 250
    finally:
        server.stop()
