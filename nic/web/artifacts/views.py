"""The artifact library under /n/<slug>/artifacts: the library (search, filters, sort),
sharing a file or a link, an artifact's page, editing and deleting it. Versions and
downloads are in nic.web.artifacts.versions, links to cycles and change ideas in
nic.web.artifacts.links. Thin: parse, call nic.services.artifacts.artifacts*, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from nic.models import ARTIFACT_KIND_LABELS, Cycle
from nic.permissions import can_edit_artifact, can_edit_cycle, can_see_cycle, requires
from nic.services.artifacts import library as artifact_library
from nic.services.artifacts import links as artifact_links
from nic.services.artifacts import artifacts
from nic.services.artifacts.artifacts import Upload, max_upload_bytes
from nic.services.errors import ServiceError, ValidationFailed
from nic.services.discussion.markdown import render as markdown
from nic.storage.sniff import PREVIEWABLE_TYPES
from nic.tenancy import current_membership, get_scoped
from nic.web.artifacts.forms import (
    ACCEPT_TYPES, GRADE_BAND_SUGGESTIONS, ArtifactForm, ConfirmForm, EditForm, LibraryForm, LinkChangeIdeaForm,
    LinkCycleForm,
    fill_library_choices, metadata,
)
from nic.web.forms import is_page_error, show_service_error
from nic.web.paging import Page
from nic.words import plural

bp = Blueprint("artifacts", __name__, url_prefix="/n/<slug>/artifacts")
PER_PAGE = 20
PREVIEWABLE = PREVIEWABLE_TYPES  # images and PDF: the only types ever shown inline


def read_upload(name: str = "file") -> Upload | None:
    """The uploaded file as a stream, or None when none was chosen (a browser sends an
    empty part with no file name for an untouched file input)."""
    part = request.files.get(name)
    if part is None or not part.filename:
        return None
    return Upload(part.stream, part.filename)


def too_large_message() -> str:
    return f"is larger than the {max_upload_bytes() // (1024 * 1024)} MB limit"


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A body past MAX_CONTENT_LENGTH is refused before it is read (even by the CSRF check
    that runs before the view): say so in words, with a way back."""
    return render_template("artifacts/too_large.html", message=too_large_message()), 413


# --- the library -----------------------------------------------------------------------------

@bp.get("")
@login_required
@requires("network.view")
def library(slug):
    membership = current_membership()
    form = LibraryForm(formdata=request.args)
    choices = artifact_library.filter_choices(membership)
    fill_library_choices(form, choices)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    context = dict(form=form, tags=choices["tags"], kind_labels=ARTIFACT_KIND_LABELS)
    try:
        filters = artifact_library.parse_filters(request.args)
    except ValidationFailed as exc:
        show_service_error(form, exc)
        return render_template("artifacts/library.html", result=None, filters=None, pager=None, **context), 422
    result = artifact_library.library_page(membership, filters, page, PER_PAGE)
    pager = Page(page, PER_PAGE, result.total, result.artifacts)
    last_page = max(pager.pages, 1)  # Pagination counts no pages in an empty list
    if page > last_page:  # a stale link after artifacts went away: the last page there is
        return redirect(url_for("artifacts.library", slug=slug, page=last_page, **filters.as_args()))
    return render_template("artifacts/library.html", result=result, filters=filters, pager=pager,
                           tag_list=artifacts.tag_list, **context)


# --- sharing ---------------------------------------------------------------------------------

def _new_form(membership, formdata=True) -> ArtifactForm:
    form = ArtifactForm() if formdata else ArtifactForm(formdata=None)
    schools = artifacts.shareable_schools(membership)
    form.school_id.choices = [("", "Choose a school")] + [(str(s.id), s.name) for s in schools]
    return form


def _cycle_from_args(membership):
    """The cycle named by ?cycle_id= (attach on creation): visible (else 404) and one the
    member works on (else 403)."""
    raw = request.values.get("cycle_id") or ""
    if not raw:
        return None
    cycle = get_scoped(Cycle, raw)
    if not can_see_cycle(membership, cycle):
        abort(404)
    if not can_edit_cycle(membership, cycle):
        abort(403)
    return cycle


