"""Reading a candidate's reply by email: the words they wrote, without the history it
quotes or their signature, as text (an HTML-only reply converted), and what was lost on
the way (attachments, length) for a note to the team; and whether a person wrote it at
all (out-of-office replies, bounces and lists never become questions, so no two
autoresponders can keep a conversation going).

What the reply quotes is found by ``mail-parser-reply``: "On ... wrote:" in a dozen
languages, Outlook's "From:/Sent:" blocks, "-----Original Message-----", signatures and
"Sent from my phone". Then the ``>`` lines after the reply's own words go too, and those
before them, unless it was written between the quoted lines: such answers need their
questions.
"""

import re
import secrets
from email.message import EmailMessage
from email.message import Message
from typing import NamedTuple

from bs4 import BeautifulSoup
from bs4 import NavigableString
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage as ParsedBody

from portal.conversation.actions import QUESTION_LIMIT

#: The body text read, in characters: the reply's own words come first, and what follows
#: is history; a bound on the work a stranger's email can cause.
READ_LIMIT = 20_000

#: Lines longer than this are never a quote header ("On ... wrote:"), so the parser is
#: not shown them: its patterns take time growing with the square of a line's length.
LONG_LINE = 300

#: Every language whose reply headers the parser knows ("david" is one mail program's).
LANGUAGES = [language for language in MAIL_LANGUAGES if language != "david"]

#: What the candidate's page shows for an email with attachments and no text of its own.
NO_TEXT = "(An email with attachments and no text of its own: attachments are not kept.)"

#: Listed by name in the note to the team; more are counted.
NAMED_ATTACHMENTS = 10

#: Where mail programs put the history in HTML: what follows one of these is quoted.
HTML_HISTORY = "#appendonsend, #divRplyFwdMsg, div.OutlookMessageHeader, #x_divRplyFwdMsg"
#: What is always quoted or never text, in HTML.
HTML_QUOTED = "blockquote, .gmail_quote, .moz-cite-prefix, .yahoo_quoted, script, style, head"
#: HTML that starts a new line, and HTML that starts a paragraph (a blank line).
HTML_LINES = ("div", "li", "tr", "hr", "ul", "ol", "table")
HTML_PARAGRAPHS = ("p", "pre", "h1", "h2", "h3", "h4", "h5", "h6")
#: Stand-ins for the line and paragraph breaks of the HTML while it becomes text.
_LINE, _PARAGRAPH = "\x01", "\x02"
_BREAKS = re.compile(r"[ \x01\x02\n]*[\x01\x02\n][ \x01\x02\n]*")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u2028\u2029\ufeff]")
_QUOTED = re.compile(r"\s*>")


class Reply(NamedTuple):
    """What a reply by email says, and what of it was not kept."""

    #: The candidate's own words (empty: none), at most ``QUESTION_LIMIT`` characters.
    text: str
    #: The names of the attachments dropped.
    attachments: list[str]
    #: Pictures embedded in its HTML (logos, pasted images), dropped with it.
    pictures: int
    #: The words were longer than ``QUESTION_LIMIT`` and were cut.
    cut: bool


def read(message: EmailMessage) -> Reply:
    """The reply in ``message``: its own words as text, and what it carried besides."""
    body = message.get_body(preferencelist=("plain", "html"))
    html = _content(body) if body is not None and body.get_content_type() == "text/html" else ""
    if body is None:
        text = ""
    elif html:
        text = own_words(html_text(html))
    else:
        text = own_words(_flowed(body, _content(body)))
    attachments, pictures = _dropped(message, body, html)
    cut = len(text) > QUESTION_LIMIT
    if cut:
        text = text[: QUESTION_LIMIT - 1].rstrip() + "…"
    return Reply(text, attachments, pictures, cut)


