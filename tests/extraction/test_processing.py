"""The artifact tasks (artifacts.extract_text, artifacts.make_preview) on real files in
real storage: text lands on the version and, for the current version, on the artifact
where search finds it; hostile files end as failed and stay downloadable; running a task
twice does nothing more. Celery is eager here: tasks run right after the commit."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from sqlalchemy import select

from nic.extensions import db
from nic.models import Artifact, ArtifactVersion
from nic.services.artifacts import extraction, processing
from nic.services.artifacts.search import artifacts_matching
from nic.tenancy import get_scoped, use_network
from nic.transaction import commit
from tests import factories
from tests.extraction import samples
from tests.extraction.conftest import store_version

PDF = "application/pdf"
SENTENCE = "Each advisor checks the quokka-protocol tracker before Friday dismissal."


def _celery(app):
    return app.extensions["celery"]


def _run(app, name: str, version: ArtifactVersion) -> str:
    """The task by name, as a worker would run it."""
    _celery(app).loader.import_default_modules()
    return _celery(app).tasks[name].apply(kwargs={"network_id": version.network_id, "version_id": version.id}).get()


def _reload(model, object_id, network_id):
    with use_network(network_id):
        db.session.expire_all()
        return get_scoped(model, object_id)


@pytest.fixture
def artifact(tenants):
    a = tenants.a
    return factories.make_artifact(a.schools[0], a.teacher_leader.user, "Huddle protocol", versions=0)


def _upload(artifact, storage, data, content_type, filename="file.bin"):
    """Store a version and queue its processing, as the library's upload does."""
    version = store_version(storage, artifact, data, content_type, filename)
    with use_network(artifact.network_id):
        processing.enqueue_processing(version)
        commit()  # the eager tasks run here
    return _reload(ArtifactVersion, version.id, artifact.network_id)


def test_a_pdf_gets_its_text_and_a_preview_after_commit(app, storage, artifact):
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE, "Page two."), PDF, "protocol.pdf")
    with use_network(artifact.network_id):
        processing.enqueue_processing(version)
        assert version.extraction_status == "pending"  # nothing runs before the commit
        commit()
    version = _reload(ArtifactVersion, version.id, artifact.network_id)
    assert version.extraction_status == "done" and version.extraction_error == ""
    assert SENTENCE in version.extracted_text and "Page two." in version.extracted_text
    assert _reload(Artifact, artifact.id, artifact.network_id).extracted_text == version.extracted_text
    assert version.preview_status == "done"
    with storage.open(version.preview_sha256) as blob, Image.open(blob) as png:
        assert png.format == "PNG" and max(png.size) == 480


def test_running_the_tasks_twice_does_nothing_more(app, storage, artifact, monkeypatch):
    version = _upload(artifact, storage, samples.pdf_bytes(SENTENCE), PDF)
    before = (version.extracted_text, version.extraction_status, version.preview_sha256, version.preview_status)

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("a finished version was processed again")

    monkeypatch.setattr(extraction, "extract_text", must_not_run)
    monkeypatch.setattr(extraction, "make_preview", must_not_run)
    assert _run(app, "artifacts.extract_text", version) == "skipped"
    assert _run(app, "artifacts.make_preview", version) == "skipped"
    version = _reload(ArtifactVersion, version.id, artifact.network_id)
    assert (version.extracted_text, version.extraction_status, version.preview_sha256, version.preview_status) == before


def test_only_the_current_version_sets_the_artifacts_text(app, storage, artifact):
    first = store_version(storage, artifact, samples.pdf_bytes("Version one mentions wombats."), PDF)
    second = store_version(storage, artifact, samples.pdf_bytes("Version two mentions numbats."), PDF)
    with use_network(artifact.network_id):
        commit()
    # The newer version finishes first; the older one, finishing late, must not win.
    assert _run(app, "artifacts.extract_text", second) == "done"
    assert _run(app, "artifacts.extract_text", first) == "done"
    assert _reload(ArtifactVersion, first.id, artifact.network_id).extracted_text == "Version one mentions wombats."
    assert _reload(Artifact, artifact.id, artifact.network_id).extracted_text == "Version two mentions numbats."


