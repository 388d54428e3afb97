"""An artifact's versions: the history page, uploading a new version, deleting one (asking
first when cycles link it), and the file routes: download (always an attachment), the
inline preview of images and PDFs and the thumbnail, both only through
nic.storage.downloads.send_preview, which refuses anything else."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from nic.permissions import can_edit_artifact, requires
from nic.services.artifacts import artifacts
from nic.services.artifacts.artifacts import NeedsConfirmation
from nic.services.errors import Conflict, ServiceError
from nic.storage import BlobNotFound, get_storage
from nic.tenancy import current_membership
from nic.web.artifacts.forms import ACCEPT_TYPES, ConfirmForm, VersionForm
from nic.web.artifacts.views import PREVIEWABLE, bp, read_upload, too_large_message
from nic.storage.downloads import send_download, send_preview
from nic.web.forms import is_page_error, show_service_error


@bp.route("/<int:artifact_id>/versions")
@login_required
@requires("network.view")
def versions(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.visible_artifact(membership, artifact_id)
    return render_template("artifacts/versions.html", artifact=artifact, previewable=PREVIEWABLE,
                           may_edit=can_edit_artifact(membership, artifact), confirm_form=ConfirmForm(formdata=None))


@bp.route("/<int:artifact_id>/versions/new", methods=["GET", "POST"])
@login_required
@requires("network.view")
def new_version(slug, artifact_id):
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    if artifact.url is not None:
        abort(404)  # a link has no files, so no versions to add
    status = 200
    if request.method == "GET":
        form = VersionForm(formdata=None)
    else:
        try:
            form = VersionForm()
        except RequestEntityTooLarge:
            form = VersionForm(formdata=None)
            form.file.errors = [too_large_message()]
            return _render_new_version(form, artifact, 413)
        if form.validate_on_submit():
            try:
                version = artifacts.add_version(membership, current_user._get_current_object(), artifact.id,
                                                read_upload(), form.note.data)
            except ServiceError as exc:
                if is_page_error(exc):
                    raise
                show_service_error(form, exc)
                status = exc.status
            else:
                flash(f"Version {version.number} uploaded; it is now the current one.", "success")
                return redirect(url_for("artifacts.versions", slug=slug, artifact_id=artifact.id))
        else:
            status = 400
    return _render_new_version(form, artifact, status)


def _render_new_version(form, artifact, status):
    return render_template("artifacts/new_version.html", form=form, artifact=artifact, accept_types=ACCEPT_TYPES,
                           max_mb=artifacts.max_upload_bytes() // (1024 * 1024)), status


@bp.route("/<int:artifact_id>/versions/<int:version_id>/delete", methods=["GET", "POST"])
@login_required
@requires("network.view")
def delete_version(slug, artifact_id, version_id):
    """GET, or a POST without confirm=yes while cycles link the version: the question,
    listing those cycles. POST with confirm=yes (or with no cycle linking it): delete."""
    membership = current_membership()
    artifact = artifacts.editable_artifact(membership, artifact_id)
    version = artifacts.version_of(artifact, version_id)
    links = artifacts.version_links(version)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            artifacts.delete_version(membership, artifact.id, version.id,
                                     confirmed=request.form.get("confirm") == "yes")
        except NeedsConfirmation as exc:
            links = exc.links
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("artifacts.versions", slug=slug, artifact_id=artifact.id))
        else:
            flash(f"Version {version.number} deleted.", "success")
            return redirect(url_for("artifacts.versions", slug=slug, artifact_id=artifact.id))
    return render_template("artifacts/delete_version.html", artifact=artifact, version=version,
                           **_split_links(membership, links), only=len(artifact.versions) == 1,
                           confirm_form=ConfirmForm(formdata=None))


def _split_links(membership, links) -> dict:
    from nic.permissions import can_see_cycle

    shown = [link for link in links if can_see_cycle(membership, link.cycle)]
    return {"links": shown, "hidden_links": len(links) - len(shown)}


# --- the bytes ---------------------------------------------------------------------------------

def _visible_version(artifact_id, version_id):
    artifact = artifacts.visible_artifact(current_membership(), artifact_id)
    return artifacts.version_of(artifact, version_id)


def _send(sender, *args, **kwargs):
    try:
        return sender(*args, **kwargs)
    except BlobNotFound:
        abort(404, description="The file of this version is missing from storage.")


@bp.get("/<int:artifact_id>/versions/<int:version_id>/download")
@login_required
@requires("network.view")
def download(slug, artifact_id, version_id):
    return _send(send_download, get_storage(), _visible_version(artifact_id, version_id))


@bp.get("/<int:artifact_id>/versions/<int:version_id>/preview")
@login_required
@requires("network.view")
def preview(slug, artifact_id, version_id):
    """Images and PDFs inline (send_preview answers 404 for every other type)."""
    return _send(send_preview, get_storage(), _visible_version(artifact_id, version_id))


@bp.get("/<int:artifact_id>/versions/<int:version_id>/thumbnail")
@login_required
@requires("network.view")
def thumbnail(slug, artifact_id, version_id):
    """The PNG the preview task made of the version (first page of a PDF, a scaled image)."""
    version = _visible_version(artifact_id, version_id)
    if not version.preview_sha256:
        abort(404)
    return _send(send_preview, get_storage(), version.preview_sha256, content_type="image/png",
                 filename=f"preview-{version.id}.png")
