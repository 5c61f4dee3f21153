"""What checking before sending costs: a move carried out and committed (its email
queued and written to the outbox) against the same move rehearsed and rolled back, with
the email and the candidate's page rendered (portal/candidates/rehearsal.py), in one
process on the same data.

    .venv/bin/python bench/sending.py                  # SQLite in a temporary folder
    .venv/bin/python bench/sending.py --database postgresql://postgres@127.0.0.1:5432/bench

The PostgreSQL database must exist and be a throwaway one: the bench creates its tables.

Prints operations per second for both and their ratio, for an application with a short
and a long history (the rehearsal renders the page, whose cost grows with it).
"""

import argparse
import tempfile
import time
from pathlib import Path

from portal import create_app
from portal import domain
from portal.candidates import rehearsal
from portal.store import db
from portal.store import schema
from portal.store.models import Stage
from portal.store.models import User

SECRET = "bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9Uo"
ROUNDS = 300


def application_with(history: int):
    recruiter = User.create(
        email=f"bench{time.time_ns()}@example.com", name="Rae", role="recruiter", password_hash="-"
    )
    job = domain.save_job(None, title="Platform Engineer", recruiter=recruiter)
    application = domain.add_application(None, job, "Ada Lovelace", f"a{time.time_ns()}@ex.org")
    for n in range(history):
        domain.post_update(None, application, application.version, f"Update {n}.", tell=False)
    return application, list(job.stages.order_by(Stage.position))[1:3]


def rate(work, rounds: int = ROUNDS) -> float:
    start = time.perf_counter()
    for n in range(rounds):
        work(n)
    return rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite in /tmp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "MAIL_URL": "outbox"})
        app.instance_path = folder
        with app.app_context():
            schema.create_schema()
            with db.database.connection_context():
                for history in (2, 50):
                    application, (one, two) = application_with(history)

                    def move(n, application=application, one=one, two=two):
                        stage = two if n % 2 else one
                        domain.move(None, application, stage, application.version, "Moved.")

                    def rehearse(n, application=application, one=one, two=two):
                        stage = two if n % 2 else one
                        rehearsal.rehearse(
                            lambda: domain.move(
                                None, application, stage, application.version, "Moved."
                            ),
                            [application.id],
                        )
                        application.version -= 1  # the rollback undid the bump

                    committed, rehearsed = rate(move), rate(rehearse)
                    print(
                        f"history {history:3d}: move committed {committed:7.1f}/s, "
                        f"rehearsed with page {rehearsed:7.1f}/s, "
                        f"rehearsal/commit time {committed / rehearsed:4.2f}×"
                    )


if __name__ == "__main__":
    main()
