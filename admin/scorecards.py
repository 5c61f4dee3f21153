"""Scorecards that fit the job: the form for the stage being scored (its interview kit),
its author's corrections while the application is undecided, and the criteria side by
side across interviewers, for each stage whose others' scorecards the viewer may see
(``domain.visible_feedback``: once their own for that stage is in)."""

from typing import NamedTuple

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import login_required

from admin.access import actor
from admin.access import application_or_404
from admin.access import can_give_feedback
from admin.blueprint import bp
from admin.forms import FeedbackForm
from admin.forms import number_arg
from admin.forms import RATING_LABELS
from admin.forms import RECOMMENDATION_LABELS
from portal import domain
from portal.domain import kits
from portal.errors import Forbidden
from portal.errors import Invalid
from portal.store.models import Feedback
from portal.store.models import Rating
from portal.store.models import Stage


class Line(NamedTuple):
    """One criterion across a stage's scorecards: a Rating per scorecard, or None."""

    name: str
    cells: list


class Comparison(NamedTuple):
    """A stage's scorecards side by side: interviewers as columns, criteria as lines."""

    stage: Stage
    cards: list
    lines: list[Line]


def scored_stage(application, pipeline, wanted=None):
    """The stage a new scorecard is for: ``wanted`` when it is in the pipeline (the
    manager's home links the stage owed, whichever it is), else the current stage when
    it interviews, else the last interview stage before it."""
    chosen = next((s for s in pipeline if s.id == wanted), None)
    if chosen is not None:
        return chosen
    here = next((n for n, s in enumerate(pipeline) if s.id == application.stage_id), None)
    if here is None:
        return application.stage
    before = [s for s in pipeline[: here + 1] if s.interview]
    return before[-1] if before else application.stage


def new_form(application, pipeline, user) -> FeedbackForm | None:
    """A blank scorecard for the stage the page scores (``?scorecard=<stage id>``), with
    a line per criterion of its kit; None when ``user`` has given one there already, or
    the application is decided (the domain refuses a new one then)."""
    if not domain.undecided(application):
        return None
    stage = scored_stage(application, pipeline, number_arg("scorecard"))
    mine = Feedback.select().where(
        (Feedback.application == application.id)
        & (Feedback.author == user.id)
        & (Feedback.stage == stage.id)
    )
    if mine.exists():
        return None
    lines = [{"criterion": c.id} for c in kits.kit_for(application.job, stage)]
    return FeedbackForm(
        prefix="feedback", formdata=None, data={"stage": stage.id, "ratings": lines}
    )


def ratings_of(form: FeedbackForm) -> dict:
    """The posted criteria as the domain takes them: id → (score or None, note)."""
    return {
        line.criterion.data: (int(line.score.data) if line.score.data else None, line.note.data)
        for line in (entry.form for entry in form.ratings)
    }


def panel(application, shown, form, pipeline) -> dict:
    """What the feedback card and the side-by-side card show, for the page's template:
    ``shown`` are the scorecards the viewer may read (``domain.visible_feedback``)."""
    ratings = _ratings([card.id for card in shown])
    kit = kits.kits_of(application.job)
    if form is not None:
        scoring = next((s for s in pipeline if s.id == form.stage.data), None)
    else:
        scoring = scored_stage(application, pipeline, number_arg("scorecard"))
    undecided = domain.undecided(application)
    user = actor()
    return {
        "ratings": ratings,
        "comparisons": _compare(shown, ratings, kit),
        "may_edit": undecided,
        "may_score": undecided and can_give_feedback(user, application),
        "scoring": scoring,
        # "Score another stage" offers the stages that interview, and only those
        "scorable": [s for s in pipeline if s.interview],
        # the viewer's own at the stage being scored: a second one is refused, edit it
        "own_scorecard": next(
            (c for c in shown if c.author_id == user.id and scoring and c.stage_id == scoring.id),
            None,
        ),
        "criteria": {c.id: c for criteria in kit.values() for c in criteria},
        "score_labels": RATING_LABELS,
        "recommendation_labels": RECOMMENDATION_LABELS,
    }


