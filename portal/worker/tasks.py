"""The task queue's consumer: claim a due task, run its handler, delete it when done.

Requests queue tasks (``Task.enqueue``) for work their answer must not wait for, or
reveal by its timing. Several workers can share the queue: a claim is one conditional
UPDATE that only one of them wins, and a claim lapses after ``LEASE`` (a worker killed
mid-task leaves it to the next).
"""

import json
from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from portal.candidates.actions import send_fresh_links
from portal.clock import now
from portal.store.db import database
from portal.store.models import Task

#: How long a worker's claim on a task holds: longer than any one task takes.
LEASE = timedelta(minutes=10)

#: Failed attempts after which a task is left alone (its last error stays on the row).
MAX_ATTEMPTS = 5

#: Tasks taken per round; the rest wait for the next.
BATCH = 50

#: What each kind of task does, given its payload.
HANDLERS: dict[str, Callable[..., object]] = {
    "fresh_links": lambda email: send_fresh_links(email),
}


def _due():
    """Tasks no worker holds, not given up on, oldest first."""
    moment = now()
    return (
        Task.select()
        .where(
            (Task.claimed.is_null() | (Task.claimed < moment - LEASE))
            & (Task.attempts < MAX_ATTEMPTS)
        )
        .order_by(Task.id)
    )


def _claim(task: Task) -> bool:
    """Take ``task`` for this worker, unless another took it first."""
    moment = now()
    taken = (
        Task.update(claimed=moment, attempts=Task.attempts + 1)
        .where(
            (Task.id == task.id)
            & (Task.attempts == task.attempts)
            & (Task.claimed.is_null() | (Task.claimed < moment - LEASE))
        )
        .execute()
    )
    return taken == 1


def run_due(limit: int = BATCH) -> tuple[int, int]:
    """Run up to ``limit`` due tasks; returns (done, failed)."""
    done = failed = 0
    for task in list(_due().limit(limit)):
        if not _claim(task):
            continue
        try:
            with database.atomic():
                HANDLERS[task.kind](**json.loads(task.payload))
                task.delete_instance()
        except Exception as error:  # any failure of one task must not stop the others
            current_app.logger.warning("task %s (%s) failed: %s", task.id, task.kind, error)
            Task.update(claimed=None, last_error=f"{type(error).__name__}: {error}"[:500]).where(
                Task.id == task.id
            ).execute()
            failed += 1
        else:
            done += 1
    return done, failed
