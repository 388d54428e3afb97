"""Linking artifacts to cycles and change ideas, from either side: the artifact page's
forms, and the page a cycle's Do step opens to attach an artifact already in the library.
Each answers by going back where the person came from (`back=cycle` returns to the
cycle, anything else to the artifact: never a URL taken from the request)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from nic.models import ARTIFACT_KIND_LABELS
from nic.permissions import can_edit_cycle, requires
from nic.services.artifacts import library as artifact_library
from nic.services.artifacts import links as artifact_links
from nic.services.artifacts import artifacts
from nic.services.errors import ServiceError, ValidationFailed
from nic.services.discussion.markdown import render as markdown
from nic.tenancy import current_membership
from nic.web.artifacts.forms import ConfirmForm
from nic.web.artifacts.views import bp
from nic.web.forms import is_page_error
from nic.web.paging import Page

ATTACH_PER_PAGE = 20


def _back(slug: str, artifact_id: int, cycle_id: int | None = None):
    if cycle_id is not None and request.form.get("back") == "cycle":
        return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle_id, _anchor="materials"))
    return redirect(url_for("artifacts.show", slug=slug, artifact_id=artifact_id, _anchor="used-in"))


def _form_id(name: str) -> int | None:
    try:
        return int(request.form.get(name) or "")
    except ValueError:
        return None


# --- cycles --------------------------------------------------------------------------------------

@bp.post("/<int:artifact_id>/cycles")
@login_required
@requires("network.view")
def link_cycle(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.visible_artifact(membership, artifact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cycle_id = _form_id("cycle_id")
    if cycle_id is None:
        flash("Choose a cycle to link.", "error")
        return _back(slug, artifact.id)
    artifact_links.link_cycle(membership, current_user._get_current_object(), artifact.id, cycle_id)
    flash("Linked to the cycle.", "success")
    return _back(slug, artifact.id, cycle_id)


@bp.post("/<int:artifact_id>/cycles/<int:cycle_id>/remove")
@login_required
@requires("network.view")
def unlink_cycle(slug, artifact_id, cycle_id):
    membership = current_membership()
    artifact = artifacts.visible_artifact(membership, artifact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    artifact_links.unlink_cycle(membership, artifact.id, cycle_id)
    flash("Link to the cycle removed.", "success")
    return _back(slug, artifact.id, cycle_id)


@bp.route("/for-cycle/<int:cycle_id>", methods=["GET", "POST"])
@login_required
@requires("network.view")
def attach(slug, cycle_id):
    """From a cycle's Do step: find an artifact already in the library and attach it."""
    membership = current_membership()
    cycle = artifact_links.visible_cycle(membership, cycle_id)
    if not can_edit_cycle(membership, cycle):
        abort(403)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        artifact_id = _form_id("artifact_id")
        if artifact_id is None:
            abort(400)
        artifact = artifacts.visible_artifact(membership, artifact_id)
        artifact_links.link_cycle(membership, current_user._get_current_object(), artifact.id, cycle.id)
        flash(f"“{artifact.title}” attached to this cycle.", "success")
        return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle.id, _anchor="materials"))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    q = request.args.get("q") or ""
    try:
        filters = artifact_library.parse_filters({"q": q}, ("q",))
    except ValidationFailed as exc:
        return render_template("artifacts/attach.html", cycle=cycle, q=q, result=None, pager=None,
                               error=exc.message, kind_labels=ARTIFACT_KIND_LABELS), 422
    result = artifact_library.library_page(membership, filters, page, ATTACH_PER_PAGE)
    attached = {link.artifact_id for link in artifact_links.cycle_materials(membership, cycle.id)}
    return render_template("artifacts/attach.html", cycle=cycle, q=q, result=result,
                           pager=Page(page, ATTACH_PER_PAGE, result.total, result.artifacts), attached=attached, error=None,
                           kind_labels=ARTIFACT_KIND_LABELS, confirm_form=ConfirmForm(formdata=None), md=markdown)


# --- change ideas --------------------------------------------------------------------------------

@bp.post("/<int:artifact_id>/change-ideas")
@login_required
@requires("network.view")
def link_change_idea(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        artifact_links.link_change_idea(membership, artifact.id, _form_id("change_idea_id"))
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(f"Not linked: {exc.message}", "error")
    else:
        flash("Linked to the change idea.", "success")
    return redirect(url_for("artifacts.show", slug=slug, artifact_id=artifact.id, _anchor="change-ideas"))


@bp.post("/<int:artifact_id>/change-ideas/<int:change_idea_id>/remove")
@login_required
@requires("network.view")
def unlink_change_idea(slug, artifact_id, change_idea_id):
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    artifact_links.unlink_change_idea(membership, artifact.id, change_idea_id)
    flash("Link to the change idea removed.", "success")
    return redirect(url_for("artifacts.show", slug=slug, artifact_id=artifact.id, _anchor="change-ideas"))
