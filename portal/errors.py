"""Domain errors: each carries an HTTP status and a message that says how to fix it."""

from contextlib import contextmanager

import click


class DomainError(Exception):
    """Base of every error a domain operation raises on purpose."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(DomainError):
    """The input cannot be used as given."""


class Forbidden(DomainError):
    """The actor's role does not allow this."""

    status = 403


class NotFound(DomainError):
    """A referenced record does not exist (or is not the actor's to see)."""

    status = 404


class Conflict(DomainError):
    """Someone else changed the record since the actor loaded it."""

    status = 409


@contextmanager
def command_errors():
    """For commands: a domain error is the one line it carries, and exit status 1."""
    try:
        yield
    except DomainError as error:
        raise click.ClickException(error.message) from None
