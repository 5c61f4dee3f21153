"""Promises, who is owed word, closure proposals and bulk actions (portal.followup)."""

from datetime import date

import pytest
import time_machine
from helpers.factories import promise
from helpers.factories import stage

from portal import domain
from portal.errors import Conflict
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.followup import actions
from portal.followup import queries as followup
from portal.store.models import Application
from portal.store.models import Event
from portal.store.models import Stage

# Thursday 26 November 2026, midday in London.
THURSDAY = "2026-11-26 12:00 +0000"


def refs(query):
    return [a.ref for a in query]


# --- promises: reply-by dates in business days ------------------------------------------


@time_machine.travel(THURSDAY, tick=False)
def test_reply_by_defaults_skip_the_weekend(make_application):
    application = make_application()  # "Applied": 5 business days
    assert application.reply_by == date(2026, 12, 3)  # Thursday to Thursday, not Tuesday


@time_machine.travel("2026-12-23 12:00 +0000", tick=False)
def test_reply_by_defaults_skip_christmas_and_the_observed_boxing_day(make_job, make_application):
    job = make_job()
    application = make_application(job=job, stage=stage(job, "Interviews"))  # 3 days
    # 24th (1); 25th Christmas; 26th a Saturday, so Boxing Day is Monday 28th; 29th (2), 30th (3)
    assert application.reply_by == date(2026, 12, 30)


@time_machine.travel("2026-11-27 12:00 +0000", tick=False)
def test_reply_by_defaults_skip_extra_company_holidays(app, make_job, make_application):
    app.config["EXTRA_HOLIDAYS"] = ["2026-11-30"]
    job = make_job()
    application = make_application(job=job, stage=stage(job, "Screen"))  # 3 days from Friday
    assert application.reply_by == date(2026, 12, 3)  # Tue, Wed, Thu: Monday is a holiday


@time_machine.travel("2026-11-26 23:30 +0000", tick=False)
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/London", date(2026, 11, 27)),  # still Thursday: Friday is next
        ("Asia/Tokyo", date(2026, 11, 30)),  # already Friday: Monday is next
    ],
)
def test_reply_by_counts_from_the_company_date(app, make_job, zone, expected):
    app.config["TIMEZONE"] = zone
    job = make_job()
    for row in job.stages:
        row.follow_up_days = 1
        row.save()
    application = domain.add_application(None, job, "Ada Lovelace", "ada@example.org")
    assert application.reply_by == expected


@time_machine.travel("2026-11-30 09:00 +0000", tick=False)
def test_the_queue_includes_what_is_due_within_one_business_day_from_a_friday(make_application):
    # Seen on a Friday, Monday is one business day away: due tomorrow, in the queue.
    friday = date(2026, 11, 27)
    monday = promise(make_application(), date(2026, 11, 30))
    tuesday = promise(make_application(), date(2026, 12, 1))
    wednesday = promise(make_application(), date(2026, 12, 2))
    assert refs(followup.owed_word(friday)) == [monday.ref]
    assert refs(followup.owed_word(date(2026, 11, 30))) == [monday.ref, tuesday.ref]
    assert wednesday.ref not in refs(followup.owed_word(date(2026, 11, 30)))


def test_business_days_before_is_the_inverse_of_counting(app):
    monday = date(2026, 11, 30)
    assert followup.business_days_before(monday, 1) == date(2026, 11, 29)
    for days in range(1, 15):
        threshold = followup.business_days_before(monday, days)
        assert followup.Workdays(threshold, monday).between(threshold, monday) == days


def test_workdays_agree_with_counting_day_by_day(app):
    workdays = followup.Workdays(date(2026, 12, 1), date(2027, 1, 31))
    from portal import dates

    pairs = [(date(2026, 12, 1), date(2027, 1, 31)), (date(2026, 12, 24), date(2027, 1, 4))]
    pairs += [(date(2026, 11, 1), date(2026, 12, 7))]  # partly outside: falls back
    for start, end in pairs:
        assert workdays.between(start, end) == dates.business_days_between(start, end)
    # After the 24th: 29, 30, 31 December and 4 January (Christmas, Boxing Day observed on
    # Monday 28th, New Year's Day and two weekends are skipped).
    assert workdays.between(date(2026, 12, 24), date(2027, 1, 4)) == 4


