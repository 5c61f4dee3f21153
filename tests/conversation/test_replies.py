"""Reading a reply by email: the candidate's own words without the history it quotes or
their signature, HTML as text, what was not kept, and whether a person wrote it."""

import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from conversation.emails import reply

from portal.conversation import replies
from portal.conversation.actions import QUESTION_LIMIT


def parsed(message: EmailMessage) -> EmailMessage:
    """``message`` as the inbox reads it: sent as bytes, parsed with the default policy."""
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes(policy=policy.SMTP))


def words(text: str = "", **options) -> str:
    return replies.read(parsed(reply(text, **options))).text


# --- quoted history ---------------------------------------------------------------------------

ANSWER = "Tuesday at 10 suits me. Is there parking?"


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, 2 Mar 2026 at 09:12, Rita Alvarez <hiring@example.com> wrote:\n> Dear Ada,\n",
        "On Mon, 2 Mar 2026 at 09:12, Rita Alvarez via Example Ltd <\n"
        "reply+0f@hiring.example.com> wrote:\n\n> Dear Ada,\n",
        "On 2 Mar 2026, at 09:12, Rita Alvarez <hiring@example.com> wrote:\n\n> Dear Ada\n",
        "Am Mo., 2. März 2026 um 09:12 Uhr schrieb Rita Alvarez <hiring@example.com>:\n"
        "> Liebe Ada,\n",
        "Le lun. 2 mars 2026 à 09:12, Rita Alvarez <hiring@example.com> a écrit :\n> Chère Ada,\n",
        "Il giorno lun 2 mar 2026 alle ore 09:12 Rita Alvarez <hiring@example.com> ha scritto:\n"
        "> Cara Ada,\n",
        "El lun, 2 mar 2026 a las 09:12, Rita Alvarez (<hiring@example.com>) escribió:\n"
        "> Hola Ada,\n",
        "Op ma 2 mrt 2026 om 09:12 schreef Rita Alvarez <hiring@example.com>:\n> Beste Ada,\n",
        "________________________________\nFrom: Hiring team <hiring@example.com>\n"
        "Sent: Monday, March 2, 2026 9:12 AM\nTo: Ada Lovelace <ada@example.org>\n"
        "Subject: Your application\n\nDear Ada,\nWould Tuesday suit you?\n",
        "From: Hiring team <hiring@example.com>\nSent: Monday, March 2, 2026 9:12 AM\n"
        "To: Ada Lovelace <ada@example.org>\nSubject: Your application\n\nDear Ada,\n",
        "Von: Hiring team <hiring@example.com>\nGesendet: Montag, 2. März 2026 09:12\n"
        "An: Ada Lovelace <ada@example.org>\nBetreff: Ihre Bewerbung\n\nLiebe Ada,\n",
        "-----Original Message-----\nFrom: Rita\nSent: Monday\n\nDear Ada,\n",
        "> Dear Ada,\n> Would Tuesday suit you?\n> Rita\n",
    ],
    ids=[
        "gmail",
        "gmail, wrapped",
        "apple mail",
        "german",
        "french",
        "italian",
        "spanish",
        "dutch",
        "outlook",
        "outlook without a rule",
        "outlook, german",
        "original message",
        "quotes alone",
    ],
)
def test_the_history_a_reply_quotes_is_not_its_words(history):
    assert words(f"{ANSWER}\n\n{history}") == ANSWER


def test_an_answer_below_the_quote_is_kept():
    text = "On Mon, Rita Alvarez wrote:\n> Can you do Tuesday?\n> Rita\n\nYes, Tuesday works.\n"
    assert words(text) == "Yes, Tuesday works."


def test_an_answer_between_the_lines_keeps_its_questions():
    text = "> Can you do Tuesday?\nYes, at 10.\n> Do you need parking?\nNo, I will cycle.\n"
    assert words(text) == text.strip()


