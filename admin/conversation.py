"""The conversation on the application page: answer the candidate, or record that they
were answered another way. Answering reaches the candidate, so it is checked first."""

from admin.access import actor
from admin.access import staff_required
from admin.actions import perform
from admin.blueprint import bp
from admin.forms import AnswerForm
from admin.forms import SettleForm
from portal.conversation import actions as conversation


@bp.post("/applications/<ref>/answer")
@staff_required
def answer(ref):
    """Answer what the candidate asked: on their page, and by email when ticked."""

    def operation(application, form):
        conversation.answer(
            actor(), application, form.version.data, form.message.data, tell=form.tell.data
        )
        return "Your answer is on the candidate's page."

    return perform(
        ref,
        "answer",
        AnswerForm,
        operation,
        title=lambda application, form: f"Answer {application.candidate.name}",
    )


@bp.post("/applications/<ref>/settle")
@staff_required
def settle(ref):
    """The candidate was answered another way: no longer owed an answer."""

    def operation(application, form):
        conversation.settle(actor(), application, form.version.data, form.note.data)
        return "Marked as answered; nothing was sent."

    return perform(ref, "settle", SettleForm, operation)
