"""The words of the demo: staff, jobs with their pipelines, candidates, and what people wrote."""

#: Every demo account signs in with this password; `portal demo` prints it.
PASSWORD = "demo-password"

USERS = (
    ("admin@example.com", "Sam Okafor", "admin"),
    ("recruiter@example.com", "Rita Alvarez", "recruiter"),
    ("recruiter2@example.com", "Tom Becker", "recruiter"),
    ("manager@example.com", "Mei Chen", "manager"),
    ("manager2@example.com", "Jonas Berg", "manager"),
)

APPLIED = (
    "Applied",
    "Application received",
    "We read every application ourselves, usually within a week. If your experience "
    "fits the role, we will invite you to a short call.",
    5,
    False,
)
OFFER = (
    "Offer",
    "Offer",
    "We talk the offer through with you on a call and send it in writing. Take the time "
    "you need to decide; we are happy to answer every question.",
    5,
    False,
)


def _screen(recruiter: str) -> tuple:
    return (
        "Screen",
        "Introductory call",
        f"A 30-minute video call with {recruiter}, your recruiter: the role, the team and "
        "what you are looking for. No preparation needed.",
        3,
        False,
    )


#: ref, title, team, location, recruiter, managers, stages
#: (name, candidate label, what to expect, follow-up days, interview).
JOBS = (
    (
        "J-BACKEND",
        "Backend Engineer",
        "Platform",
        "London or remote (UK)",
        "recruiter@example.com",
        ["manager@example.com"],
        (
            APPLIED,
            _screen("Rita"),
            (
                "Pairing",
                "Technical interview",
                "A 90-minute pairing session with two engineers on a small, realistic "
                "problem, in the language of your choice. We care how you think, not "
                "whether you finish.",
                3,
                True,
            ),
            (
                "Team",
                "Meet the team",
                "Two 45-minute conversations: one with Mei, the engineering manager, about "
                "how you like to work; one with a product manager about working together.",
                3,
                True,
            ),
            (
                "Decision",
                "Decision",
                "The interviewers compare notes and we decide, usually within three "
                "working days. We will tell you either way, with feedback if you want it.",
                3,
                False,
            ),
            OFFER,
        ),
    ),
    (
        "J-DESIGN",
        "Product Designer",
        "Design",
        "Manchester (hybrid, two days in the studio)",
        "recruiter2@example.com",
        ["manager2@example.com"],
        (
            APPLIED,
            (
                "Portfolio",
                "Portfolio conversation",
                "A 45-minute video call with Jonas, our head of design: walk us through "
                "one or two projects you are proud of, including what did not work.",
                3,
                True,
            ),
            (
                "Exercise",
                "Design exercise",
                "A short paid exercise (about three hours, whenever suits you), then a "
                "one-hour review with two designers. We send the brief by email.",
                5,
                True,
            ),
            (
                "Final",
                "Final conversation",
                "Meet the product lead and a developer you would work with. Bring your "
                "questions about us: this conversation is as much yours as ours.",
                3,
                True,
            ),
            OFFER,
        ),
    ),
    (
        "J-SUCCESS",
        "Customer Success Manager",
        "Customer",
        "Remote (UK)",
        "recruiter@example.com",
        ["manager2@example.com"],
        (
            APPLIED,
            _screen("Rita"),
            (
                "Role play",
                "Customer conversation",
                "A 45-minute role play of a real customer call, with the team lead as the "
                "customer. We send you the brief two days before.",
                3,
                True,
            ),
            (
                "Final",
                "Final interview",
                "An hour with the head of customer success and one of the account "
                "managers you would work alongside.",
                3,
                True,
            ),
            OFFER,
        ),
    ),
    (
        "J-DATA",
        "Data Analyst",
        "Finance",
        "London (King's Cross)",
        "recruiter2@example.com",
        ["manager@example.com", "manager2@example.com"],
        (
            APPLIED,
            _screen("Tom"),
            (
                "Case study",
                "Case study",
                "A small data set and three questions. Spend no more than three hours on "
                "it, and send it back within a week; we will discuss it with you.",
                5,
                False,
            ),
            (
                "Interviews",
                "Interviews",
                "Two one-hour conversations: your case study with two analysts, then the "
                "finance director on the team and the role.",
                3,
                True,
            ),
            OFFER,
        ),
    ),
)

CANDIDATES = (
    "Amara Nwosu", "Lukas Schmidt", "Priya Raman", "Diego Fernández", "Hannah Kowalski",
    "Yusuf Demir", "Chloé Martin", "Kwame Mensah", "Sofia Rossi", "Oliver Bennett",
    "Aisha Rahman", "Mateo García", "Ingrid Johansson", "Ravi Patel", "Fatima Zahra El Idrissi",
    "Jack O'Connor", "Mei Ling Tan", "Tomasz Nowak", "Leila Haddad", "Samuel Adeyemi",
    "Freya Campbell", "Hiroshi Sato", "Nadia Petrova", "Ethan Clarke", "Zainab Bello",
    "Marco Bianchi", "Grace Okoro", "Jonas Lindqvist", "Ana Souza", "Imran Qureshi",
    "Eleanor Hughes", "Pedro Alves", "Siobhán Murphy", "Arjun Mehta", "Lina Vogel",
    "Kofi Boateng", "Isabel Ortega", "Daniel Cohen", "Yara Haddad", "Ewan MacLeod",
)  # fmt: skip