def test_a_new_version_without_text_clears_the_old_words(app, storage, artifact):
    _upload(artifact, storage, samples.pdf_bytes("Old words about wombats."), PDF)
    image = _upload(artifact, storage, samples.image_bytes(800, 600, "JPEG"), "image/jpeg")
    assert image.extraction_status == "none" and image.preview_status == "done"
    assert _reload(Artifact, artifact.id, artifact.network_id).extracted_text == ""


def test_processing_does_not_touch_the_artifacts_updated_at(app, storage, artifact):
    with use_network(artifact.network_id):
        before = _reload(Artifact, artifact.id, artifact.network_id).updated_at
    _upload(artifact, storage, samples.pdf_bytes(SENTENCE), PDF)
    assert _reload(Artifact, artifact.id, artifact.network_id).updated_at == before


# --- files that fail ---------------------------------------------------------------------------


def test_a_corrupt_pdf_fails_cleanly_and_stays_downloadable(app, storage, artifact):
    data = b"%PDF-1.5\n1 0 obj << /Type /Catalog >> endobj\nthis is not a PDF body\n"
    version = _upload(artifact, storage, data, PDF, "broken.pdf")
    assert version.extraction_status == "failed"
    assert version.extraction_error == "The PDF could not be read; it may be damaged."
    assert version.preview_status == "failed" and version.preview_sha256 is None
    with storage.open(version.sha256) as blob:
        assert blob.read() == data  # the file itself is untouched


def test_a_zip_bomb_docx_fails_fast(app, storage, artifact):
    started = time.monotonic()
    version = _upload(artifact, storage, samples.zip_bomb_docx(128), samples.DOCX_TYPE, "bomb.docx")
    assert time.monotonic() - started < 5
    assert version.extraction_status == "failed"
    assert "too large" in version.extraction_error
    assert version.preview_status == "none"  # Word files have no preview


def test_a_huge_image_gets_no_preview(app, storage, artifact):
    version = _upload(artifact, storage, samples.huge_png_header(), "image/png", "huge.png")
    assert version.extraction_status == "none"
    assert version.preview_status == "failed" and version.preview_sha256 is None


def test_a_missing_blob_fails_with_a_message(app, storage, artifact):
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE), PDF)
    storage.delete(version.sha256)
    with use_network(artifact.network_id):
        commit()
    assert _run(app, "artifacts.extract_text", version) == "failed"
    assert _reload(ArtifactVersion, version.id, artifact.network_id).extraction_error == "The stored file is missing."
    assert _run(app, "artifacts.make_preview", version) == "failed"


def test_a_run_that_died_is_not_retried_forever(app, storage, artifact):
    """A worker killed inside the reader leaves its claim behind; the redelivered message
    records a failure instead of reading the same file again."""
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE), PDF)
    with use_network(artifact.network_id):
        version.extraction_error = processing.STARTED
        commit()
    assert _run(app, "artifacts.extract_text", version) == "failed"
    version = _reload(ArtifactVersion, version.id, artifact.network_id)
    assert version.extraction_status == "failed"
    assert version.extraction_error == "Reading the file stopped before it finished."


def test_storage_outages_are_retried_then_recorded(app, storage, artifact, monkeypatch):
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE), PDF)
    with use_network(artifact.network_id):
        commit()

    def unreachable(sha256):
        raise ConnectionError("storage is down")

    monkeypatch.setattr(storage, "local_path", unreachable)
    task = _celery(app).tasks["artifacts.extract_text"]
    retries = []

    class Retrying(Exception):
        pass

    def retry(exc=None, countdown=None, **_):
        retries.append(countdown)
        return Retrying()

    monkeypatch.setattr(task, "retry", retry)
    kwargs = {"network_id": version.network_id, "version_id": version.id}
    # On a worker (not eager), with retries left: the claim is released, a retry asked for.
    task.push_request(retries=1, is_eager=False)
    try:
        with use_network(version.network_id), pytest.raises(Retrying):
            task.run(**kwargs)
    finally:
        task.pop_request()
    assert retries == [20]
    again = _reload(ArtifactVersion, version.id, artifact.network_id)
    assert (again.extraction_status, again.extraction_error) == ("pending", "")

    # The last retry records the failure rather than leaving the version pending.
    task.push_request(retries=task.max_retries, is_eager=False)
    try:
        with use_network(version.network_id):
            assert task.run(**kwargs) == "failed"
    finally:
        task.pop_request()
    again = _reload(ArtifactVersion, version.id, artifact.network_id)
    assert (again.extraction_status, again.extraction_error) == ("failed", "The stored file could not be reached.")


