"""Framework pages under /n/<slug>/frameworks/: the library (the network's frameworks and
the built-ins with their source credit), a framework as a readable rubric, editing (a
form per field, or the whole document as YAML), importing a file, copying, exporting,
archiving, and the coverage page linking practices to the theory of improvement.

Everyone in the network reads; facilitators manage. Every form works without JavaScript
and a refused one comes back with each problem listed by place and nothing stored.
Another network's framework or practice, or one that does not exist, is a 404."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from nic.frameworks import FrameworkInvalid, get_builtin, list_builtin
from nic.frameworks.io import parse
from nic.frameworks.schema import MAX_FILE_BYTES
from nic.permissions import requires
from nic.services.assessments import framework_links
from nic.services.assessments import frameworks
from nic.services.errors import ServiceError
from nic.services.assessments.frameworks import FrameworkRefused
from nic.tenancy import current_membership
from nic.web.forms import is_page_error, show_service_error
from nic.web.frameworks.forms import CopyForm, DocumentForm, ImportForm, apply_form, errors_by_place, field_id

bp = Blueprint("frameworks", __name__, url_prefix="/n/<slug>/frameworks")

ORIGIN_LABELS = {"builtin": "Built-in, adopted", "copy": "Copy", "import": "Imported", "custom": "Written here"}


@bp.app_template_global()
def change_idea_practices(idea):
    """The leadership practices a change idea is linked to (for the change idea page)."""
    return framework_links.practices_for_change_idea(idea.id)


# --- reading ---------------------------------------------------------------------------------

@bp.get("/")
@login_required
@requires("assessments.view")
def library(slug):
    return render_template("frameworks/library.html", library=frameworks.library(), origin_labels=ORIGIN_LABELS)


def _show_context(document, framework=None) -> dict:
    practices = framework_links.practices_with_links(framework) if framework is not None else []
    return {"document": document, "framework": framework, "rows": {p.key: p for p in practices},
            "origin_labels": ORIGIN_LABELS,
            "rounds": frameworks.has_rounds(framework) if framework is not None else False}


@bp.get("/preview")
@login_required
@requires("assessments.view")
def preview(slug):
    """A built-in framework before the network adopts it (?builtin=KEY); without a key,
    the list of every built-in, adopted or not."""
    key = request.args.get("builtin")
    if not key:
        return render_template("frameworks/builtins.html", builtins=list_builtin(),
                               adopted={f.based_on: f for f in frameworks.library().frameworks
                                        if f.origin == "builtin"})
    builtin = get_builtin(key)
    if builtin is None:
        abort(404)
    return render_template("frameworks/show.html", **_show_context(builtin))


@bp.get("/<int:framework_id>")
@login_required
@requires("assessments.view")
def show(slug, framework_id):
    framework = frameworks.get_framework(framework_id)
    return render_template("frameworks/show.html", **_show_context(frameworks.document_of(framework), framework))


@bp.get("/<int:framework_id>/export")
@login_required
@requires("assessments.view")
def export(slug, framework_id):
    framework = frameworks.get_framework(framework_id)
    try:
        filename, text, mimetype = frameworks.export(framework, request.args.get("format", "yaml"))
    except ServiceError:
        abort(404)  # only yaml and json exist
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- adopting, importing, copying ------------------------------------------------------------------

@bp.post("/adopt")
@login_required
@requires("frameworks.manage")
def adopt(slug):
    try:
        framework = frameworks.adopt(current_membership(), request.form.get("builtin"))
    except ServiceError as exc:
        flash(f"Not adopted: {'; '.join(exc.fields.values()) or exc.message}", "error")
        return redirect(url_for("frameworks.library", slug=slug))
    flash(f"“{framework.name}” is now one of this network's frameworks.", "success")
    return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))


@bp.route("/import", methods=["GET", "POST"])
@login_required
@requires("frameworks.manage")
def import_file(slug):
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        if upload is not None and upload.filename:
            content, filename, mimetype = upload.stream.read(MAX_FILE_BYTES + 1), upload.filename, upload.mimetype
        else:
            content, filename, mimetype = (form.text.data or "").encode(), None, None
        if not content.strip():
            form.file.errors = ["Choose a file, or paste the framework's text below."]
        else:
            try:
                framework = frameworks.import_file(current_membership(), content, filename=filename,
                                                   mimetype=mimetype)
            except FrameworkRefused as exc:
                problems = exc.errors
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                flash(f"“{framework.name}” imported.", "success")
                return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))
    status = 422 if form.is_submitted() else 200
    return render_template("frameworks/import.html", form=form, problems=problems), status


@bp.route("/<int:framework_id>/copy", methods=["GET", "POST"])
@login_required
@requires("frameworks.manage")
def copy(slug, framework_id):
    source = frameworks.get_framework(framework_id)
    form = CopyForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            framework = frameworks.copy_framework(current_membership(), source.id, form.key.data, form.name.data)
        except FrameworkRefused as exc:
            for name in ("key", "name"):
                if name in exc.fields:
                    getattr(form, name).errors = [exc.fields[name]]
            problems = [e for e in exc.errors if e.partition(": ")[0] not in ("key", "name")]
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            flash(f"“{framework.name}” created as a copy of “{source.name}”.", "success")
            return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))
    status = 422 if form.is_submitted() else 200
    return render_template("frameworks/copy.html", form=form, source=source, problems=problems), status


# --- editing --------------------------------------------------------------------------------------

def _edit_page(framework, data: dict, errors: list[str], status: int, version=None):
    return render_template("frameworks/edit.html", framework=framework, doc=data, version=version or framework.version,
                           problems=errors, by_place=errors_by_place(errors), field_id=field_id), status


@bp.route("/<int:framework_id>/edit", methods=["GET", "POST"])
@login_required
@requires("frameworks.manage")
def edit(slug, framework_id):
    framework = frameworks.get_framework(framework_id)
    if request.method == "GET":
        return _edit_page(framework, framework.document, [], 200)
    data = apply_form(framework.document, request.form)
    version = request.form.get("version")
    try:
        frameworks.update_document(current_membership(), framework.id, version, data)
    except FrameworkRefused as exc:
        return _edit_page(framework, data, exc.errors, 422, version)
    except ServiceError as exc:
        problems = [f"{k}: {v}" for k, v in exc.fields.items() if k != "version"] or [exc.message]
        if "version" in exc.fields:
            problems = [exc.message]
        return _edit_page(framework, data, problems, exc.status, version)
    flash("Framework saved.", "success")
    return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))


@bp.route("/<int:framework_id>/document", methods=["GET", "POST"])
@login_required
@requires("frameworks.manage")
def edit_document(slug, framework_id):
    framework = frameworks.get_framework(framework_id)
    if request.method == "GET":
        form = DocumentForm(formdata=None, data={
            "version": framework.version, "text": frameworks.export(framework, "yaml")[1]})
    else:
        form = DocumentForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            data = parse(form.text.data or "", "yaml")
            frameworks.update_document(current_membership(), framework.id, form.version.data, data)
        except FrameworkInvalid as exc:
            problems = exc.errors
        except FrameworkRefused as exc:
            problems = exc.errors
        except ServiceError as exc:
            problems = [exc.message] + [f"{k}: {v}" for k, v in exc.fields.items() if k != "version"]
        else:
            flash("Framework saved.", "success")
            return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))
    status = 422 if form.is_submitted() else 200
    return render_template("frameworks/document.html", form=form, framework=framework, problems=problems), status


# --- archiving ------------------------------------------------------------------------------------

def _state_change(slug, framework_id, action, done: str):
    framework = frameworks.get_framework(framework_id)
    try:
        action(current_membership(), framework.id)
    except ServiceError as exc:
        if is_page_error(exc):
            raise
        flash(exc.message, "error")
        return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))
    flash(done.format(name=framework.name), "success")
    if action is frameworks.delete:
        return redirect(url_for("frameworks.library", slug=slug))
    return redirect(url_for("frameworks.show", slug=slug, framework_id=framework.id))


@bp.post("/<int:framework_id>/archive")
@login_required
@requires("frameworks.manage")
def archive(slug, framework_id):
    return _state_change(slug, framework_id, frameworks.archive,
                         "“{name}” archived: its past rounds stay readable; no new round can use it.")


@bp.post("/<int:framework_id>/restore")
@login_required
@requires("frameworks.manage")
def restore(slug, framework_id):
    return _state_change(slug, framework_id, frameworks.restore, "“{name}” is in use again.")


@bp.post("/<int:framework_id>/delete")
@login_required
@requires("frameworks.manage")
def delete(slug, framework_id):
    return _state_change(slug, framework_id, frameworks.delete, "“{name}” deleted.")


# --- practices and the theory of improvement ------------------------------------------------------

@bp.get("/<int:framework_id>/coverage")
@login_required
@requires("assessments.view")
def coverage(slug, framework_id):
    cover = framework_links.coverage(framework_id)
    return render_template("frameworks/coverage.html", cover=cover, framework=cover.framework)


@bp.route("/<int:framework_id>/practices/<int:practice_id>/links", methods=["GET", "POST"])
@login_required
@requires("frameworks.manage")
def links(slug, framework_id, practice_id):
    framework = frameworks.get_framework(framework_id)
    practice = framework_links.get_practice(framework, practice_id)
    errors: dict[str, str] = {}
    chosen_drivers = [d.id for d in practice.drivers]
    chosen_ideas = [c.id for c in practice.change_ideas]
    if request.method == "POST":
        chosen_drivers = request.form.getlist("driver_ids")
        chosen_ideas = request.form.getlist("change_idea_ids")
        try:
            framework_links.set_links(current_membership(), framework.id, practice.id, chosen_drivers, chosen_ideas)
        except ServiceError as exc:
            if is_page_error(exc):
                raise
            errors = exc.fields or {"form": exc.message}
        else:
            flash(f"Links of “{practice.name}” saved.", "success")
            return redirect(url_for("frameworks.coverage", slug=slug, framework_id=framework.id,
                                    _anchor=f"practice-{practice.id}"))
    aims, ideas = framework_links.link_choices()
    return render_template(
        "frameworks/links.html", framework=framework, practice=practice, aims=aims, ideas=ideas, errors=errors,
        chosen_drivers={str(i) for i in chosen_drivers}, chosen_ideas={str(i) for i in chosen_ideas},
        described=frameworks.document_of(framework).practice(practice.key),
    ), 422 if errors else 200
