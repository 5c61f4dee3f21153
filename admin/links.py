"""The candidate-link panel of the application page (issue, copy, email, revoke, reissue,
last opened, preview) and the list of unsent email.

Revoking ends the candidate's access at once, so it asks first: GET shows what will
happen and changes nothing; only the form on that page revokes.
"""

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import Response
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from peewee import JOIN

from admin.access import actor
from admin.access import application_or_404
from admin.access import can_act
from admin.access import staff_required
from admin.blueprint import bp
from portal.candidates import actions as candidate_actions
from portal.candidates import links
from portal.candidates import page as pages
from portal.mail import queue as mail
from portal.store.models import Application
from portal.store.models import Mail

#: The preview shows the candidate's exact bytes, inert: no form can be sent from it.
PREVIEW_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'none'; "
        "frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


@bp.app_template_global("link_panel")
def link_panel(application: Application) -> dict:
    """What the panel shows: the live link (if any) and the application's unsent email."""
    link = links.live(application)
    return {
        "link": link,
        "url": links.url(link) if link else "",
        "ends": links.ends(link.expires, application.status, application.closed) if link else None,
        "unsent": list(mail.unsent().where(Mail.application == application.id)),
        # whether this link ever reached them: nothing else tells the recruiter to send it
        "emailed": bool(link)
        and Mail.select()
        .where((Mail.application == application.id) & (Mail.created >= link.issued))
        .exists(),
        "can_act": can_act(current_user),
    }


def _back(ref: str):
    return redirect(url_for("admin.application", ref=ref, _anchor="link"))


@bp.post("/applications/<ref>/link/issue")
@staff_required
def issue_link(ref):
    """Issue a link when none is live."""
    candidate_actions.issue_link(actor(), application_or_404(ref))
    flash("The candidate has a live link. Copy it, or email it to them.", "success")
    return _back(ref)


@bp.post("/applications/<ref>/link/send")
@staff_required
def send_link(ref):
    """Email the candidate their link (issuing one if none is live)."""
    application = application_or_404(ref)
    candidate_actions.send_link(actor(), application)  # the worker sends it within seconds
    flash(f"Emailed the link to {application.candidate.email}.", "success")
    return _back(ref)


@bp.post("/applications/<ref>/link/reissue")
@staff_required
def reissue_link(ref):
    """End the current link and issue a new one (it is not sent)."""
    candidate_actions.reissue_link(actor(), application_or_404(ref))
    flash("Issued a new link; the old address no longer works. Send it when ready.", "success")
    return _back(ref)


@bp.route("/applications/<ref>/link/revoke", methods=["GET", "POST"])
@staff_required
def revoke_link(ref):
    """End the candidate's link at once; GET asks first, saying what will happen."""
    if request.method == "GET":
        return _confirm_revoke(application_or_404(ref))
    count = candidate_actions.revoke_link(actor(), application_or_404(ref))
    flash(
        "Revoked: the candidate's address now shows “This link no longer works”."
        if count
        else "There was no live link to revoke.",
        "success" if count else "info",
    )
    return _back(ref)


def _confirm_revoke(application: Application):
    """The page that asks before revoking: what stops, and how the candidate could get
    back in (a fresh link by email, while their page may still be shown)."""
    link = links.live(application)
    fresh_until = None
    if link is not None and not application.is_active:
        fresh_until = application.closed + links.closed_grace()
    return render_template(
        "admin/confirm_revoke.html",
        application=application,
        link=link,
        fresh_until=fresh_until,
    )


@bp.get("/applications/<ref>/preview")
@login_required
def preview(ref):
    """The candidate's page as they see it, framed in the admin."""
    application = application_or_404(ref)
    link = links.live(application)
    return render_template("admin/link_preview.html", application=application, link=link)


@bp.get("/applications/<ref>/preview/page")
@login_required
def preview_page(ref):
    """The exact bytes the candidate gets, served so that no form on it can be sent. The
    link is the candidate's key: a hiring manager, who may not see it in the admin, gets
    the page with the forms' addresses and tokens blanked out."""
    link = links.live(application_or_404(ref))
    found = pages.find_by_id(link.id) if link else None
    if found is None:
        return Response("No live link.", 404, PREVIEW_HEADERS, content_type="text/plain")
    page = pages.model(found)
    if not can_act(current_user):
        page |= {"action": "#preview-", "form_token": ""}
    body = pages.render(page)
    return Response(body, 200, PREVIEW_HEADERS, content_type="text/html; charset=utf-8")


@bp.get("/mail/unsent")
@staff_required
def unsent_mail():
    """Email the server has not taken yet, oldest first."""
    query = (
        mail.unsent().select_extend(Application.ref).join(Application, JOIN.LEFT_OUTER).limit(500)
    )
    limit = current_app.config["MAIL_MAX_ATTEMPTS"]
    return render_template("admin/unsent_mail.html", mails=list(query), max_attempts=limit)


@bp.post("/mail/unsent")
@staff_required
def send_unsent():
    """Try the mail server again now, for everything queued."""
    sent, failed = mail.send_pending(wait=True, retry_failed=True)
    if failed:
        flash(f"Sent {sent}; {failed} still failing (the reason is beside each).", "error")
    else:
        flash(f"Sent {sent}.", "success")
    return redirect(url_for("admin.unsent_mail"))
