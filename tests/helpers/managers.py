"""A hiring manager's small world for the tests of what managers owe: interviews over
with and without scorecards, a stage left without an interview, the team deciding, a
closure, an interview still to come, and another manager's job; built through the domain
with the clock travelling from Monday 23 November to Tuesday 8 December 2026 09:00."""

from datetime import datetime

from helpers.factories import stage
from helpers.interviews import arrange
from portal import domain
from portal.store.models import Application

#: Where the world leaves the clock: Tuesday 8 December 2026, 09:00 in London (and UTC).
TUESDAY = "2026-12-08 09:00 +0000"


def fresh(application: Application) -> Application:
    """The application as it is stored now."""
    return Application.get_by_id(application.id)


def build(traveller, make_user, make_job, make_application) -> dict:
    """Mo and Pat manage the Designer job, Ola the Operator job; Rita recruits for both.
    Returns every person, job and application by first name, the clock at TUESDAY."""
    rita = make_user("recruiter", name="Rita Reyes", email="rita@example.com")
    mo = make_user("manager", name="Mo Mensah", email="mo@example.com")
    pat = make_user("manager", name="Pat Park", email="pat@example.com")
    ola = make_user("manager", name="Ola Olsen", email="ola@example.com")
    design = make_job(title="Designer", ref="J-DES", recruiter=rita, managers=[mo, pat])
    ops = make_job(title="Operator", ref="J-OPS", recruiter=rita, managers=[ola])

    traveller.move_to("2026-11-23 09:00 +0000")  # fifteen days before: not recent
    otto = make_application(job=design, name="Otto Old", ref="A-OTTO")
    domain.move(rita, otto, stage(design, "Screen"), otto.version)

    traveller.move_to("2026-12-03 09:00 +0000")  # Thursday
    people = {}
    for name, job, ref in [
        ("Ivy Interviewed", design, "A-IVY"),
        ("Lee Left", design, "A-LEE"),
        ("Cy Closed", design, "A-CY"),
        ("Tim Tomorrow", design, "A-TIM"),
        ("Dee Deciding", design, "A-DEE"),
        ("Oda Other", ops, "A-ODA"),
    ]:
        application = make_application(job=job, name=name, ref=ref)
        domain.move(rita, application, stage(job, "Interviews"), application.version)
        people[name.split()[0].lower()] = fresh(application)
    interviews = {
        "ivy": arrange(people["ivy"], rita, starts=datetime(2026, 12, 4, 10)),
        "cy": arrange(people["cy"], rita, starts=datetime(2026, 12, 4, 14)),
        "oda": arrange(people["oda"], rita, starts=datetime(2026, 12, 4, 15)),
        "tim": arrange(people["tim"], rita, starts=datetime(2026, 12, 9, 10)),
    }

    traveller.move_to("2026-12-07 10:00 +0000")  # Monday
    lee = fresh(people["lee"])
    domain.move(rita, lee, stage(design, "Decision"), lee.version)  # no interview arranged
    traveller.move_to("2026-12-07 11:00 +0000")
    dee = fresh(people["dee"])
    domain.mark_deciding(rita, dee, dee.version, "The team is deciding.")
    traveller.move_to("2026-12-07 12:00 +0000")
    cy = fresh(people["cy"])
    # closed by the system: a member of staff would have to give a reason from the list
    domain.close(None, cy, cy.version, "rejected", "Dear Cy, thank you for your time.")
    traveller.move_to("2026-12-07 13:00 +0000")
    domain.submit_feedback(pat, fresh(lee), stage(design, "Interviews"), 3, "yes")

    traveller.move_to(TUESDAY)
    return {
        **{name: fresh(application) for name, application in people.items()},
        "otto": fresh(otto),
        "interviews": interviews,
        "rita": rita,
        "mo": mo,
        "pat": pat,
        "ola": ola,
        "design": design,
        "ops": ops,
    }
