"""Generate an import document of N applications across ~50 jobs, shaped like a busy
year of hiring: most applications early in the pipeline, a third closed, a history of
a few entries each, feedback on those past the interviews.

    python bench/generate.py 100000 > applications.json
"""

import json
import random
import sys
from datetime import date
from datetime import datetime
from datetime import timedelta

ADMIN = ("bench-admin@example.com", "bench admin password")
FIRST = (
    "Ada Amara Ana Arjun Chloe Daniel Diego Elena Ewan Fatima Freya Grace Hana Hiroshi "
    "Imran Ines Jack Jonas Kofi Lara Leila Lukas Mateo Mei Nadia Oliver Priya Ravi Sofia "
    "Tomasz Yara Yusuf Zainab Marco Ingrid Kwame Lina Pedro Siobhan Samuel"
).split()
LAST = (
    "Nwosu Schmidt Raman Fernandez Kowalski Demir Martin Mensah Rossi Bennett Rahman "
    "Garcia Johansson Patel ElIdrissi OConnor Tan Nowak Haddad Adeyemi Campbell Sato "
    "Petrova Clarke Bello Bianchi Okoro Lindqvist Souza Qureshi Hughes Alves Murphy Mehta "
    "Vogel Boateng Ortega Cohen MacLeod Lovelace"
).split()
TITLES = (
    "Backend Engineer, Frontend Engineer, Data Analyst, Product Designer, Product Manager, "
    "Customer Success Manager, Site Reliability Engineer, Account Executive, Recruiter, "
    "Finance Analyst"
).split(", ")
TEAMS = ("Platform", "Web", "Data", "Design", "Product", "Customer", "Sales", "Finance")
STAGES = ("Applied", "Screen", "Interviews", "Decision", "Offer")
#: Where applications sit: most near the start of the pipeline.
STAGE_WEIGHTS = (40, 25, 20, 10, 5)
OUTCOMES = (("active", 65), ("rejected", 22), ("withdrawn", 8), ("hired", 5))


def iso(moment: datetime) -> str:
    """A naive UTC time as the export writes it."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def generate(count: int, jobs: int = 50, seed: int = 7, today: date | None = None) -> dict:
    """The document: staff, ``jobs`` jobs and ``count`` applications."""
    rng = random.Random(seed)
    today = today or date.today()
    recruiters = [f"recruiter{n}@example.com" for n in range(1, 6)]
    managers = [f"manager{n}@example.com" for n in range(1, 21)]
    users = [{"email": ADMIN[0], "name": "Bench Admin", "role": "admin", "password": ADMIN[1]}]
    users += [{"email": e, "name": f"Recruiter {e[9]}", "role": "recruiter"} for e in recruiters]
    users += [{"email": e, "name": f"Manager {e[7:-12]}", "role": "manager"} for e in managers]
    job_rows = [
        {
            "ref": f"J-{n:03d}",
            "title": f"{TITLES[n % len(TITLES)]} {n // len(TITLES) + 1}",
            "team": TEAMS[n % len(TEAMS)],
            "location": "London" if n % 3 else "Remote",
            "recruiter": recruiters[n % len(recruiters)],
            "managers": [managers[n % 20], managers[(n + 7) % 20]],
        }
        for n in range(1, jobs + 1)
    ]
    applications = [_application(rng, n, job_rows, today) for n in range(count)]
    return {"users": users, "jobs": job_rows, "applications": applications}


def _application(rng: random.Random, n: int, jobs: list, today: date) -> dict:
    """One application with a history that leads to its stage and status."""
    job = jobs[n % len(jobs)]
    status = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    stage = len(STAGES) - 1 if status == "hired" else rng.choices(range(5), STAGE_WEIGHTS)[0]
    start = datetime.combine(today, datetime.min.time()) - timedelta(
        days=rng.randint(25, 365), hours=rng.randint(0, 10), minutes=rng.randint(0, 59)
    )
    recruiter = job["recruiter"]
    events = [{"at": iso(start), "kind": "created", "actor": recruiter, "to_stage": STAGES[0]}]
    moment = start
    for k in range(1, stage + 1):
        moment += timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
        events.append(
            {
                "at": iso(moment),
                "kind": "moved",
                "actor": recruiter,
                "visible": True,
                "message": f"Good news: on to the {STAGES[k].lower()} stage.",
                "from_stage": STAGES[k - 1],
                "to_stage": STAGES[k],
            }
        )
    feedback = []
    if stage > 2:
        author = job["managers"][n % 2]
        at = iso(moment - timedelta(hours=2))
        events.append({"at": at, "kind": "feedback", "actor": author, "to_stage": "Interviews"})
        feedback.append(
            {
                "at": at,
                "author": author,
                "stage": "Interviews",
                "rating": rng.randint(1, 4),
                "recommendation": rng.choice(("strong_no", "no", "yes", "strong_yes")),
                "strengths": "Clear communicator.",
                "concerns": "",
            }
        )
    record = {
        "ref": f"B-{n + 1:06d}",
        "job": job["ref"],
        "candidate": {
            "name": f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}",
            "email": f"candidate{n + 1:06d}@example.org",
        },
        "stage": STAGES[stage],
        "status": status,
        "reply_by": (today + timedelta(days=rng.randint(-10, 10))).isoformat(),
    }
    if status != "active":
        moment += timedelta(days=rng.randint(1, 5))
        record |= {
            "closure_note": "Thank you for your time with us.",
            "closed_reason": "Bench",
            "closed": iso(moment),
        }
        events.append({"at": iso(moment), "kind": "closed", "actor": recruiter, "visible": True})
        events[-1]["message"] = record["closure_note"]
    events.sort(key=lambda e: e["at"])
    return record | {"events": events, "feedback": feedback}


if __name__ == "__main__":
    json.dump(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000), sys.stdout)
