"""The admin's forms (WTForms): parsing and re-display of what was typed.

CSRF is checked once for every POST by the app-wide ``CSRFProtect``; templates put
the token in each form with the ``csrf`` macro, so the forms here skip their own.
Forms shown together on one page carry a prefix so that their fields never collide.
Lengths and rules beyond types are the domain's to enforce.
"""

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import EmailField
from wtforms import FieldList
from wtforms import Form as PlainForm
from wtforms import FormField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from portal.candidates.interviews import FORMAT_LABELS
from portal.store.models import CLOSED_STATUSES
from portal.store.models import RECOMMENDATIONS
from portal.store.models import ROLES

RECOMMENDATION_LABELS = {
    "strong_no": "Strong no",
    "no": "No",
    "yes": "Yes",
    "strong_yes": "Strong yes",
}
RATING_LABELS = {1: "1 – poor", 2: "2 – mixed", 3: "3 – good", 4: "4 – excellent"}


def options(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def stage_options(pipeline) -> list[SelectChoice]:
    """A job's stages as choices, by internal name."""
    return options((s.id, s.name) for s in pipeline)


class Form(FlaskForm):
    class Meta:
        csrf = False  # checked app-wide by CSRFProtect for every POST


class VersionedForm(Form):
    """A change to an application, made against the version the user saw."""

    version = HiddenField(validators=[DataRequired()])

    def validate_version(self, field):
        if not str(field.data).isdecimal():
            raise ValidationError("The form is incomplete: reload the page.")


def tell_field(default=True):
    return BooleanField("Email the candidate about this", default=default)


class MoveForm(VersionedForm):
    stage = SelectField("Move to", coerce=int, validators=[InputRequired()])
    message = TextAreaField("Message for the candidate (optional)")
    next_steps = TextAreaField("Next steps at this stage")
    reply_by = DateField("They will hear from us by", validators=[Optional()])
    tell = tell_field()


class UpdateForm(VersionedForm):
    message = TextAreaField("Message for the candidate", validators=[DataRequired()])
    next_steps = TextAreaField("New next steps (optional: empty keeps the current ones)")
    reply_by = DateField("They will hear from us by", validators=[Optional()])
    tell = tell_field()


class DecidingForm(VersionedForm):
    message = TextAreaField("Message for the candidate", validators=[DataRequired()])
    reply_by = DateField("They will hear from us by", validators=[Optional()])
    tell = tell_field()


class AnswerForm(VersionedForm):
    message = TextAreaField("Your answer", validators=[DataRequired()])
    tell = tell_field()


class SettleForm(VersionedForm):
    note = TextAreaField("How was it answered?", validators=[DataRequired()])


class NoteForm(Form):
    message = TextAreaField("Internal note", validators=[DataRequired()])


class CloseForm(VersionedForm):
    status = RadioField(
        "Outcome",
        choices=options((s, s.title()) for s in CLOSED_STATUSES),
        validators=[InputRequired()],
    )
    #: A code of the company's list, from a select the page writes (grouped by outcome).
    closure_reason = StringField("Why it closed")
    reason = TextAreaField("Internal reason")
    closure_note = TextAreaField("Closure note for the candidate")
    send_on = DateField("Send on (optional)", validators=[Optional()])
    tell = tell_field()


class ReopenForm(VersionedForm):
    stage = SelectField("Back to stage", coerce=int, validators=[InputRequired()])
    message = TextAreaField("Message for the candidate (optional: empty sends the usual words)")
    reply_by = DateField("They will hear from us by", validators=[Optional()])
    tell = tell_field()


class RatingRow(PlainForm):
    """One criterion of the kit on a scorecard: its score (or none) and a note."""

    criterion = IntegerField(widget=widgets.HiddenInput())
    score = RadioField(
        "Score",
        choices=options([("", "Not assessed"), *((str(n), t) for n, t in RATING_LABELS.items())]),
        default="",
        validators=[Optional()],
    )
    note = TextAreaField("Note (optional)")


class FeedbackForm(Form):
    #: The stage whose kit the form shows (the page chooses it; admin/scorecards.py).
    stage = IntegerField(widget=widgets.HiddenInput(), validators=[InputRequired()])
    ratings = FieldList(FormField(RatingRow))
    rating = RadioField(
        "Overall rating",
        coerce=int,
        choices=options(RATING_LABELS.items()),
        validators=[InputRequired()],
    )
    recommendation = SelectField(
        "Recommendation",
        choices=options(
            [("", "Choose…"), *((r, RECOMMENDATION_LABELS[r]) for r in RECOMMENDATIONS)]
        ),
        validators=[DataRequired()],
    )
    strengths = TextAreaField("Strengths")
    concerns = TextAreaField("Concerns")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class JobForm(Form):
    ref = StringField("Reference (optional: one is made up when empty)")
    title = StringField("Title", validators=[DataRequired()])
    team = StringField("Team")
    location = StringField("Location")
    recruiter = SelectField("Recruiter", coerce=int, validators=[InputRequired()])
    managers = MultiCheckboxField("Hiring managers", coerce=int)
    stale_days = IntegerField(
        "Propose closing after this many business days overdue (optional)",
        validators=[Optional(), NumberRange(min=1, max=365)],
    )
    open = BooleanField("Open to new candidates", default=True)


class StageRow(PlainForm):
    id = HiddenField()
    name = StringField("Internal name")
    candidate_label = StringField("Label the candidate sees")
    description = TextAreaField("What to expect (shown to the candidate)")
    next_steps = TextAreaField("Next steps for a candidate arriving here (optional)")
    follow_up_days = IntegerField(
        "Follow-up days", default=3, validators=[Optional(), NumberRange(min=0, max=60)]
    )
    interview = BooleanField("Interview stage (managers give feedback)")


class PipelineForm(Form):
    stages = FieldList(FormField(StageRow))


class CriterionRow(PlainForm):
    name = StringField("What to assess")
    guidance = TextAreaField("Guidance and questions to ask (optional)")


class KitForm(Form):
    criteria = FieldList(FormField(CriterionRow))


class ApplicationForm(Form):
    name = StringField("Candidate's name", validators=[DataRequired()])
    email = EmailField("Email", validators=[DataRequired()])
    stage = SelectField("Stage", coerce=int, validators=[InputRequired()])
    tell = BooleanField("Email them the link to their page now", default=True)


class TemplateForm(Form):
    body = TextAreaField("Template", validators=[DataRequired()])


class PointTemplateForm(Form):
    body = TextAreaField("Template (empty: the outcome's template for any point)")


class ReasonForm(Form):
    """One of the company's closure reasons (lengths and rules are the domain's)."""

    status = RadioField(
        "It explains",
        choices=options([("rejected", "A rejection"), ("withdrawn", "A withdrawal")]),
        default="rejected",
        validators=[InputRequired()],
    )
    label = StringField("Label (for the team; never shown to the candidate)")
    tellable = BooleanField("The candidate may be told this reason")
    candidate_text = TextAreaField("The sentence the candidate reads")
    next_steps = TextAreaField("What they could do next (optional)")


class UserForm(Form):
    name = StringField("Name", validators=[DataRequired()])
    email = EmailField("Email", validators=[DataRequired()])
    role = SelectField("Role", choices=options((r, r.title()) for r in ROLES), default="recruiter")
    password = PasswordField("Initial password (optional)", validators=[Optional()])


class UserAccessForm(Form):
    role = SelectField("Role", choices=options((r, r.title()) for r in ROLES))
    active = BooleanField("Can sign in")


#: The largest whole number the database binds (a signed 64-bit integer, SQLite's limit).
INT64_MAX = 2**63 - 1


def number_arg(name: str) -> int | None:
    """The query argument ``name`` as a whole number; None when absent, nonsense, or
    too large for the database (an id that large matches nothing anyway)."""
    value = request.args.get(name, type=int)
    return value if value is not None and -INT64_MAX - 1 <= value <= INT64_MAX else None


def page_number() -> int:
    """The ``page`` query argument, 1 when absent or nonsense."""
    return max(1, number_arg("page") or 1)


class DetailsForm(Form):
    """A candidate's own details, as staff correct them (lengths are the domain's)."""

    name = StringField("Name", validators=[DataRequired()])
    email = EmailField("Email address", validators=[DataRequired()])


class InterviewForm(Form):
    """An interview arranged or changed; the time zone's choices are the view's to set."""

    day = DateField("Date", validators=[InputRequired()])
    starts = TimeField("Starts", validators=[InputRequired()])
    ends = TimeField("Ends", validators=[InputRequired()])
    timezone = SelectField("Time zone of these times", validators=[InputRequired()])
    format = RadioField(
        "Format",
        choices=options(FORMAT_LABELS.items()),
        default="video",
        validators=[InputRequired()],
    )
    place = StringField("Video link, phone number or address")
    meeting = TextAreaField("Whom they meet")
    prepare = TextAreaField("What to prepare")
    message = TextAreaField("Message for the candidate (optional)")
    #: The interview's SEQUENCE when the form was shown: a change made since is refused.
    sequence = HiddenField()
    tell = tell_field()


class CancelInterviewForm(Form):
    message = TextAreaField("Message for the candidate (optional: why, and what happens now)")
    sequence = HiddenField()
    tell = tell_field()


class TimezoneForm(Form):
    timezone = SelectField("Their time zone")
