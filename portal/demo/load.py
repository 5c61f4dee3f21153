"""The demo: four jobs and forty applications at every point of a hiring process,
loaded through the import (so through the domain), dated relative to today: every entry
in working hours of a business day of the company's calendar (portal.dates), and every
reply-by date a business day.

Loading it again finds everything in place and changes nothing.
"""

import unicodedata
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from portal import dates
from portal import interchange
from portal.clock import stored
from portal.clock import today
from portal.clock import zone
from portal.demo.data import CANDIDATES
from portal.demo.data import CLOSINGS
from portal.demo.data import CLOSURE_REASONS
from portal.demo.data import FEEDBACK
from portal.demo.data import INTERVIEW
from portal.demo.data import INTERVIEW_OVER
from portal.demo.data import JOBS
from portal.demo.data import MOVE_WORDS
from portal.demo.data import NOTES
from portal.demo.data import PASSWORD
from portal.demo.data import PLANS
from portal.demo.data import QUESTIONS
from portal.demo.data import RATING_NOTES
from portal.demo.data import UPDATE
from portal.demo.data import USERS
from portal.domain.default_reasons import DEFAULT_REASONS
from portal.domain.jobs import StageSpec
from portal.domain.kits import DEFAULT_KIT
from portal.interchange.export import iso
from portal.store.models import first_name


def document() -> dict:
    """The demo as an import document."""
    names = dict((email, name) for email, name, _ in USERS)
    jobs, applications = [], []
    for j, (ref, title, team, location, recruiter, managers, pipeline) in enumerate(JOBS):
        stages = [StageSpec(*stage) for stage in pipeline]
        jobs.append(
            {
                "ref": ref,
                "title": title,
                "team": team,
                "location": location,
                "recruiter": recruiter,
                "managers": managers,
                "stages": [stage._asdict() for stage in stages],
            }
        )
        for n, plan in enumerate(PLANS):
            if n == 7 and j % 2:
                plan = (len(stages) - 1, "hired", None)
            number = j * len(PLANS) + n
            job = {"ref": ref, "title": title, "recruiter": recruiter, "stages": stages}
            job["recruiter_name"], job["managers"] = names[recruiter], managers
            applications.append(_application(job, number, *plan))
    return {
        "users": [{"email": e, "name": n, "role": r, "password": PASSWORD} for e, n, r in USERS],
        "jobs": jobs,
        "applications": applications,
    }


def _application(job: dict, number: int, stage: int, status: str, reply_in) -> dict:
    """One application's state and a believable history leading to it."""
    name = CANDIDATES[number]
    first = first_name(name)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    email = plain.lower().replace("'", "").replace(" ", ".") + "@example.org"
    stages = job["stages"]
    # Older applications went further: a working week per stage, all at least two
    # business days ago. Times are the company's, in working hours.
    first_day = dates.add_business_days(today(), -(4 + 5 * stage + number % 4))
    start = datetime.combine(first_day, time(9))
    moment = start + timedelta(minutes=17 * (number % 7))
    history = [_entry(moment, "created", job["recruiter"], to_stage=stages[0].name)]
    reply_by = _reply_by(reply_in)
    if number % 4 == 1:
        moment += timedelta(hours=3)
        history.append(_entry(moment, "note", job["recruiter"], message=NOTES[number % 4]))
    feedback = []
    for k in range(1, stage + 1):
        moment = datetime.combine(dates.add_business_days(first_day, 5 * k), time(9 + k))
        message, next_steps = MOVE_WORDS.get(stages[k].name) or MOVE_WORDS[min(k, 3)]
        promised = (
            reply_by
            if k == stage
            else dates.add_business_days(moment.date(), stages[k].follow_up_days)
        )
        history.append(
            _entry(
                moment,
                "moved",
                job["recruiter"],
                visible=True,
                message=message.format(first=first),
                next_steps=next_steps,
                reply_by=promised.isoformat() if promised else None,
                from_stage=stages[k - 1].name,
                to_stage=stages[k].name,
            )
        )
        if stages[k - 1].interview:
            card = FEEDBACK[(number + k) % len(FEEDBACK)]
            author = job["managers"][number % len(job["managers"])]
            # The afternoon of the business day before the move it led to.
            at = iso(stored(_later(moment, -1).replace(hour=13 + k)))
            feedback.append(
                dict(zip(("rating", "recommendation", "strengths", "concerns"), card, strict=True))
                | {"at": at, "author": author, "stage": stages[k - 1].name}
                | {"ratings": _ratings(card[0], number + k)}
            )
            history.append(
                {"at": at, "kind": "feedback", "actor": author, "to_stage": stages[k - 1].name}
            )
    if status == "active" and reply_in is not None and reply_in <= 0 and number % 3 == 0:
        moment = _later(moment, 1)
        history.append(
            _entry(
                moment,
                "update",
                job["recruiter"],
                visible=True,
                message=UPDATE.format(first=first),
                reply_by=reply_by.isoformat(),
            )
        )
    after = min(_later(moment, 1), _later(datetime.combine(today(), time(9)), -1))
    if status == "active" and number % 5 == 2:
        history += _conversation(job, number, after)
    interviews = []
    over = number == INTERVIEW_OVER
    if status == "active" and stages[stage].interview and (number % 2 == 0 or over):
        interviews.append(_interview(job, number, stages[stage].name, over))
        # arranged the afternoon before it, or (one to come) on the last business day
        arranged = datetime.combine(dates.add_business_days(today(), -2), time()) if over else after
        history.append(
            _entry(
                arranged.replace(hour=16, minute=5),
                "interview_arranged",
                job["recruiter"],
                visible=True,
                interview=interviews[0]["uid"],
            )
        )
    closure_note = closed_reason = ""
    if status != "active":
        closed_reason, closure_note = CLOSINGS[status]
        closure_note = closure_note.format(
            first=first, job=job["title"], recruiter=job["recruiter_name"]
        )
        moment = _later(moment, 2)
        if status in CLOSURE_REASONS:
            label = next(d.label for d in DEFAULT_REASONS if d.code == CLOSURE_REASONS[status])
            history.append(_entry(moment, "closure_reason", job["recruiter"], message=label))
        history.append(_entry(moment, "reason", job["recruiter"], message=closed_reason))
        history.append(_entry(moment, "closed", job["recruiter"], True, message=closure_note))
    history.sort(key=lambda entry: entry["at"])
    return {
        "ref": f"A-{1001 + number}",
        "job": job["ref"],
        "candidate": {"name": name, "email": email},
        "stage": stages[stage].name,
        "status": status,
        "created": iso(stored(start + timedelta(minutes=17 * (number % 7)))),
        "reply_by": reply_by.isoformat() if reply_by else None,
        "next_steps": MOVE_WORDS.get(stages[stage].name, MOVE_WORDS[min(stage, 3)])[1]
        if stage
        else "",
        "closure_note": closure_note,
        "closed_reason": closed_reason,
        "closure_reason": CLOSURE_REASONS.get(status),
        "closed": iso(stored(moment)) if status != "active" else None,
        "interviews": interviews,
        "events": history,
        "feedback": feedback,
    }