# --- the queue ----------------------------------------------------------------------


@time_machine.travel("2026-12-09 09:00 +0000", tick=False)  # Wednesday
def test_the_queue_is_most_overdue_first_and_leaves_out_the_rest(make_job, make_application):
    job = make_job()
    late = promise(make_application(job=job), date(2026, 12, 1))
    later = promise(make_application(job=job), date(2026, 11, 20))
    today = promise(make_application(job=job), date(2026, 12, 9))
    tomorrow = promise(make_application(job=job), date(2026, 12, 10))
    promise(make_application(job=job), date(2026, 12, 11))  # two business days away
    no_promise = make_application(job=job)
    Application.update(reply_by=None).where(Application.id == no_promise.id).execute()
    closed = promise(make_application(job=job), date(2026, 11, 2))
    domain.close(None, closed, closed.version, "withdrawn", "")

    queue = list(followup.owed_word())
    assert refs(queue) == [no_promise.ref, later.ref, late.ref, today.ref, tomorrow.ref]
    assert followup.count_owed() == 5
    late_by = followup.lateness(queue)
    assert [late_by[a.id].days for a in queue[1:]] == [13, 6, 0, -1]
    assert [late_by[a.id].words for a in queue[1:3]] == [
        "13 business days overdue",
        "6 business days overdue",
    ]
    assert late_by[later.id].proposed and not late_by[late.id].proposed  # STALE_DAYS 10


@pytest.mark.parametrize(
    ("promised", "day", "words"),
    [
        (date(2026, 12, 11), date(2026, 12, 12), "overdue since Friday 11 December"),  # Saturday
        (date(2026, 12, 11), date(2026, 12, 13), "overdue since Friday 11 December"),  # Sunday
        (date(2026, 12, 24), date(2026, 12, 25), "overdue since Thursday 24 December"),  # Christmas
        (date(2026, 12, 11), date(2026, 12, 14), "1 business day overdue"),
        (date(2026, 12, 11), date(2026, 12, 11), "due today"),
        (date(2026, 12, 14), date(2026, 12, 12), "due next business day"),
    ],
)
def test_a_date_that_has_passed_is_overdue_even_without_a_business_day_since(
    make_application, promised, day, words
):
    with time_machine.travel("2026-12-09 09:00 +0000", tick=False):
        application = promise(make_application(), promised)
    with time_machine.travel(f"{day.isoformat()} 09:00 +0000", tick=False):
        late = followup.lateness([application], day)[application.id]
        assert late.words == words
        assert (application in list(followup.overdue(day))) == words.startswith(("overdue", "1 "))


@time_machine.travel("2026-12-09 09:00 +0000", tick=False)
def test_the_queue_filters_by_job_and_by_recruiter(make_user, make_job, make_application):
    rita, sam = make_user("recruiter"), make_user("recruiter")
    design, ops = make_job(recruiter=rita), make_job(recruiter=rita)
    support = make_job(recruiter=sam)
    a = promise(make_application(job=design), date(2026, 12, 1))
    b = promise(make_application(job=ops), date(2026, 11, 30))
    c = promise(make_application(job=support), date(2026, 11, 25))
    assert refs(followup.owed_word(job_id=design.id)) == [a.ref]
    assert refs(followup.owed_word(recruiter_id=rita.id)) == [b.ref, a.ref]
    assert refs(followup.owed_word(recruiter_id=sam.id)) == [c.ref]
    assert refs(followup.owed_word(job_id=design.id, recruiter_id=sam.id)) == []
    assert followup.count_owed(recruiter_id=rita.id) == 2