#: What the recruiter tells a candidate on moving them on: by the step they reach
#: (1 for the first move, 2, 3 and later), or by the stage's name.
MOVE_WORDS = {
    1: (
        "Thank you for applying, {first}. We enjoyed reading about your work and would "
        "like to talk.",
        "Pick a time for the call with the scheduling link in your email.",
    ),
    2: (
        "Thanks for a great conversation, {first}. We would like you to take the next step.",
        "Your recruiter will send the details and the names of the people you will meet.",
    ),
    3: (
        "The team enjoyed meeting you, {first}. One more step before we decide.",
        "Look out for an invitation with two or three times to choose from.",
    ),
    "Decision": (
        "Thank you for the time you gave us, {first}. The interviewers are comparing notes now.",
        "Nothing to do on your side: we will call you either way.",
    ),
    "Offer": (
        "Good news, {first}: we would like to make you an offer.",
        "Your recruiter will call you to talk it through.",
    ),
}

UPDATE = (
    "A quick update, {first}: the team is still finishing interviews for this role this "
    "week. You have not been forgotten, and you will hear from us by the date below."
)

NOTES = (
    "Salary expectation at the top of the band; flagged to the hiring manager.",
    "Referred by a current team member. Available from the start of next month.",
    "Asked whether the role can be four days a week: checking with the manager.",
    "Strong open-source work; worth asking about it in the next conversation.",
)

#: rating, recommendation, strengths, concerns
FEEDBACK = (
    (4, "strong_yes", "Clear thinking out loud, asked the right questions early.", ""),
    (3, "yes", "Solid fundamentals and a calm, collaborative style.", "Little depth on testing."),
    (2, "no", "Friendly and curious.", "Struggled to structure the problem; needed many hints."),
    (3, "yes", "Good examples of working with difficult stakeholders.", "Limited SQL so far."),
)

#: (criterion of the default kit, score): an interviewer's note on it.
RATING_NOTES = {
    ("Role knowledge", 4): "Went deep on the trade-offs without being asked.",
    ("Role knowledge", 2): "Knows the tools; thin on why one over another.",
    ("Problem solving", 3): "Broke the case down well; checked the answer at the end.",
    ("Problem solving", 1): "Jumped to a solution before understanding the problem.",
    ("Communication", 4): "Explained a complex project simply, and listened.",
    ("Communication", 2): "Long answers; hard to follow at times.",
    ("Collaboration", 3): "Gave credit to the team in every example.",
}

#: status: the code of the company's closure reason it closed for (portal.domain.reasons)
CLOSURE_REASONS = {"rejected": "more_experienced", "withdrawn": "other_offer"}

#: status: (internal reason, candidate-facing closure note)
CLOSINGS = {
    "rejected": (
        "Other candidates were further along with the core skills for this role.",
        "Dear {first},\n\nThank you for the time and thought you gave to your application "
        "for the {job} role, and for the conversations with the team. We have decided not "
        "to continue with your application: it was a close call, and it says nothing about "
        "your worth. If you would like feedback, reply to this message and {recruiter} will "
        "arrange a short call.\n\nWith best wishes,\n{recruiter}",
    ),
    "withdrawn": (
        "Accepted another offer.",
        "Dear {first},\n\nThank you for letting us know, and congratulations on your new "
        "role. We have closed your application for the {job} role. Our door stays open.\n\n"
        "{recruiter}",
    ),
    "hired": (
        "Accepted the offer.",
        "Dear {first},\n\nWelcome aboard! We are delighted that you accepted our offer for "
        "the {job} role. {recruiter} will be in touch about your first day.",
    ),
}

#: One plan per application of a job: (stage index, status, reply-by in business days
#: from today: negative is overdue, 0 is due today).
PLANS = (
    (0, "active", 3),
    (0, "active", -2),
    (1, "active", 0),
    (1, "active", 2),
    (2, "active", -1),
    (2, "active", 4),
    (3, "active", 0),
    (4, "active", 5),
    (2, "rejected", None),
    (1, "withdrawn", None),
)

#: The application (by its number: A-1006, a Backend Engineer at the Pairing stage) whose
#: interview ended on the last business day, with no scorecard yet: what its manager's
#: home shows as owed, and as waiting for a decision. Every other interview is to come.
INTERVIEW_OVER = 5

#: What demo candidates ask, and (when answered) what the recruiter said.
QUESTIONS = (
    ("Could you tell me roughly when I will hear about the next step?", None),
    (
        "Is there anything I should prepare for the interview?",
        "Good question! Bring one piece of work you are proud of; we will ask you to walk "
        "us through it. Nothing else to prepare.",
    ),
    ("Would it be possible to move my interview to a morning? I work afternoons.", None),
    (
        "Is the role open to people working four days a week?",
        "It is: two people on the team work four days. Tell us which day suits you.",
    ),
)

#: An interview as the demo's candidates are told it: format, place, whom they meet,
#: what to prepare.
INTERVIEW = (
    "video",
    "https://meet.example.com/hiring-room",
    "Mei Chen, hiring manager\nJonas Berg, senior engineer",
    "Have a laptop ready if you like to sketch; we will share a short problem on screen.",
)
