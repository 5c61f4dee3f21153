"""Fixtures for replies by email: `portal inbox`'s real receiver on a loopback port (SMTP
or LMTP), a client delivering to it, and an application's reply address."""

import pytest
from conversation.emails import Client
from conversation.emails import DOMAIN
from helpers.ports import free_port

from portal.conversation import inbox as receiver
from portal.mail import queue as mail
from portal.store.db import database
from portal.store.models import Application


def _serving(app, lmtp: bool):
    """The receiver for ``DOMAIN`` on a free loopback port, and a client for it."""
    app.config["REPLY_DOMAIN"] = DOMAIN
    server = receiver.serve(app, "127.0.0.1", free_port(), lmtp=lmtp)
    yield Client(server.port, lmtp=lmtp)
    server.stop()


@pytest.fixture
def inbox(app):
    """`portal inbox`'s receiver speaking SMTP, and a client: ``inbox.deliver(to, msg)``."""
    yield from _serving(app, lmtp=False)


@pytest.fixture
def lmtp_inbox(app):
    """The same receiver speaking LMTP, as Postfix's lmtp transport delivers."""
    yield from _serving(app, lmtp=True)


@pytest.fixture
def reply_address(app):
    """The reply address of an application, as its candidate's emails carry it."""

    def address(application: Application) -> str:
        with database.atomic():
            return mail.reply_address(Application.get_by_id(application.id))

    return address


@pytest.fixture
def application(make_application):
    """Ada's application: the replies of ``emails.reply`` come from her address."""
    return make_application(name="Ada Lovelace", email="ada@example.org")
