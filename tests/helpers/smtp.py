"""A real SMTP server on loopback (aiosmtpd) and what it received, for conftest.py's
``smtp_server`` fixture."""

import email
import email.policy


class SmtpInbox:
    """What a real SMTP server on loopback (aiosmtpd) received, parsed."""

    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.envelopes.append(envelope)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"


def start(inbox: SmtpInbox, **options) -> None:
    """Serve ``inbox`` on 127.0.0.1:``inbox.port``."""
    from aiosmtpd.controller import Controller

    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
    inbox.controller.start()


def stop(inbox: SmtpInbox) -> None:
    """Take ``inbox``'s server down, if it is up."""
    if inbox.controller is not None:
        inbox.controller.stop()
        inbox.controller = None
