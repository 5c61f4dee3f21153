"""Export everything as the import's JSON document, streamed so 100,000 applications
never sit in memory at once."""

import json
from collections import defaultdict
from datetime import datetime
from typing import TextIO

from portal.interchange import reasons
from portal.store.models import Application
from portal.store.models import Candidate
from portal.store.models import Criterion
from portal.store.models import Event
from portal.store.models import Feedback
from portal.store.models import Interview
from portal.store.models import Job
from portal.store.models import JobManager
from portal.store.models import Rating
from portal.store.models import Stage
from portal.store.models import User

#: Applications loaded per query, with their interviews, events and feedback in three more.
CHUNK = 1000


def iso(moment: datetime | None) -> str | None:
    """A stored (UTC, naive) time as ISO 8601 with a Z, to the second."""
    return moment and moment.replace(microsecond=0).isoformat() + "Z"


def export(out: TextIO) -> dict[str, int]:
    """Write every user, job and application to ``out``; return how many of each."""
    emails = dict(User.select(User.id, User.email).tuples())
    stages = {s.id: s for s in Stage.select().order_by(Stage.position)}
    counts = {}
    sections = {
        "users": _users(),
        "jobs": _jobs(emails, stages),
        "applications": _applications(emails, stages),
        "closure_reasons": reasons.exported(),
    }
    out.write("{")
    for number, (name, records) in enumerate(sections.items()):
        out.write(("," if number else "") + f"\n  {json.dumps(name)}: [")
        counts[name] = 0
        for record in records:
            # Exactly what json.dumps(document, indent=2) writes, one record at a time.
            text = json.dumps(record, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            out.write(("," if counts[name] else "") + "\n    " + text)
            counts[name] += 1
        out.write("\n  ]" if counts[name] else "]")
    out.write("\n}\n")
    return counts


def _users():
    """Every member of staff, by email; never a password hash."""
    for user in User.select().order_by(User.email):
        yield {"email": user.email, "name": user.name, "role": user.role, "active": user.active}


def _jobs(emails: dict, stages: dict):
    """Every job by ref, with its managers and ordered pipeline."""
    managers = defaultdict(list)
    for job_id, user_id in JobManager.select(JobManager.job, JobManager.user).tuples():
        managers[job_id].append(emails[user_id])
    pipelines = defaultdict(list)
    for stage in stages.values():
        pipelines[stage.job_id].append(stage)
    kits = _kits(stages)
    for job in Job.select().order_by(Job.ref):
        yield {
            "ref": job.ref,
            "title": job.title,
            "team": job.team,
            "location": job.location,
            "open": job.open,
            "stale_days": job.stale_days,
            "recruiter": emails[job.recruiter_id],
            "managers": sorted(managers[job.id]),
            "stages": [
                {
                    "name": s.name,
                    "candidate_label": s.candidate_label,
                    "description": s.description,
                    "next_steps": s.next_steps,
                    "follow_up_days": s.follow_up_days,
                    "interview": s.interview,
                }
                for s in pipelines[job.id]
            ],
            "kit": kits[job.id],
        }


def _kits(stages: dict) -> dict[int, list[dict]]:
    """Every job's interview kits, criteria in order: the job's own, then each stage's."""

    def place(c: Criterion) -> tuple:
        """Where a criterion comes: by its stage's place (the job's own kit first), then its own."""
        stage = stages[c.stage_id] if c.stage_id else None
        return (stage.position, stage.id) if stage else (-1, 0), c.position, c.id

    kits = defaultdict(list)
    for c in sorted(Criterion.select(), key=place):
        stage = stages[c.stage_id].name if c.stage_id else None
        kits[c.job_id].append({"stage": stage, "name": c.name, "guidance": c.guidance})
    return kits


def _applications(emails: dict, stages: dict):
    """Every application by ref, a chunk at a time with its interviews, events and
    feedback."""
    refs = dict(Job.select(Job.id, Job.ref).tuples())
    codes = reasons.codes()
    last = None
    while True:
        query = (
            Application.select(Application, Candidate)
            .join(Candidate)
            .order_by(Application.ref)
            .limit(CHUNK)
        )
        rows = list(query if last is None else query.where(Application.ref > last))
        if not rows:
            return
        ids = [row.id for row in rows]
        interviews, uids = defaultdict(list), {}
        for interview in (
            Interview.select()
            .where(Interview.application.in_(ids))
            .order_by(Interview.created, Interview.id)
        ):
            interviews[interview.application_id].append(_interview(interview, stages))
            uids[interview.id] = interview.uid
        events = defaultdict(list)
        for event in (
            Event.select().where(Event.application.in_(ids)).order_by(Event.created, Event.id)
        ):
            events[event.application_id].append(_event(event, emails, stages, uids))
        feedback = defaultdict(list)
        cards = list(
            Feedback.select()
            .where(Feedback.application.in_(ids))
            .order_by(Feedback.created, Feedback.id)
        )
        ratings = _ratings([card.id for card in cards])
        for card in cards:
            item = _feedback(card, emails, stages)
            item.update({"edited": iso(card.edited), "ratings": ratings[card.id]})
            feedback[card.application_id].append(item)
        for row in rows:
            yield {
                "ref": row.ref,
                "job": refs[row.job_id],
                "candidate": {"name": row.candidate.name, "email": row.candidate.email},
                "stage": stages[row.stage_id].name,
                "status": row.status,
                "created": iso(row.created),
                "reply_by": row.reply_by and row.reply_by.isoformat(),
                "next_steps": row.next_steps,
                "closure_note": row.closure_note,
                "closed_reason": row.closed_reason,
                "closure_reason": codes.get(row.closure_reason_id),
                "closed": iso(row.closed),
                "timezone": row.timezone,
                "interviews": interviews[row.id],
                "events": events[row.id],
                "feedback": feedback[row.id],
            }
        last = rows[-1].ref


def _ratings(ids: list[int]) -> dict[int, list[dict]]:
    """The criteria ratings of these scorecards, by scorecard, as they were given."""
    ratings = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        query = (
            Rating.select()
            .where(Rating.feedback.in_(ids[start : start + CHUNK]))
            .order_by(Rating.feedback, Rating.id)
        )
        for r in query:
            ratings[r.feedback_id].append({"name": r.name, "score": r.score, "note": r.note})
    return ratings


def _interview(interview: Interview, stages: dict) -> dict:
    """One interview, by its calendar UID, as the candidate was told it."""
    return {
        "uid": interview.uid,
        "stage": stages[interview.stage_id].name if interview.stage_id else None,
        "sequence": interview.sequence,
        "starts": iso(interview.starts),
        "ends": iso(interview.ends),
        "timezone": interview.timezone,
        "format": interview.format,
        "place": interview.place,
        "meeting": interview.meeting,
        "prepare": interview.prepare,
        "cancelled": iso(interview.cancelled),
        "feedback_asked": iso(interview.feedback_asked),
        "created": iso(interview.created),
    }


def _event(event: Event, emails: dict, stages: dict, uids: dict) -> dict:
    """One history entry; fields left at their default are left out."""
    item = {"at": iso(event.created), "kind": event.kind}
    if event.actor_id:
        item["actor"] = emails[event.actor_id]
    item["visible"] = event.visible
    if event.message:
        item["message"] = event.message
    if event.next_steps:
        item["next_steps"] = event.next_steps
    if event.reply_by:
        item["reply_by"] = event.reply_by.isoformat()
    if event.from_stage_id:
        item["from_stage"] = stages[event.from_stage_id].name
    if event.to_stage_id:
        item["to_stage"] = stages[event.to_stage_id].name
    if event.interview_id:
        item["interview"] = uids[event.interview_id]
    if event.via:
        item["via"] = event.via
    return item


def _feedback(card: Feedback, emails: dict, stages: dict) -> dict:
    """One scorecard; the share flags only when set."""
    item = {
        "at": iso(card.created),
        "author": emails[card.author_id],
        "stage": stages[card.stage_id].name,
        "rating": card.rating,
        "recommendation": card.recommendation,
        "strengths": card.strengths,
        "concerns": card.concerns,
    }
    for flag in ("share_strengths", "share_concerns"):
        if getattr(card, flag):
            item[flag] = True
    return item