@time_machine.travel("2026-12-09 09:00 +0000", tick=False)
def test_proposals_use_the_job_limit_before_the_global_one(app, make_job, make_application):
    strict = make_job(stale_days=3)
    lenient = make_job()  # STALE_DAYS, 10
    # 2 Dec is 5 business days before 9 Dec; 20 Nov is 13.
    quiet = promise(make_application(job=strict), date(2026, 12, 2))
    fresh = promise(make_application(job=strict), date(2026, 12, 7))  # 2 days
    waiting = promise(make_application(job=lenient), date(2026, 12, 2))
    forgotten = promise(make_application(job=lenient), date(2026, 11, 20))
    assert refs(followup.proposals()) == [forgotten.ref, quiet.ref]
    assert fresh.ref not in refs(followup.proposals()) and waiting.ref not in refs(
        followup.proposals()
    )
    app.config["STALE_DAYS"] = 4
    assert refs(followup.proposals()) == [forgotten.ref, quiet.ref, waiting.ref]
    assert refs(followup.proposals(job_id=strict.id)) == [quiet.ref]


@time_machine.travel("2026-12-09 09:00 +0000", tick=False)
def test_automatic_closure_is_off_by_default_and_needs_a_longer_limit(app, make_application):
    forgotten = promise(make_application(), date(2026, 11, 2))  # 27 business days
    quiet = promise(make_application(), date(2026, 11, 20))  # 13
    assert followup.auto_close_due() == []
    app.config["AUTO_CLOSE_DAYS"] = 20
    assert [a.ref for a in followup.auto_close_due()] == [forgotten.ref]
    assert quiet.ref not in [a.ref for a in followup.auto_close_due()]
    app.config["AUTO_CLOSE_DAYS"] = 5
    with pytest.raises(Invalid, match="longer than STALE_DAYS"):
        followup.auto_close_due()


# --- words for the candidate ------------------------------------------------------------


@time_machine.travel(THURSDAY, tick=False)
def test_the_holding_update_promises_a_date_in_words(make_user, make_job, make_application):
    job = make_job(title="Data Engineer", recruiter=make_user("recruiter", name="Rita Reyes"))
    application = make_application(job=job, name="Grace Hopper", stage=stage(job, "Interviews"))
    text, reply_by = actions.holding_update(application)
    assert reply_by == date(2026, 12, 1)  # 3 business days from Thursday
    assert text.startswith("Hello Grace,")
    assert "no decision yet" in text and "Data Engineer" in text
    assert "You will hear from us by Tuesday 1 December." in text
    assert text.rstrip().endswith("Rita Reyes")
    assert "Interviews" not in text  # the internal stage name never reaches a candidate


def test_fill_leaves_unknown_placeholders_alone(make_application):
    application = make_application(name="Grace Hopper")
    assert actions.fill("Dear {first_name}, {unknown}", application) == "Dear Grace, {unknown}"


# --- bulk actions -----------------------------------------------------------------------


def test_close_many_closes_each_with_its_own_filled_note(make_job, make_application):
    job = make_job(title="Designer")
    ada = make_application(job=job, name="Ada Lovelace")
    grace = make_application(job=job, name="Grace Hopper")
    items = actions.chosen([(ada.id, ada.version), (grace.id, grace.version)])
    assert actions.close_many(None, items, "rejected", "Dear {first_name}, thank you.") == 2
    closed = {a.ref: a for a in Application.select()}
    assert closed[ada.ref].status == closed[grace.ref].status == "rejected"
    assert closed[ada.ref].closure_note == "Dear Ada, thank you."
    assert closed[grace.ref].closure_note == "Dear Grace, thank you."


def test_close_many_is_one_transaction(make_job, make_application):
    job = make_job()
    first, second, third = (make_application(job=job) for _ in range(3))
    domain.add_note(None, second, "bumps nothing")  # a note does not change the version
    stale = Application.get_by_id(second.id)
    domain.post_update(None, stale, stale.version, "Someone else spoke first")
    events_before = Event.select().count()
    items = actions.chosen(
        [(first.id, first.version), (second.id, second.version), (third.id, third.version)]
    )
    with pytest.raises(Conflict):
        actions.close_many(None, items, "rejected", "Dear {first_name}, thank you.")
    assert [a.status for a in Application.select().order_by(Application.id)] == ["active"] * 3
    assert Event.select().count() == events_before  # the first closure was rolled back too