def _ratings(rating: int, seed: int) -> list[dict]:
    """A demo scorecard's criteria (the default kit's) scored around its overall rating,
    one now and then not assessed."""
    ratings = []
    for n, criterion in enumerate(DEFAULT_KIT):
        score = min(4, max(1, rating + (seed + n) % 3 - 1))
        note = RATING_NOTES.get((criterion.name, score), "") if (seed + n) % 2 else ""
        ratings.append(
            {"name": criterion.name, "score": None if (seed + n) % 5 == 4 else score, "note": note}
        )
    return ratings


def _conversation(job: dict, number: int, moment: datetime) -> list[dict]:
    """A question from the candidate's page on ``moment``'s day, and the recruiter's
    answer that afternoon, for every other one asked."""
    question, answer = QUESTIONS[number % len(QUESTIONS)]
    asked = moment.replace(hour=9, minute=40)
    said = [_entry(asked, "question", None, visible=True, message=question, via="page")]
    if answer:
        said.append(
            _entry(asked.replace(hour=15), "answer", job["recruiter"], True, message=answer)
        )
    return said


def _interview(job: dict, number: int, stage: str, over: bool = False) -> dict:
    """An interview at ``stage`` two business days or more from today, in the company's
    zone; ``over``: on the last business day before today, its managers asked for their
    feedback an hour after it ended (as `portal worker` does)."""
    format_, place, meeting, prepare = INTERVIEW
    day = dates.add_business_days(today(), -1 if over else 2 + number % 3)
    starts = datetime.combine(day, time(10 + number % 5))
    ends = starts + timedelta(minutes=45)
    asked = {"feedback_asked": iso(stored(ends + timedelta(hours=1)))} if over else {}
    return {
        "uid": f"demo-{job['ref'].lower()}-{1001 + number}@interviews.example.com",
        "stage": stage,
        "sequence": 0,
        "starts": iso(stored(starts)),
        "ends": iso(stored(ends)),
        "timezone": zone().key,
        "format": format_,
        "place": place,
        "meeting": meeting,
        "prepare": prepare,
        **asked,
    }


def _reply_by(days: int | None) -> date | None:
    """``days`` business days from today; 0 is today, or on a day off the next business
    day (nothing is due on a day off)."""
    if days is None:
        return None
    day = dates.add_business_days(today(), days)
    return day if dates.is_business_day(day) else dates.add_business_days(day, 1)


def _later(moment: datetime, days: int) -> datetime:
    """The same time ``days`` business days later (earlier when negative)."""
    return datetime.combine(dates.add_business_days(moment.date(), days), moment.time())


def _entry(moment: datetime, kind: str, actor: str, visible=False, **fields) -> dict:
    """One history entry at ``moment``, company time."""
    entry = {"at": iso(stored(moment)), "kind": kind, "actor": actor, "visible": visible}
    return entry | {key: value for key, value in fields.items() if value}


def load() -> interchange.Counts:
    """Import the demo; what is already there (by email and ref) is left as it is."""
    return interchange.import_document(document(), "demo")