def test_a_colon_in_the_candidate_s_own_words_stays():
    assert words("My questions:\n- the salary\n- remote days\n") == (
        "My questions:\n- the salary\n- remote days"
    )


# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAda Lovelace\nhttps://ada.example.org",
        "Best regards,\nAda Lovelace\nSenior Engineer | +44 20 7946 0000",
        "Kind regards\nAda",
        "Sent from my iPhone",
        "Mit freundlichen Grüßen\nAda Lovelace",
        "Cordialement\nAda",
    ],
    ids=["dashes", "best regards", "kind regards", "phone", "german", "french"],
)
def test_the_signature_is_not_its_words(signature):
    assert words(f"Can I bring my own laptop?\n\n{signature}\n") == "Can I bring my own laptop?"


# --- HTML -------------------------------------------------------------------------------------


def test_html_only_becomes_text_as_a_person_reads_it():
    html = (
        "<!doctype html><html><head><title>Re</title><style>p{color:red}</style>"
        "<script>alert(1)</script></head><body><div dir='ltr'>"
        "<div>Hello Rita,</div><div><br></div>"
        "<div>Is the role <b>remote</b>?\n  See <a href='https://ada.example.org/cv'>my CV</a>"
        " or <a href='https://ada.example.org'>https://ada.example.org</a>.</div>"
        "<div>Second line</div><p>A paragraph &amp; &lt;more&gt;</p>"
        "<ul><li>one</li><li>two</li></ul><!-- a comment --></div></body></html>"
    )
    assert words("", html=html) == (
        "Hello Rita,\n\n"
        "Is the role remote? See my CV (https://ada.example.org/cv) or https://ada.example.org.\n"
        "Second line\n\n"
        "A paragraph & <more>\n\n"
        "one\ntwo"
    )


@pytest.mark.parametrize(
    "history",
    [
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Rita wrote:</div>'
        "<blockquote>Dear Ada, would Tuesday suit you?</blockquote></div>",
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Hiring team<br>'
        "<b>Sent:</b> Monday</div><div>Dear Ada, would Tuesday suit you?</div>",
        '<div class="moz-cite-prefix">On 02/03/2026 Rita wrote:</div>'
        '<blockquote type="cite">Dear Ada, would Tuesday suit you?</blockquote>',
    ],
    ids=["gmail", "outlook", "thunderbird"],
)
def test_html_history_is_not_its_words(history):
    assert words("", html=f"<div>Tuesday works.</div>{history}") == "Tuesday works."


def test_the_plain_text_is_read_when_there_is_both():
    assert words("The plain words.", html="<p>The <i>HTML</i> words.</p>") == "The plain words."


# --- what was not kept ---------------------------------------------------------------------------


def test_attachments_are_named_and_the_body_is_not_one():
    message = reply(
        "See attached.",
        html="<p>See attached.</p>",
        attachments=[("cv.pdf", b"%PDF"), ("cover letter.docx", b"PK")],
    )
    read = replies.read(parsed(message))
    assert (read.text, read.attachments, read.pictures) == (
        "See attached.",
        ["cv.pdf", "cover letter.docx"],
        0,
    )
    assert replies.note(read) == "2 attachments were not kept: cv.pdf, cover letter.docx."


def test_a_picture_inside_the_html_is_counted_not_named():
    message = EmailMessage()
    message["From"] = "ada@example.org"
    message.set_content("Hello, see my signature.")
    message.add_alternative(
        '<p>Hello, see my signature.</p><img src="cid:logo@ada">', subtype="html"
    )
    message.get_payload()[1].add_related(b"\x89PNG", "image", "png", cid="<logo@ada>")
    read = replies.read(parsed(message))
    assert (read.attachments, read.pictures) == ([], 1)
    assert replies.note(read) == "1 picture in the email was not kept."


