"""`/metrics`: the portal's backlog in the Prometheus text format, for staff and scrapers.

Every number is read from the database at the moment of the scrape (a custom collector,
no counters kept in memory), so every gunicorn worker gives the same answer. Only a
scraper presenting ``PORTAL_METRICS_TOKEN`` as a bearer token, or a signed-in admin,
reads it; anyone else gets a 403 with no number in it.
"""

import hmac
import json
from datetime import datetime
from datetime import UTC

from flask import abort
from flask import current_app
from flask import Flask
from flask import request
from flask import Response
from flask_login import current_user
from prometheus_client import CollectorRegistry
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from portal import clock
from portal.store.models import Application
from portal.store.models import DbInfo
from portal.store.models import InboundDelivery
from portal.store.models import Mail
from portal.store.models import OutboundEvent
from portal.store.models import ScheduledClosure
from portal.store.models import Task

#: The ``db_info`` row where ``portal build`` notes its last build (``record_build``).
BUILD_KEY = "site.last_build"


def init_app(app: Flask) -> None:
    """Add ``/metrics``, with a registry of this app's own (none of the process-wide
    defaults, whose numbers would differ from one gunicorn worker to the next)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    app.extensions["portal.metrics"] = registry
    app.add_url_rule("/metrics", "metrics", metrics)


def metrics():
    """The metrics in the Prometheus text format, for a scraper with the token or an admin."""
    if not allowed():
        abort(403)
    registry = current_app.extensions["portal.metrics"]
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def allowed() -> bool:
    """A request carrying ``Authorization`` is judged by it alone: the bearer token, when
    one is set, compared in constant time. Without one, only a signed-in admin."""
    given = request.headers.get("Authorization")
    if given is not None:
        token = current_app.config["METRICS_TOKEN"]
        scheme, _, value = given.partition(" ")
        return (
            bool(token)
            and scheme.lower() == "bearer"
            and hmac.compare_digest(value.strip().encode(), token.encode())
        )
    return current_user.is_authenticated and current_user.is_admin


class DatabaseCollector(Collector):
    """The backlog, read at each scrape: mail, tasks, closures due, the last build."""

    def collect(self):
        moment = clock.now()
        most = current_app.config["MAIL_MAX_ATTEMPTS"]
        unsent = Mail.select().where(Mail.sent.is_null())
        queued = unsent.where(Mail.attempts < most)
        oldest = queued.select(Mail.created).order_by(Mail.created).first()
        yield _gauge(
            "portal_mail_queued",
            "Mail waiting to be sent and still retried (fewer than PORTAL_MAIL_MAX_ATTEMPTS "
            "failed attempts).",
            queued.count(),
        )
        yield _gauge(
            "portal_mail_oldest_queued_age_seconds",
            "How long the oldest mail still waiting to be sent has waited (0: none waits).",
            (moment - oldest.created).total_seconds() if oldest else 0.0,
        )
        yield _gauge(
            "portal_mail_failed",
            "Unsent mail past PORTAL_MAIL_MAX_ATTEMPTS, no longer retried automatically "
            "(`portal send --retry-failed`, or the admin).",
            unsent.where(Mail.attempts >= most).count(),
        )
        yield _gauge(
            "portal_tasks_queued",
            "Tasks waiting for `portal worker` (fresh-link requests).",
            Task.select().count(),
        )
        yield _gauge(
            "portal_tasks_failing",
            "Queued tasks whose last attempt failed (their error is on the row).",
            Task.select().where(Task.last_error != "").count(),
        )
        yield _gauge(
            "portal_scheduled_closures_due",
            "Scheduled closures whose time has come and that `portal worker` has not "
            "carried out yet.",
            ScheduledClosure.select().where(ScheduledClosure.due <= moment).count(),
        )
        waiting = Application.select(Application.asked).where(Application.asked.is_null(False))
        oldest_question = waiting.order_by(Application.asked).first()
        yield _gauge(
            "portal_questions_unanswered",
            "Applications whose candidate waits for an answer to a question.",
            waiting.count(),
        )
        yield _gauge(
            "portal_question_oldest_unanswered_age_seconds",
            "How long the candidate who has waited longest for an answer has waited (0: none).",
            (moment - oldest_question.asked).total_seconds() if oldest_question else 0.0,
        )
        pending = OutboundEvent.delivered.is_null() & OutboundEvent.failed.is_null()
        yield _gauge(
            "portal_webhooks_queued",
            "Outbound events (what candidates did) waiting for their endpoint, still retried.",
            OutboundEvent.select().where(pending).count(),
        )
        yield _gauge(
            "portal_webhooks_failed",
            "Outbound events whose attempts ran out: replay them in Admin › Integrations.",
            OutboundEvent.select().where(OutboundEvent.failed.is_null(False)).count(),
        )
        yield _gauge(
            "portal_ats_deliveries_held",
            "Deliveries from an ATS held for someone to look at (an unmapped stage, say).",
            InboundDelivery.select().where(InboundDelivery.outcome == "held").count(),
        )
        yield from _last_build()


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _last_build():
    """The last static build's duration and end, once ``portal build`` has run."""
    row = DbInfo.get_or_none(DbInfo.key == BUILD_KEY)
    if row is None:
        return
    build = json.loads(row.value)
    duration = GaugeMetricFamily(
        "portal_site_build_duration_seconds",
        "How long the last `portal build` took, by its kind (full or incremental).",
        labels=["kind"],
    )
    duration.add_metric([build["kind"]], build["seconds"])
    yield duration
    yield _gauge(
        "portal_site_build_finished_timestamp_seconds",
        "When the last `portal build` finished, in seconds since the epoch.",
        datetime.fromisoformat(build["finished"]).replace(tzinfo=UTC).timestamp(),
    )


def record_build(kind: str, seconds: float) -> None:
    """Note a finished ``portal build`` in ``db_info``, for the next scrape."""
    value = json.dumps({"kind": kind, "seconds": seconds, "finished": clock.now().isoformat()})
    (
        DbInfo.insert(key=BUILD_KEY, value=value)
        .on_conflict(conflict_target=[DbInfo.key], update={DbInfo.value: value})
        .execute()
    )
