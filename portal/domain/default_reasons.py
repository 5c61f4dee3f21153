"""The closure reasons a company starts with (portal.domain.reasons seeds them): the
usual reasons to reject or to record a withdrawal, each with the words a candidate may
be told and what they could do next, or none for a reason that is never told."""

from typing import NamedTuple

#: The reason the candidate's own withdrawal (on their page) is counted under: never
#: offered to staff, never told (the candidate knows; their own words stay internal).
OWN_WITHDRAWAL = "withdrew_on_page"

#: The reason the reminder's automatic closure is counted under (``AUTO_CLOSE_DAYS``):
#: never offered to staff, never told (the note says it in the company's own words).
AUTO_CLOSED = "closed_automatically"

#: The reasons only the system sets, with when it does, for the reasons page.
SYSTEM_REASONS = {
    OWN_WITHDRAWAL: "set when a candidate withdraws on their page",
    AUTO_CLOSED: "set when the reminder closes an application nobody gave word on for too long",
}


class Default(NamedTuple):
    """One reason of the list a company starts with."""

    code: str
    label: str
    status: str
    tellable: bool
    candidate_text: str = ""
    next_steps: str = ""


DEFAULT_REASONS = (
    Default(
        "more_experienced",
        "More experienced candidates",
        "rejected",
        True,
        "We chose to continue with candidates whose experience matched the role more closely.",
        "What would make a strong case next time: more time in a similar role, or a project "
        "you led from start to finish that you can tell us about.",
    ),
    Default(
        "skills_gap",
        "Skills gap in the role's core skills",
        "rejected",
        True,
        "Your application did not yet show all of the skills this role needs day to day.",
        "What to build before applying again: the skills the role's description lists "
        "first, shown through an example of your own work.",
    ),
    Default(
        "role_filled",
        "Role filled",
        "rejected",
        True,
        "We have offered the role to another candidate.",
        "We would be glad to hear from you for future roles: our careers page lists every "
        "open one.",
    ),
    Default(
        "role_closed",
        "Role closed or on hold",
        "rejected",
        True,
        "The role is no longer open: the team has closed it or put it on hold.",
        "If it opens again we would be glad to hear from you, and our careers page lists "
        "every open role.",
    ),
    Default(
        "not_eligible",
        "Not eligible to work here",
        "rejected",
        True,
        "The role needs the right to work in the country where it is based, which we could "
        "not confirm from your application.",
        "If your right to work changes, you are welcome to apply again.",
    ),
    Default("conduct_references", "Conduct or references", "rejected", False),
    Default("salary_expectations", "Salary expectations too far apart", "rejected", False),
    Default(
        "other_offer",
        "Took another offer",
        "withdrawn",
        True,
        "Congratulations on your new role.",
    ),
    Default(
        "not_right_time",
        "Not the right time for them",
        "withdrawn",
        True,
        "We understand that now is not the right time.",
        "When the time is right, we would be glad to hear from you again.",
    ),
    Default(
        "no_reply",
        "Candidate did not reply",
        "withdrawn",
        True,
        "As we have not heard back from you, we have closed your application for now.",
        "If you are still interested, reply to this email and we will pick it up again.",
    ),
    Default(OWN_WITHDRAWAL, "Withdrew on their page", "withdrawn", False),
    Default(AUTO_CLOSED, "Closed automatically: no word for too long", "rejected", False),
)