def test_many_attachments_are_counted_past_ten():
    names = [(f"page{n}.jpg", b"\xff") for n in range(12)]
    read = replies.read(parsed(reply("My portfolio.", attachments=names)))
    assert replies.note(read) == (
        "12 attachments were not kept: "
        + ", ".join(f"page{n}.jpg" for n in range(10))
        + " and 2 more."
    )


def test_an_attachment_s_name_is_made_harmless():
    long = "x" * 200
    raw = (
        'From: ada@example.org\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b\r\n"
        "Content-Type: application/pdf\r\n"
        f"Content-Disposition: attachment; filename*=utf-8''evil%0D%0ABcc%3A%20x{long}.pdf\r\n"
        "\r\n%PDF\r\n--b--\r\n"
    ).encode()
    [name] = replies.read(BytesParser(policy=policy.default).parsebytes(raw)).attachments
    assert name.startswith("evil Bcc: x")
    assert "\n" not in name and "\r" not in name and len(name) <= 100 and name.endswith("…")


def test_a_long_reply_is_cut_at_the_question_limit():
    read = replies.read(parsed(reply("word " * 2000)))
    assert read.cut and len(read.text) <= QUESTION_LIMIT and read.text.endswith("word…")
    assert replies.note(read) == f"The reply was cut at {QUESTION_LIMIT:,} characters."


def test_nothing_lost_is_no_note():
    read = replies.read(parsed(reply("Just words.")))
    assert replies.note(read) == ""
    assert replies.note(read, "other@example.net") == (
        "It came from other@example.net, not the address on the application."
    )


# --- how mail programs encode text ---------------------------------------------------------------


def test_format_flowed_lines_are_joined_again():
    raw = (
        b"From: ada@example.org\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n"
        b"\r\nThis is one long line that my mail program \r\nwrapped for sending.\r\n"
        b"\r\nA second paragraph.\r\n"
    )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert replies.read(message).text == (
        "This is one long line that my mail program wrapped for sending.\n\nA second paragraph."
    )


def test_an_unknown_charset_is_read_as_utf_8():
    raw = (
        b"From: ada@example.org\r\nContent-Type: text/plain; charset=x-unknown-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xc3\xa9 at ten?\r\n"
    )
    assert replies.read(BytesParser(policy=policy.default).parsebytes(raw)).text == "Café at ten?"


def test_control_characters_never_reach_the_conversation():
    assert words("Hello\x00 there\x1b[31m\u200b\r\nsecond\tline") == "Hello there[31m\nsecond line"


def test_a_stranger_s_long_lines_cost_little():
    """The parser's patterns slow with the square of a line's length: a line built to
    exhaust them is put aside while it reads, and kept in the words."""
    line = "On " + "x " * 30_000
    started = time.monotonic()
    text = replies.own_words(f"{line}\n\nOn Mon, Rita wrote:\n> Dear Ada\n")
    assert time.monotonic() - started < 2
    assert text == line.strip()[: replies.READ_LIMIT]


# --- written by a program ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ({}, "ada@example.org", ""),
        ({"Auto_Submitted": "no"}, "ada@example.org", ""),
        ({"Auto_Submitted": "auto-replied"}, "ada@example.org", "Auto-Submitted: auto-replied"),
        ({"Auto_Submitted": "Auto-Generated"}, "ada@example.org", "Auto-Submitted: auto-generated"),
        ({"Precedence": "Bulk"}, "ada@example.org", "Precedence: bulk"),
        ({"Precedence": "junk"}, "ada@example.org", "Precedence: junk"),
        ({"X_Autorespond": "yes"}, "ada@example.org", "X-Autorespond header"),
        (
            {"List_Unsubscribe": "<mailto:x@example.org>"},
            "ada@example.org",
            "List-Unsubscribe header",
        ),
        ({}, "<>", "a bounce (empty sender)"),
        ({}, "", "a bounce (empty sender)"),
    ],
)
def test_what_a_program_wrote_is_told_apart(headers, sender, why):
    assert replies.automatic(parsed(reply("Out of office.", **headers)), sender) == why
