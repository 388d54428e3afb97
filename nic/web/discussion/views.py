"""Discussion pages, under /n/<slug>/. A thread page is complete without JavaScript (the
form posts and redirects back); static/js/discussion.js, loaded on that page only, makes
it live over Socket.IO. Reading rules live in nic.services.discussion.discussion: a thread the
member may not read is a 404, like one that does not exist."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from nic.permissions import requires
from nic.services.discussion import discussion
from nic.services.discussion import lists as discussion_lists
from nic.services.discussion import mentions
from nic.services.discussion import reactions
from nic.services.errors import ServiceError
from nic.services.discussion.markdown import render as markdown
from nic.tenancy import current_membership, current_network
from nic.web.discussion.forms import ConfirmForm, EditMessageForm, MessageForm, ReactionForm, ThreadForm
from nic.web.forms import is_page_error, show_service_error

bp = Blueprint("discussion", __name__, url_prefix="/n/<slug>")

# Where the thread page links back to, per subject (the endpoint and its id argument).
SUBJECT_PAGES = {
    "cycle": ("cycles.show", "cycle_id"),
    "artifact": ("artifacts.show", "artifact_id"),
    "change_idea": ("theory.change_idea", "change_idea_id"),
}


def subject_url(slug: str, subject: str, subject_id: int) -> str:
    if subject == "channel":
        return url_for("discussion.channels", slug=slug)
    endpoint, arg = SUBJECT_PAGES[subject]
    return url_for(endpoint, slug=slug, **{arg: subject_id})


def _readable_thread(thread_id):
    return discussion.readable_thread(current_membership(), thread_id)


def _before_arg() -> int | None:
    raw = request.args.get("before", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/threads/<int:thread_id>", methods=["GET"])
@login_required
@requires("network.view")
def thread(slug, thread_id, form=None, status=200):
    membership = current_membership()
    thread = _readable_thread(thread_id)
    page = discussion_lists.recent_messages(thread, before=_before_arg())
    if page.messages and status == 200:
        discussion.mark_read(membership, thread, page.messages[-1].id)
    return render_template(
        "discussion/thread.html",
        thread=thread,
        page=page,
        md=mentions.renderer(current_network().id),
        form=form or MessageForm(formdata=None),
        reactions=reactions.summaries(membership.user_id, [m.id for m in page.messages]),
        emoji=reactions.EMOJI,
        subject_label=discussion_lists.SUBJECT_LABELS[thread.subject],
        subject_title=discussion_lists.subject_title(thread),
        subject_href=subject_url(slug, thread.subject, thread.subject_id),
        me=current_user,
    ), status


@bp.route("/threads/<int:thread_id>/messages", methods=["POST"])
@login_required
@requires("network.view")
def post_message(slug, thread_id):
    _readable_thread(thread_id)  # 404 first, before saying anything about the form
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = discussion.post_message(current_membership(), thread_id, form.body.data, form.client_id.data)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            show_service_error(form, exc)
        else:
            return redirect(url_for("discussion.thread", slug=slug, thread_id=thread_id,
                                    _anchor=f"message-{message.id}"))
    return thread(slug, thread_id, form=form, status=422)


# --- one message: edit, delete, react (each also works inline with discussion.js) -------------

def _message_or_abort(thread_id, message_id, own: bool = False):
    """The message, if readable and in this thread (else 404); with `own`, also the
    member's own and not deleted (someone else's: 403; deleted: 404)."""
    message = reactions.readable_message(current_membership(), message_id, thread_id)
    if own and message.author_id != current_membership().user_id:
        abort(403)
    if own and message.deleted_at is not None:
        abort(404)
    return message


def _back_to(slug, thread_id, message_id):
    return redirect(url_for("discussion.thread", slug=slug, thread_id=thread_id, _anchor=f"message-{message_id}"))


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
@requires("network.view")
def edit_message(slug, thread_id, message_id):
    message = _message_or_abort(thread_id, message_id, own=True)
    form = EditMessageForm(data={"body": message.body})
    if form.validate_on_submit():
        try:
            discussion.edit_message(current_membership(), message.id, form.body.data)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            show_service_error(form, exc)
        else:
            return _back_to(slug, thread_id, message.id)
    status = 422 if form.errors else 200
    return render_template("discussion/edit_message.html", form=form, message=message,
                           thread=_readable_thread(thread_id)), status


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/delete", methods=["GET", "POST"])
@login_required
@requires("network.view")
def delete_message(slug, thread_id, message_id):
    """GET asks for confirmation (the page without JavaScript); POST deletes."""
    message = _message_or_abort(thread_id, message_id, own=True)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        discussion.delete_message(current_membership(), message.id)
        return _back_to(slug, thread_id, message.id)
    return render_template("discussion/delete_message.html", message=message, md=markdown, form=form,
                           thread=_readable_thread(thread_id)), 422 if request.method == "POST" else 200


@bp.route("/threads/<int:thread_id>/messages/<int:message_id>/reactions", methods=["POST"])
@login_required
@requires("network.view")
def react(slug, thread_id, message_id):
    message = _message_or_abort(thread_id, message_id)
    form = ReactionForm()
    if form.validate_on_submit():
        try:
            reactions.react(current_membership(), message.id, form.emoji.data, thread_id=thread_id)
        except ServiceError as exc:  # a deleted message, an emoji outside the set
            if is_page_error(exc):
                raise
            flash(exc.message, "error")
    else:
        flash("That reaction did not go through. Please try again.", "error")
    return _back_to(slug, thread_id, message.id)


@bp.route("/threads", methods=["POST"])
@login_required
@requires("network.view")
def start_thread(slug):
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            new = discussion.create_thread(current_membership(), form.subject.data, form.subject_id.data,
                                           form.title.data)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            # The subject fields are hidden: their errors go at the top of the form.
            show_service_error(form, exc, aliases={"subject": "-", "subject_id": "-"})
        else:
            return redirect(url_for("discussion.thread", slug=slug, thread_id=new.id))
    # The form sits on another page; show it again on its own, with its errors.
    back = None
    if form.subject.data in discussion_lists.SUBJECT_LABELS and (form.subject_id.data or "").isdigit():
        if not discussion.subject_readable(current_membership(), form.subject.data, int(form.subject_id.data)):
            abort(404)
        back = subject_url(slug, form.subject.data, int(form.subject_id.data))
    return render_template("discussion/new.html", form=form, back=back), 422


@bp.route("/channels", methods=["GET"])
@login_required
@requires("network.view")
def channels(slug):
    return render_template(
        "discussion/channels.html",
        rows=discussion_lists.readable_channels(current_membership()),
        md=markdown,
    )


@bp.app_context_processor
def _panel_helpers():
    def discussion_panel(subject, subject_id):
        """For templates/discussion/_panel.html: the subject's threads, unread counts and
        a blank "Start a discussion" form."""
        membership = current_membership()
        if membership is None or current_network() is None:
            return None
        return {
            "threads": discussion_lists.subject_panel(membership, subject, subject_id),
            "form": ThreadForm(formdata=None, subject=subject, subject_id=subject_id),
        }

    return {"discussion_panel": discussion_panel}
