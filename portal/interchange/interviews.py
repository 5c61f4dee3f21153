"""Import: an application's interviews, restored as they were, by calendar UID (so that
a candidate's calendar still recognises every update sent after the import)."""

import functools
from zoneinfo import available_timezones

from portal.clock import now
from portal.domain.base import clean_text
from portal.errors import Invalid
from portal.store.models import Interview
from portal.store.models import INTERVIEW_FORMATS


@functools.cache
def _zones() -> frozenset[str]:
    """Every IANA time zone name zoneinfo can load."""
    return frozenset(available_timezones())


def zone(name: str, label: str = "Time zone", required: bool = True) -> str:
    """``name`` if it is a time zone zoneinfo knows ("" when not ``required`` and empty)."""
    name = clean_text(name, label, required, 64)
    if name and name not in _zones():
        raise Invalid(f"{label} {name!r} is not an IANA time zone (e.g. Europe/London).")
    return name


def restored(rows, job) -> list[dict]:
    """An application's imported interviews, checked as scheduling checks them (but for
    the start in the past: they may be history), with every Interview field but the
    application."""
    seen = set()
    interviews = []
    for row in rows:
        uid = clean_text(row.get("uid"), "Interview uid", True, 255)
        if uid in seen:
            raise Invalid(f"The interview {uid} appears twice.")
        seen.add(uid)
        stage = row.get("stage")
        if stage is not None and stage.job_id != job.id:
            raise Invalid(f"Stage {stage.name!r} is not part of job {job.ref}.")
        starts, ends = row.get("starts"), row.get("ends")
        if not starts or not ends or ends <= starts:
            raise Invalid(f"The interview {uid} must end after it starts.")
        if row.get("format") not in INTERVIEW_FORMATS:
            raise Invalid(f"Interview format must be one of {', '.join(INTERVIEW_FORMATS)}.")
        if not isinstance(row.get("sequence"), int) or row["sequence"] < 0:
            raise Invalid(f"The interview {uid}'s sequence must be a whole number, 0 or more.")
        created = row.get("created") or min(starts, now())  # never arranged in the future
        interviews.append(
            {
                "uid": uid,
                "stage": stage,
                "sequence": row["sequence"],
                "starts": starts,
                "ends": ends,
                "timezone": zone(row.get("timezone")),
                "format": row["format"],
                "place": clean_text(row.get("place"), "Place", limit=500),
                "meeting": clean_text(row.get("meeting"), "Whom they meet", limit=2000),
                "prepare": clean_text(row.get("prepare"), "What to prepare", limit=5000),
                "cancelled": row.get("cancelled"),
                "feedback_asked": row.get("feedback_asked"),
                "created": created,
                "updated": max(filter(None, (created, row.get("cancelled")))),
            }
        )
    return interviews


def check_events(history: list[dict], interviews: list[dict]) -> None:
    """Every event that names an interview names one of the application's."""
    uids = {interview["uid"] for interview in interviews}
    for event in history:
        if event["interview"] is not None and event["interview"] not in uids:
            raise Invalid(
                f"The {event['kind']!r} event names the interview {event['interview']}, "
                "which is not among the application's interviews."
            )


def taken(uids: list[str], chunk: int = 500) -> str | None:
    """One of ``uids`` already in the database, if any."""
    for start in range(0, len(uids), chunk):
        found = Interview.select(Interview.uid).where(
            Interview.uid.in_(uids[start : start + chunk])
        )
        for (uid,) in found.tuples():
            return uid
    return None


def insert(rows: list[dict], chunk: int = 500) -> dict[str, int]:
    """Insert ``rows`` (every Interview field), a batch per statement; their ids by UID."""
    for start in range(0, len(rows), chunk):
        Interview.insert_many(rows[start : start + chunk]).execute()
    ids = {}
    uids = [row["uid"] for row in rows]
    for start in range(0, len(uids), chunk):
        found = Interview.select(Interview.uid, Interview.id).where(
            Interview.uid.in_(uids[start : start + chunk])
        )
        ids.update(found.tuples())
    return ids
