"""`portal worker`: queued tasks, mail and the daily schedules, shared safely."""

import signal
import subprocess
import time
from datetime import date
from datetime import datetime
from datetime import timedelta
from email.utils import make_msgid
from zoneinfo import ZoneInfo

import time_machine
from helpers.serving import environment
from helpers.serving import ROOT

from portal import domain
from portal.clock import now
from portal.mail import queue as mail_queue
from portal.store.models import Application
from portal.store.models import DbInfo
from portal.store.models import Mail
from portal.store.models import Task
from portal.worker import schedule
from portal.worker import tasks
from portal.worker.cli import worker_command


def test_once_runs_the_tasks_and_sends_their_mail(app, runner, make_application):
    make_application(email="lost@example.org")
    Mail.delete().execute()
    Task.enqueue("fresh_links", email="lost@example.org")
    result = runner.invoke(worker_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert "tasks 1" in result.output
    [mail] = Mail.select()
    assert (mail.kind, mail.to, mail.sent is not None) == ("link", "lost@example.org", True)
    assert Task.select().count() == 0


def test_a_task_is_run_by_one_worker_only(app, make_application):
    make_application(email="once@example.org")
    Mail.delete().execute()
    task = Task.enqueue("fresh_links", email="once@example.org")
    assert tasks._claim(Task.get_by_id(task.id))
    assert tasks.run_due() == (0, 0)  # held by the first: a second worker skips it
    assert Mail.select().count() == 0


def test_a_claim_lapses_when_its_worker_died(app, make_application):
    make_application(email="late@example.org")
    Mail.delete().execute()
    task = Task.enqueue("fresh_links", email="late@example.org")
    assert tasks._claim(Task.get_by_id(task.id))  # and then the worker was killed
    with time_machine.travel(now() + tasks.LEASE + timedelta(minutes=1)):
        assert tasks.run_due() == (1, 0)
    assert Mail.select().where(Mail.kind == "link").count() == 1


def test_a_failing_task_keeps_its_error_and_does_not_stop_the_rest(app, make_application):
    make_application(email="fine@example.org")
    broken = Task.create(kind="fresh_links", payload='{"unexpected": 1}')
    Task.enqueue("fresh_links", email="fine@example.org")
    assert tasks.run_due() == (1, 1)
    left = Task.get_by_id(broken.id)
    assert left.attempts == 1 and "TypeError" in left.last_error and left.claimed is None
    for _ in range(tasks.MAX_ATTEMPTS):
        tasks.run_due()
    assert Task.get_by_id(broken.id).attempts == tasks.MAX_ATTEMPTS  # given up on


def local(app, hour: int, minute: int = 0) -> datetime:
    """A moment at ``hour:minute`` today in the company's zone, as stored (naive UTC)."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    moment = datetime.now(zone).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def test_the_daily_jobs_run_once_a_day_after_their_time(app, make_application):
    make_application()
    with time_machine.travel(local(app, 1, 0), tick=False):
        assert schedule.run_due() == []  # before both
    with time_machine.travel(local(app, 3, 0), tick=False):
        assert schedule.run_due() == ["purge"]
        assert schedule.run_due() == []  # a second worker, or a restart: not again
    with time_machine.travel(local(app, 9, 0), tick=False):
        assert schedule.run_due() == ["remind"]
        assert DbInfo.get(DbInfo.key == "worker.remind").value == local(app, 9).date().isoformat()
    with time_machine.travel(local(app, 9, 0) + timedelta(days=1), tick=False):
        assert schedule.run_due() == ["remind", "purge"]


def test_sigterm_stops_the_worker_after_its_round(app):
    env = environment(app, PORTAL_WORKER_POLL_SECONDS="0.2")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "portal"), "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = process.stdout.readline()
        assert "polling every 0.2 s" in line, line
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out.strip().endswith("portal worker: stopped")


def test_a_failed_daily_job_runs_again_next_round(app, monkeypatch):
    calls = []

    def broken():
        calls.append("x")
        if len(calls) == 1:
            raise RuntimeError("database went away")

    monkeypatch.setitem(schedule.DAILY, "purge", ("PURGE_AT", broken))
    with time_machine.travel(local(app, 3, 0), tick=False):
        assert schedule.run_due() == []  # failed: logged, not counted as done
        assert schedule.run_due() == ["purge"]
    assert len(calls) == 2


def test_once_carries_out_a_scheduled_closure_whose_day_has_come(app, runner, make_application):
    application = make_application(email="due@example.org")
    with time_machine.travel(datetime(2026, 12, 8, 10, 0), tick=False):
        domain.schedule_close(
            None, application, 1, "rejected", "Dear Ada, not this time.", "", date(2026, 12, 9)
        )
        result = runner.invoke(worker_command, ["--once"])
        assert "scheduled closures" not in result.output  # not yet
    with time_machine.travel(datetime(2026, 12, 9, 9, 30), tick=False):
        result = runner.invoke(worker_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert "scheduled closures 1" in result.output
    assert Application.get_by_id(application.id).status == "rejected"
    closure = Mail.get(Mail.kind == "closure")
    assert closure.to == "due@example.org" and closure.sent is not None


def test_two_workers_share_the_mail_and_a_killed_one_loses_none(app, smtp_server):
    """Two `portal worker` processes send one queue to a real (slow) SMTP server; one is
    killed mid-batch. Every mail arrives, none twice but at most the one the dead worker
    had in hand (sent, not yet marked), and that one goes once its claim has lapsed."""
    ids = {
        Mail.create(
            kind="link", to=f"c{n}@example.org", subject=f"Mail {n}", text="Hello",
            message_id=make_msgid(domain="example.com"),
        ).message_id
        for n in range(30)
    }  # fmt: skip
    smtp_server.delay = 0.05
    env = environment(
        app,
        PORTAL_MAIL_URL=smtp_server.url,
        PORTAL_WORKER_POLL_SECONDS="0.2",
        PORTAL_REMIND_AT="23:59",
        PORTAL_PURGE_AT="23:59",
    )
    command = [str(ROOT / ".venv" / "bin" / "portal"), "worker"]
    workers = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(smtp_server.messages) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        workers[0].kill()  # SIGKILL: no round finished, no claim given back
        while time.monotonic() < deadline:
            left = Mail.select().where(Mail.sent.is_null()).count()
            if left <= 1 and all(
                m.claimed is not None for m in Mail.select().where(Mail.sent.is_null())
            ):
                break
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
    stuck = list(Mail.select().where(Mail.sent.is_null()))
    assert len(stuck) <= 1  # only what the dead worker held
    with time_machine.travel(now() + mail_queue.LEASE + timedelta(minutes=1), tick=False):
        mail_queue.send_pending(wait=True)
    assert Mail.select().where(Mail.sent.is_null()).count() == 0
    delivered = [message["Message-ID"] for message in smtp_server.messages]
    assert set(delivered) == ids  # nothing lost
    assert len(delivered) - len(set(delivered)) <= 1  # and nothing twice but the one in hand