def test_a_storage_outage_in_eager_mode_is_recorded_at_once(app, storage, artifact, monkeypatch):
    """Without a broker the task runs inside the upload's request: no retry may fail it."""
    monkeypatch.setattr(storage, "local_path", lambda sha256: (_ for _ in ()).throw(TimeoutError("slow")))
    version = _upload(artifact, storage, samples.pdf_bytes(SENTENCE), PDF)
    assert version.extraction_status == "failed"
    assert version.preview_status == "failed"


def test_a_task_for_another_networks_version_finds_nothing(app, storage, tenants, artifact):
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE), PDF)
    with use_network(artifact.network_id):
        commit()
    other = (
        _celery(app)
        .tasks["artifacts.extract_text"]
        .apply(kwargs={"network_id": tenants.b.network.id, "version_id": version.id})
        .get()
    )
    assert other == "missing"
    assert _reload(ArtifactVersion, version.id, artifact.network_id).extraction_status == "pending"


# --- search ------------------------------------------------------------------------------------


def _found(network_id, words: str) -> list[str]:
    with use_network(network_id):
        return list(db.session.scalars(select(Artifact.title).where(artifacts_matching(words))))


def test_search_finds_a_word_only_inside_the_pdf_once_extracted(app, storage, artifact):
    version = store_version(storage, artifact, samples.pdf_bytes(SENTENCE), PDF)
    with use_network(artifact.network_id):
        commit()
    assert _found(artifact.network_id, "quokka-protocol") == []
    _run(app, "artifacts.extract_text", version)
    assert _found(artifact.network_id, "quokka-protocol") == ["Huddle protocol"]
    assert _found(artifact.network_id, "dismissal advisor") == ["Huddle protocol"]


# --- through the library's upload ----------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, data, words",
    [
        ("routine.pdf", samples.pdf_bytes("Bring three names to the wallaby huddle."), "wallaby huddle"),
        ("routine.docx", samples.docx_bytes("Agenda", "Advisors log each wallaby call."), "wallaby call"),
        ("slides.pptx", samples.pptx_bytes("Why we call", "The wallaby script"), "wallaby script"),
        ("tracker.xlsx", samples.xlsx_bytes(["Student", "wallaby credits"]), "wallaby credits"),
        ("log.csv", b"student,note\nS-1,wallaby plan agreed\n", "wallaby plan"),
        ("agenda.md", b"# Agenda\n\n- wallaby review\n", "wallaby review"),
        ("notes.txt", b"Notes from the wallaby meeting.\n", "wallaby meeting"),
    ],
)
def test_an_upload_is_read_after_its_commit(app, storage, tenants, filename, data, words):
    from nic.services.artifacts import artifacts

    a = tenants.a
    with use_network(a.network):
        artifact = artifacts.create_artifact(
            a.teacher_leader,
            a.teacher_leader.user,
            {"title": "Shared routine", "kind": "protocol"},
            artifacts.Upload(io.BytesIO(data), filename),
        )
    version = _reload(ArtifactVersion, artifact.versions[0].id, a.network.id)
    assert version.extraction_status == "done", (version.content_type, version.extraction_error)
    assert words.split()[1] in version.extracted_text
    assert _found(a.network.id, words) == ["Shared routine"]
    assert _found(a.network.id, "wallaby") == ["Shared routine"]