def test_close_many_as_rejected_needs_a_note(make_application):
    application = make_application()
    items = actions.chosen([(application.id, application.version)])
    with pytest.raises(Invalid, match="Closure note is required"):
        actions.close_many(None, items, "rejected", "  ")
    assert Application.get_by_id(application.id).status == "active"


def test_chosen_refuses_nothing_and_missing_applications(make_application):
    with pytest.raises(Invalid):
        actions.chosen([])
    application = make_application()
    with pytest.raises(Exception, match="no longer exists"):
        actions.chosen([(application.id, 1), (application.id + 999, 1)])


def test_move_many_moves_across_jobs_by_stage_name(make_job, make_application):
    design, ops = make_job(), make_job()
    a, b = make_application(job=design), make_application(job=ops)
    items = actions.chosen([(a.id, a.version), (b.id, b.version)])
    assert actions.move_many(None, items, "Screen", "Hello {first_name}") == 2
    moved = list(Application.select(Application, Stage).join(Stage).order_by(Application.id))
    assert [(m.stage.name, m.stage.job_id) for m in moved] == [
        ("Screen", design.id),
        ("Screen", ops.id),
    ]
    assert Event.get((Event.application == a.id) & (Event.kind == "moved")).message == "Hello Ada"


def test_move_many_changes_nothing_when_one_job_lacks_the_stage(make_job, make_application):
    design, ops = make_job(), make_job()
    domain.set_stages(None, ops, [{"name": "Applied"}, {"name": "Chat"}])
    a, b = make_application(job=design), make_application(job=ops)
    items = actions.chosen([(a.id, a.version), (b.id, b.version)])
    with pytest.raises(Invalid, match="no stage named 'Screen'"):
        actions.move_many(None, items, "Screen")
    assert [x.stage.name for x in Application.select()] == ["Applied", "Applied"]
    assert not Event.select().where(Event.kind == "moved").exists()


def test_stage_names_in_pipeline_order(make_job):
    design, ops = make_job(), make_job()
    domain.set_stages(None, ops, [{"name": "Applied"}, {"name": "Chat"}])
    assert actions.stage_names([ops.id]) == ["Applied", "Chat"]
    assert actions.stage_names([design.id, ops.id])[:3] == ["Applied", "Chat", "Screen"]


# --- shareable feedback -----------------------------------------------------------------


def test_only_the_author_shares_parts_of_feedback(make_user, make_job, make_application):
    mo, other = make_user("manager"), make_user("manager")
    job = make_job(managers=[mo, other])
    application = make_application(job=job)
    feedback = domain.submit_feedback(
        mo, application, application.stage, 3, "yes", "Clear thinker", "Rusty SQL"
    )
    assert actions.shareable(application) == []
    with pytest.raises(Forbidden):
        domain.share_feedback(other, feedback, True, True)
    domain.share_feedback(mo, feedback, True, False)
    assert actions.shareable(application) == [
        actions.Shared(f"{feedback.id}-strengths", mo.name, "strengths", "Clear thinker")
    ]
    shared = Event.get(Event.kind == "feedback_shared")
    assert not shared.visible and shared.message == "strengths"


@time_machine.travel("2026-12-09 09:00 +0000", tick=False)
def test_queue_pages_run_on_from_the_unpromised_to_the_most_overdue(make_job, make_application):
    job = make_job()
    unpromised = [make_application(job=job) for _ in range(3)]
    Application.update(reply_by=None).where(
        Application.id.in_([a.id for a in unpromised])
    ).execute()
    dated = [
        promise(make_application(job=job), day)
        for day in (date(2026, 12, 3), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 9))
    ]
    expected = [a.ref for a in unpromised] + [dated[i].ref for i in (1, 2, 0, 3)]
    day = date(2026, 12, 9)
    pages = [refs(followup.owed_page(day, number=n, size=2)) for n in range(1, 5)]
    assert pages == [expected[0:2], expected[2:4], expected[4:6], expected[6:]]
    assert refs(followup.owed_word(day)) == expected
    assert refs(followup.owed_page(day, number=5, size=2)) == []