def automatic(message: Message, sender: str) -> str:
    """Why ``message`` was written by a program, not a person (RFC 3834): its header, or a
    bounce's empty sender; empty when a person wrote it."""
    if sender in ("", "<>"):
        return "a bounce (empty sender)"
    submitted = str(message.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    if submitted != "no":
        return f"Auto-Submitted: {shown(submitted)}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {shown(precedence)}"
    for header in ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe"):
        if header in message:
            return f"{header} header"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report"
    return ""


def note(reply: Reply, other_sender: str = "") -> str:
    """For the team only: what the reply lost on the way, and who sent it when that was
    not the candidate's address; empty when nothing."""
    lines = []
    if reply.attachments:
        count = len(reply.attachments)
        names = ", ".join(reply.attachments[:NAMED_ATTACHMENTS])
        more = f" and {count - NAMED_ATTACHMENTS} more" if count > NAMED_ATTACHMENTS else ""
        were = "attachment was" if count == 1 else "attachments were"
        lines.append(f"{count} {were} not kept: {names}{more}.")
    if reply.pictures:
        were = "picture in the email was" if reply.pictures == 1 else "pictures in the email were"
        lines.append(f"{reply.pictures} {were} not kept.")
    if reply.cut:
        lines.append(f"The reply was cut at {QUESTION_LIMIT:,} characters.")
    if other_sender:
        lines.append(f"It came from {other_sender}, not the address on the application.")
    return "\n".join(lines)


# --- the reply's own words ----------------------------------------------------------------


def own_words(text: str) -> str:
    """``text`` without the history it quotes and the signature below it."""
    text = tidy(text)[:READ_LIMIT]
    # Long lines are put aside while the parser reads, and put back after.
    marker = f"portal{secrets.token_hex(6)}line"
    lines = text.split("\n")
    long = {f"{marker}{n}": line for n, line in enumerate(lines) if len(line) > LONG_LINE}
    read = "\n".join(
        f"{marker}{n}" if len(line) > LONG_LINE else line for n, line in enumerate(lines)
    )
    parsed = ParsedBody(text=read, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    words = parsed.replies[0].body if parsed.replies else ""
    words = re.sub(rf"{marker}\d+", lambda found: long[found.group()], words)
    return tidy("\n".join(_unquoted(words.split("\n"))))


def _unquoted(lines: list[str]) -> list[str]:
    """``lines`` without the quoted lines (``>``) after the reply's own, nor the line that
    introduced them ("... wrote:" in a language the parser lacks), nor those before
    (unless the reply was written between quoted lines)."""
    words = [n for n, line in enumerate(lines) if line.strip() and not _QUOTED.match(line)]
    if not words:
        return []
    first, last = words[0], words[-1]
    if any(_QUOTED.match(line) for line in lines[first:last]):
        first = 0  # written between the lines: the first question belongs with its answer
    quoted_after = any(_QUOTED.match(line) for line in lines[last + 1 :])
    if quoted_after and last > first and lines[last].rstrip().endswith(":"):
        last = max(n for n in words if n < last)
    return lines[first : last + 1]


def tidy(text: str) -> str:
    """Text as the conversation keeps it: Unix line ends, no control or invisible
    characters, no trailing spaces, at most one blank line in a row."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_text(html: str) -> str:
    """The text of an HTML email as a person reads it: paragraphs and line breaks kept,
    links with their address, and no quoted history, scripts or styles."""
    soup = BeautifulSoup(html, "html.parser")
    for start in soup.select(HTML_HISTORY):
        for after in start.find_next_siblings():
            after.decompose()
        start.decompose()
    for quoted in soup.select(HTML_QUOTED):
        quoted.decompose()
    for piece in soup.find_all(string=True):
        if type(piece) is NavigableString and piece.find_parent("pre") is None:
            piece.replace_with(re.sub(r"\s+", " ", str(piece)))  # HTML's spaces are one
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if href.startswith(("http://", "https://")) and href not in link.get_text():
            link.append(f" ({href})")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for names, mark in ((HTML_LINES, _LINE), (HTML_PARAGRAPHS, _PARAGRAPH)):
        for block in soup.find_all(names):
            block.insert_before(mark)
            block.insert_after(mark)
    text = _BREAKS.sub(_breaks, soup.get_text())
    return "\n".join(line.strip() for line in text.split("\n"))


def _breaks(found: re.Match) -> str:
    """The line ends that a run of HTML breaks amounts to: a paragraph is a blank line,
    ends of blocks next to each other are one, and each ``<br>`` is one more."""
    run = found.group()
    if _PARAGRAPH in run:
        return "\n\n"
    return "\n" * min(2, run.count("\n") + (_LINE in run))


# --- the parts of the email ---------------------------------------------------------------


def _content(part: Message) -> str:
    """A text part's text, whatever charset it claims (an unknown one is read as UTF-8)."""
    try:
        return part.get_content()
    except LookupError:
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _flowed(part: Message, text: str) -> str:
    """Plain text as written: ``format=flowed`` lines (RFC 3676) joined again."""
    params = part["Content-Type"].params if "Content-Type" in part else {}
    if str(params.get("format", "")).lower() != "flowed":
        return text
    delsp = str(params.get("delsp", "")).lower() == "yes"
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line[1:] if line.startswith(" ") else line  # space-stuffed
        soft = line.endswith(" ") and line != "-- " and not line.startswith(">")
        out.append((line[:-1] if delsp else line) if soft else line + "\n")
    return "".join(out)


def _dropped(message: EmailMessage, body: Message | None, html: str) -> tuple[list[str], int]:
    """The names of every part but the body and its alternative, and how many of them
    are pictures shown inside the HTML (``cid:`` links)."""
    names, pictures = [], 0
    html = html or _html_of(message)
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        kind = part.get_content_type()
        filename = part.get_filename()
        if kind in ("text/plain", "text/html") and not filename and not part.is_attachment():
            continue  # the other form of the body
        cid = str(part.get("Content-ID", "")).strip("<> ")
        if cid and not part.is_attachment() and f"cid:{cid}" in html:
            pictures += 1
            continue
        names.append(shown(filename or f"an unnamed {kind} part", 100))
    return names, pictures


def _html_of(message: EmailMessage) -> str:
    """The HTML form of the body, when it has one (for the pictures it shows)."""
    part = message.get_body(preferencelist=("html",))
    return _content(part) if part is not None else ""


def shown(value: str, limit: int = 60) -> str:
    """A stranger's text fit for a note or a log line: one line, printable, short."""
    value = " ".join(_CONTROL.sub("", str(value)).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
