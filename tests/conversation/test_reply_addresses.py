"""Reply addresses: candidate emails carry their application's (and the recruiter's
without PORTAL_REPLY_DOMAIN); `portal inbox` refuses every other address, an erased
application's included, before a word of the message is read."""

import re
import secrets
from email import policy
from email.headerregistry import Address

import pytest
from conversation.emails import DOMAIN
from conversation.emails import nothing_filed
from conversation.emails import questions
from conversation.emails import reply

from portal import create_app
from portal import domain
from portal.candidates import links
from portal.candidates.actions import send_link
from portal.conversation import inbox as receiver
from portal.privacy import actions as privacy
from portal.settings import checks
from portal.settings.checks import UnsafeSettings
from portal.store.models import Application
from portal.store.models import Link

# --- the Reply-To of candidate emails ----------------------------------------------------------


def test_candidate_emails_reply_to_the_application_s_address(app, make_application, smtp_server):
    app.config["REPLY_DOMAIN"] = DOMAIN
    application = make_application()
    other = make_application(name="Grace Hopper")
    send_link(None, application)
    domain.post_update(None, Application.get_by_id(application.id), 1, "A word for you")
    send_link(None, other)
    addresses = [message["Reply-To"].addresses[0] for message in smtp_server.messages]
    key = Application.get_by_id(application.id).reply_key
    assert re.fullmatch(r"[0-9a-f]{32}", key)  # 128 bits, lower-case
    assert addresses[0] == Address("Example Ltd", addr_spec=f"reply+{key}@{DOMAIN}")
    assert addresses[1] == addresses[0]  # one address per application, kept
    assert addresses[2].addr_spec != addresses[0].addr_spec
    tokens = [link.token for link in Link.select()]
    assert all(key not in token and token not in key for token in tokens)
    assert "Reply to this email" in smtp_server.messages[0].get_body(("plain",)).get_content()


def test_without_a_reply_domain_replies_go_to_the_recruiter(app, application, smtp_server):
    app.config["REPLY_DOMAIN"] = ""
    send_link(None, application)
    [message] = smtp_server.messages
    recruiter = application.job.recruiter
    assert message["Reply-To"].addresses[0].addr_spec == recruiter.email
    assert Application.get_by_id(application.id).reply_key is None  # none made


def test_an_address_of_another_domain_setting_is_refused(app, inbox, application, reply_address):
    """Changing the domain ends the old addresses: the key alone is not enough."""
    app.config["REPLY_DOMAIN"] = "old.example.com"
    old = reply_address(application)
    app.config["REPLY_DOMAIN"] = DOMAIN
    assert inbox.deliver(old, reply("To the old domain.")).code == 550
    assert inbox.deliver(reply_address(application), reply("To the new one.")).code == 250


# --- refused: nothing a stranger sends is read ------------------------------------------------


def _token_address(application) -> str:
    return f"reply+{links.live(application).token}@{DOMAIN}"


@pytest.mark.parametrize(
    "address",
    [
        pytest.param(lambda a, key: f"reply+{secrets.token_hex(16)}@{DOMAIN}", id="unknown key"),
        pytest.param(lambda a, key: f"reply+{key[:-1]}@{DOMAIN}", id="short key"),
        pytest.param(lambda a, key: f"reply+{key}x@{DOMAIN}", id="long key"),
        pytest.param(lambda a, key: f"reply+{key}@other.example.com", id="other domain"),
        pytest.param(lambda a, key: f"reply+{key}@mail.{DOMAIN}", id="subdomain"),
        pytest.param(lambda a, key: f"{key}@{DOMAIN}", id="no prefix"),
        pytest.param(lambda a, key: f"reply-{key}@{DOMAIN}", id="other prefix"),
        pytest.param(lambda a, key: f"reply+{key}", id="no domain"),
        pytest.param(lambda a, key: f"hiring@{DOMAIN}", id="another mailbox"),
        pytest.param(lambda a, key: _token_address(a), id="the link's token"),
        pytest.param(lambda a, key: f"reply+{a.id}@{DOMAIN}", id="the application's id"),
    ],
)
def test_any_other_address_is_refused_before_a_word_is_read(
    app, inbox, application, reply_address, address
):
    key = reply_address(application).partition("+")[2].partition("@")[0]
    answer = inbox.deliver(address(application, key), reply("Let me in."))
    assert (answer.stage, answer.code, answer.text) == ("RCPT", 550, "5.1.1 No such reply address")
    assert nothing_filed()


@pytest.mark.parametrize("erase", ["candidate", "application"])
def test_an_erased_application_s_address_is_refused(
    app, inbox, make_application, reply_address, erase
):
    application = make_application(email="ada@example.org")
    address = reply_address(application)
    assert inbox.deliver(address, reply("Before.")).code == 250
    if erase == "candidate":
        privacy.erase_candidate(None, Application.get_by_id(application.id).candidate)
    else:  # as the retention policy does
        privacy.erase_application(None, Application.get_by_id(application.id), why="retention")
    assert Application.get_by_id(application.id).reply_key is None
    answer = inbox.deliver(address, reply("After."))
    assert (answer.stage, answer.code) == ("RCPT", 550)
    assert [q.message for q in questions(application)] == ["[erased]"]


def test_an_erasure_between_rcpt_and_data_wins(app, inbox, application, reply_address):
    address = reply_address(application)
    with inbox.connect() as client:
        client.mail("ada@example.org")
        assert client.rcpt(address)[0] == 250
        privacy.erase_candidate(None, Application.get_by_id(application.id).candidate)
        code, text = client.data(reply("Sent as I was erased.").as_bytes(policy=policy.SMTP))
    assert (code, text.decode()) == (550, "5.1.1 No such reply address")
    assert questions() == []


@pytest.mark.parametrize(
    ("address", "key"),
    [
        (f"reply+{'a1' * 16}@{DOMAIN}", "a1" * 16),
        (f"REPLY+{'A1' * 16}@HIRING.EXAMPLE.COM", "a1" * 16),
        (f"<reply+{'a1' * 16}@{DOMAIN}>", None),
        (f"reply+{'g1' * 16}@{DOMAIN}", None),
        (f"reply+{'a1' * 16}@{DOMAIN}.", None),
        (f"reply+{'a1' * 16}@evil.{DOMAIN}", None),
    ],
)
def test_reply_key_reads_only_reply_addresses_of_the_domain(address, key):
    assert receiver.reply_key(address, DOMAIN) == key
    assert receiver.reply_key(address, "") is None  # no domain: no reply address at all


# --- the setting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["reply+x@hiring.example.com", "@hiring.example.com", "hiring", "hiring example.com"]
)
def test_a_reply_domain_that_is_no_domain_is_refused(value):
    with pytest.raises(UnsafeSettings) as refused:
        create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:", "REPLY_DOMAIN": value})
    assert str(refused.value) == (
        f"PORTAL_REPLY_DOMAIN: {value!r} is not a mail domain; use the domain alone, "
        "without reply+ or @, such as hiring.example.com"
    )


def test_a_mail_domain_is_a_right_reply_domain():
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite:///:memory:",
            "REPLY_DOMAIN": "Hiring.Example.COM",
        }
    )
    assert checks.problems(app) == []