def _ratings(ids: list[int]) -> dict[int, list[Rating]]:
    """The ratings of these scorecards, by scorecard, in their kit's order."""
    found: dict[int, list[Rating]] = {}
    if ids:
        query = Rating.select().where(Rating.feedback.in_(ids)).order_by(Rating.id)
        for rating in query:
            found.setdefault(rating.feedback_id, []).append(rating)
    return found


def _compare(cards, ratings: dict, kit: dict) -> list[Comparison]:
    """Each stage's rated scorecards side by side; criteria in the stage's kit order,
    then those since taken out of it, under the names they were rated by."""
    comparisons = []
    for stage_id in dict.fromkeys(card.stage_id for card in cards):
        columns = [c for c in cards if c.stage_id == stage_id and ratings.get(c.id)]
        if not columns:
            continue
        order = {c.id: n for n, c in enumerate(kit.get(stage_id) or kit.get(None, []))}
        names = {c.id: c.name for criteria in kit.values() for c in criteria}
        lines: dict = {}
        for number, card in enumerate(columns):
            for rating in ratings[card.id]:
                key = rating.criterion_id if rating.criterion_id in order else rating.name
                label = names[key] if key in order else rating.name
                lines.setdefault(key, Line(label, [None] * len(columns))).cells[number] = rating
        ranked = sorted(
            lines.items(), key=lambda item: (item[0] not in order, order.get(item[0], 0))
        )
        comparisons.append(Comparison(columns[0].stage, columns, [line for _, line in ranked]))
    return comparisons


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
@login_required
def edit_scorecard(feedback_id):
    """Its author corrects a scorecard while the application is undecided."""
    card = (
        Feedback.select(Feedback, Stage)
        .join(Stage, on=(Feedback.stage == Stage.id))
        .where(Feedback.id == feedback_id)
        .first()
    )
    if card is None:
        abort(404)
    application = application_or_404(card.application.ref)
    if card.author_id != actor().id:
        abort(403)
    if not domain.undecided(application):
        flash("This application is decided: its scorecards stay as they were when it was.", "error")
        return redirect(url_for("admin.application", ref=application.ref, _anchor="feedback"))
    kit = kits.kit_for(application.job, card.stage)
    if request.method == "GET":
        form = FeedbackForm(prefix="feedback", formdata=None, data=_as_typed(card, kit))
        return _edit_page(card, application, kit, form)
    form = FeedbackForm(prefix="feedback")
    if not form.validate():
        return _edit_page(card, application, kit, form, "Please correct the form below.", 400)
    try:
        domain.edit_feedback(
            actor(),
            card,
            form.rating.data,
            form.recommendation.data,
            form.strengths.data,
            form.concerns.data,
            ratings_of(form),
        )
    except (Forbidden, Invalid) as error:
        return _edit_page(card, application, kit, form, error.message, error.status)
    flash("Your scorecard is corrected; it keeps the time you first submitted it.", "success")
    return redirect(url_for("admin.application", ref=application.ref, _anchor="feedback"))


def _as_typed(card: Feedback, kit: list) -> dict:
    """A scorecard as its form shows it: a line per criterion of the kit, as rated."""
    rated = {r.criterion_id: r for r in card.ratings}
    lines = []
    for criterion in kit:
        rating = rated.get(criterion.id)
        score = "" if rating is None or rating.score is None else str(rating.score)
        lines.append(
            {"criterion": criterion.id, "score": score, "note": rating.note if rating else ""}
        )
    return {
        "stage": card.stage_id,
        "rating": card.rating,
        "recommendation": card.recommendation,
        "strengths": card.strengths,
        "concerns": card.concerns,
        "ratings": lines,
    }


def _edit_page(card, application, kit, form, error=None, status=200):
    """The correction form; the ratings a save drops (their criteria left the kit) named."""
    ids = {c.id for c in kit}
    dropped = [r for r in card.ratings if r.criterion_id not in ids]
    return (
        render_template(
            "admin/scorecard_edit.html",
            card=card,
            application=application,
            form=form,
            criteria={c.id: c for c in kit},
            dropped=dropped,
            error=error,
        ),
        status,
    )
