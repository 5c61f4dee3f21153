"""Every change of state, in one place: the admin, the CLI, the import and the tests
call these functions, and each writes its audit entry.

``actor`` is the member of staff acting, or None for the system (CLI, import).
Operations that change an application take the ``version`` the actor saw and
refuse with ``Conflict`` when someone else changed it since.
"""

from portal.domain.applications import add_application
from portal.domain.applications import add_note
from portal.domain.applications import close
from portal.domain.applications import deciding_message
from portal.domain.applications import fill
from portal.domain.applications import mark_deciding
from portal.domain.applications import move
from portal.domain.applications import post_update
from portal.domain.applications import reachable
from portal.domain.applications import reopen
from portal.domain.applications import reopen_message
from portal.domain.applications import reply_by_default
from portal.domain.applications import scheduled_closure
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.domain.base import STAFF
from portal.domain.closing import closing_point
from portal.domain.closing import closure_note_default
from portal.domain.closing import closure_note_draft
from portal.domain.closing import closure_template
from portal.domain.closing import DEFAULT_CLOSURE_NOTES
from portal.domain.closing import set_closure_template
from portal.domain.closures import cancel_scheduled_close
from portal.domain.closures import close_due
from portal.domain.closures import schedule_close
from portal.domain.closures import SEND_AT
from portal.domain.feedback import can_see_feedback
from portal.domain.feedback import edit_feedback
from portal.domain.feedback import share_feedback
from portal.domain.feedback import submit_feedback
from portal.domain.feedback import undecided
from portal.domain.feedback import visible_feedback
from portal.domain.jobs import DEFAULT_PIPELINE
from portal.domain.jobs import save_job
from portal.domain.jobs import set_stages
from portal.domain.kits import DEFAULT_KIT
from portal.domain.kits import kit_for
from portal.domain.kits import set_kit
from portal.domain.staff import create_user
from portal.domain.staff import set_password
from portal.domain.staff import update_user
from portal.domain.stamps import job_stamp
from portal.errors import Conflict
from portal.errors import Forbidden

__all__ = [
    "Conflict",
    "DEFAULT_CLOSURE_NOTES",
    "DEFAULT_KIT",
    "DEFAULT_PIPELINE",
    "Forbidden",
    "SEND_AT",
    "STAFF",
    "add_application",
    "add_note",
    "can_see_feedback",
    "cancel_scheduled_close",
    "close",
    "close_due",
    "closing_point",
    "closure_note_default",
    "closure_note_draft",
    "closure_template",
    "create_user",
    "deciding_message",
    "edit_feedback",
    "fill",
    "kit_for",
    "mark_deciding",
    "move",
    "normalise_email",
    "post_update",
    "reachable",
    "reopen",
    "reopen_message",
    "reply_by_default",
    "require_staff",
    "save_job",
    "schedule_close",
    "scheduled_closure",
    "set_closure_template",
    "set_kit",
    "set_password",
    "set_stages",
    "job_stamp",
    "share_feedback",
    "submit_feedback",
    "undecided",
    "update_user",
    "visible_feedback",
]
