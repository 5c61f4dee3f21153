"""Nothing internal reaches a candidate (docs/security.md A6 for the candidate side): internal
notes, feedback, internal reasons and internal stage names, seeded with a marker, never
appear on the page, the dead-link page, the admin's preview, or any email a real SMTP
server receives."""

import re

import pytest

from portal import domain
from portal.candidates import links
from portal.candidates.actions import send_link
from portal.domain import reasons
from portal.mail import transport
from portal.store.models import Stage
from portal.worker import tasks

MARKER = "ZQX-INTERNAL-7781"


@pytest.fixture
def seeded(make_job, make_user, make_application):
    """An application whose every internal field carries the marker."""
    manager = make_user("manager")
    job = make_job(managers=[manager])
    stages = [
        {"name": f"Sift {MARKER}", "candidate_label": "Application received"},
        {"name": f"Panel {MARKER}", "candidate_label": "Interviews", "interview": True},
        {"name": f"Debrief {MARKER}", "candidate_label": "Decision"},
    ]
    domain.set_stages(None, job, stages)
    first, panel, _debrief = job.stages.order_by(Stage.position)
    application = make_application(job=job, name="Ada Lovelace", email="ada@example.org")
    send_link(None, application)
    domain.add_note(None, application, f"Note: {MARKER}")
    domain.move(None, application, panel, application.version, message="See you at the panel")
    domain.submit_feedback(
        manager, application, panel, 3, "yes", f"Strong {MARKER}", f"Worry {MARKER}"
    )
    domain.post_update(None, application, application.version, "We are deciding this week")
    return application


def test_not_on_the_page_while_active(client, seeded):
    html = client.get(f"/c/{links.live(seeded).token}/").text
    assert "Interviews" in html and "See you at the panel" in html
    assert MARKER not in html


def test_not_on_the_page_after_closing(client, seeded):
    domain.close(
        None, seeded, seeded.version, "rejected", "Dear Ada, thank you.", reason=f"Why {MARKER}"
    )
    html = client.get(f"/c/{links.live(seeded).token}/").text
    assert "Dear Ada, thank you." in html
    assert MARKER not in html


def test_not_after_the_candidate_withdraws(client, seeded):
    url = f"/c/{links.live(seeded).token}/"
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).text).group(1)
    client.post(
        f"{url}withdraw", data={"form_token": token, "confirm": "yes", "reason": f"Mine {MARKER}"}
    )
    html = client.get(url).text
    assert "Your application is withdrawn" in html
    assert MARKER not in html


def test_not_on_the_dead_link_page(client, seeded):
    assert MARKER not in client.get("/c/whatever/").text


def test_not_in_the_preview(client, auth, make_user, seeded):
    auth.login(make_user("recruiter"))
    html = client.get(f"/admin/applications/{seeded.ref}/").text
    assert MARKER in html  # staff do see it: the marker is really there
    preview = client.get(f"/admin/applications/{seeded.ref}/preview/page").text
    assert "See you at the panel" in preview
    assert MARKER not in preview
    assert "csrf_token" not in preview  # nothing of the staff session either


def test_not_in_any_email(client, smtp_server, seeded):
    domain.close(
        None, seeded, seeded.version, "rejected", "Dear Ada, thank you.", reason=f"Why {MARKER}"
    )
    with client.post("/c/fresh-link", data={"email": "ada@example.org"}):
        pass
    tasks.run_due()  # the worker's round: it sends the fresh link
    send_link(None, seeded)
    kinds = [m["Subject"] for m in smtp_server.messages]
    assert len(kinds) >= 3
    for message in smtp_server.messages:
        raw = message.as_string()
        assert MARKER not in raw, message["Subject"]


def test_the_seeded_application_sent_mail_before_the_server_started(seeded):
    """The fixture's email went to the outbox: the marker is not there either."""
    outbox = transport.outbox_folder()
    files = list(outbox.glob("*.eml"))
    assert files
    for eml in files:
        assert MARKER not in eml.read_text()


def test_not_a_reason_they_may_not_be_told(client, smtp_server, make_user, seeded):
    """A reason kept untold, its label and the words it once had seeded with the marker,
    given with a note that asks for its words: none of them reach the page or an email."""
    reason = reasons.save_reason(
        make_user("admin"),
        label=f"Untold {MARKER}",
        tellable=False,
        candidate_text=f"Sentence {MARKER}",
        next_steps=f"Next {MARKER}",
    )
    note = "Dear Ada, thank you. {reason}\n\n{next_steps}"
    domain.close(
        make_user("recruiter"), seeded, seeded.version, "rejected", note, closure_reason=reason
    )
    html = client.get(f"/c/{links.live(seeded).token}/").text
    assert "Dear Ada, thank you." in html and "{reason}" not in html
    assert MARKER not in html and reason.code not in html
    assert smtp_server.messages
    for message in smtp_server.messages:
        assert MARKER not in message.as_string(), message["Subject"]