def _render_new(form, cycle, status=200):
    return render_template("artifacts/new.html", form=form, cycle=cycle, grade_bands=GRADE_BAND_SUGGESTIONS,
                           accept_types=ACCEPT_TYPES, max_mb=max_upload_bytes() // (1024 * 1024)), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@requires("artifacts.share")
def new(slug):
    membership = current_membership()
    cycle = _cycle_from_args(membership)
    if request.method == "GET":
        form = _new_form(membership, formdata=False)
        form.cycle_id.data = str(cycle.id) if cycle else ""
        return _render_new(form, cycle)
    try:
        form = _new_form(membership)
    except RequestEntityTooLarge:
        form = _new_form(membership, formdata=False)
        form.file.errors = [too_large_message()]
        return _render_new(form, cycle, 413)
    if not form.validate_on_submit():
        return _render_new(form, cycle, 400)
    data = dict(metadata(form), url=form.url.data, note=form.note.data, school_id=form.school_id.data,
                cycle_id=cycle.id if cycle else None)
    try:
        artifact = artifacts.create_artifact(membership, current_user._get_current_object(), data, read_upload())
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        show_service_error(form, exc)
        return _render_new(form, cycle, exc.status)
    if cycle is not None:
        flash(f"“{artifact.title}” shared and attached to this cycle.", "success")
        return redirect(url_for("cycles.show", slug=slug, cycle_id=cycle.id, _anchor="materials"))
    flash(f"“{artifact.title}” shared.", "success")
    return redirect(url_for("artifacts.show", slug=slug, artifact_id=artifact.id))


# --- one artifact ----------------------------------------------------------------------------

@bp.get("/<int:artifact_id>")
@login_required
@requires("network.view")
def show(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.visible_artifact(membership, artifact_id)
    may_edit = can_edit_artifact(membership, artifact)
    cycle_form = LinkCycleForm(formdata=None)
    linkable = artifact_links.linkable_cycles(membership, artifact)
    cycle_form.cycle_id.choices = [("", "Choose a cycle")] + [
        (str(c.id), f"{c.title} · {c.school.name}") for c in linkable]
    idea_form = LinkChangeIdeaForm(formdata=None)
    if may_edit:
        idea_form.change_idea_id.choices = [("", "Choose a change idea")] + [
            (str(i.id), i.title) for i in artifact_links.linkable_change_ideas(artifact)]
    cycles, schools = artifact_links.usage_counts(membership, [artifact.id]).get(artifact.id, (0, 0))
    links = artifact_links.linked_cycles(membership, artifact)
    return render_template(
        "artifacts/show.html", artifact=artifact, version=artifacts.current_version(artifact),
        description=markdown(artifact.description), tags=artifacts.tag_list(artifact.tags),
        kind_labels=ARTIFACT_KIND_LABELS, may_edit=may_edit, links=links,
        unlinkable={link.cycle_id for link in links if can_edit_cycle(membership, link.cycle)},
        used_cycles=cycles, used_schools=schools, cycle_form=cycle_form, can_link_cycles=bool(linkable),
        idea_form=idea_form, confirm_form=ConfirmForm(formdata=None), previewable=PREVIEWABLE,
    )


@bp.route("/<int:artifact_id>/edit", methods=["GET", "POST"])
@login_required
@requires("network.view")
def edit(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    status = 200
    if request.method == "GET":
        form = EditForm(formdata=None, obj=artifact)
    else:
        form = EditForm()
        if form.validate_on_submit():
            data = metadata(form)
            if artifact.url is not None:
                data["url"] = form.url.data
            try:
                artifacts.update_artifact(membership, artifact.id, data)
            except ServiceError as exc:
                if is_page_error(exc):
                    raise
                show_service_error(form, exc)
                status = exc.status
            else:
                flash("Artifact updated.", "success")
                return redirect(url_for("artifacts.show", slug=slug, artifact_id=artifact.id))
        else:
            status = 400
    return render_template("artifacts/edit.html", form=form, artifact=artifact,
                           grade_bands=GRADE_BAND_SUGGESTIONS), status


@bp.post("/<int:artifact_id>/delete")
@login_required
@requires("network.view")
def delete(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    artifacts.delete_artifact(membership, artifact.id)
    flash(f"“{artifact.title}” deleted from the library.", "success")
    return redirect(url_for("artifacts.library", slug=slug))


# --- what other pages show (the cycle's Do step, a change idea) -------------------------------

@bp.app_template_global()
def cycle_materials(cycle):
    """The artifacts a cycle used that the reader may see (templates/cycles/show.html)."""
    return artifact_links.cycle_materials(current_membership(), cycle.id)


@bp.app_template_global()
def change_idea_artifacts(idea):
    """The artifacts linked to a change idea that the reader may see."""
    return artifact_links.change_idea_artifacts(current_membership(), idea.id)


@bp.app_template_filter("filesize")
def filesize(size) -> str:
    if size is None:
        return "—"
    if size < 1024:
        return plural(size, "byte")
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
