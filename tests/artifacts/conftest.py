"""Helpers for the artifact tests: storage on a temporary folder (NIC_DATA_DIR pointed at
tmp_path, the cached storage dropped so the app builds a fresh one there), real files
made here (PDFs by fpdf2, text, a fake executable), and readers of what was stored."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import func, select

from nic.extensions import db
from nic.models import Artifact, ArtifactCycleLink, ArtifactVersion
from nic.tenancy import UNSCOPED, use_network
from tests.factories import make_token


@pytest.fixture(autouse=True)
def data_dir(app, tmp_path, request):
    """Every artifact test stores its blobs under its own tmp_path. The `tenants` fixture,
    if the test uses it, is built first, so its factory blobs stay in the run's shared
    storage and this folder holds only what the test itself stored."""
    if "tenants" in request.fixturenames:
        request.getfixturevalue("tenants")
    previous_dir = app.config["NIC_DATA_DIR"]
    previous_storage = app.extensions.pop("nic_storage", None)
    app.config["NIC_DATA_DIR"] = str(tmp_path / "data")
    yield tmp_path / "data"
    app.config["NIC_DATA_DIR"] = previous_dir
    app.extensions.pop("nic_storage", None)
    if previous_storage is not None:
        app.extensions["nic_storage"] = previous_storage


def stored_blobs(data_dir: Path) -> list[str]:
    """The blob files on disk (by name: their hash), temp files excluded."""
    root = data_dir / "blobs"
    if not root.exists():
        return []
    return sorted(name for folder, _, files in os.walk(root) if not folder.endswith("tmp") for name in files)


def pdf_bytes(*pages: str) -> bytes:
    pdf = FPDF(format="letter")
    pdf.set_font("Helvetica", size=12)
    for text in pages or ("",):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


# A Linux executable's first bytes (ELF header) followed by filler: no sniffer should
# take it for a PDF whatever it is called.
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
# A Windows executable (MZ header).
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300


def file_part(data: bytes, filename: str, content_type: str = "application/octet-stream"):
    return (io.BytesIO(data), filename, content_type)


def counts(network) -> dict[str, int]:
    """Rows of each artifact table in one network (nothing half-way: all move together)."""
    db.session.expire_all()
    with use_network(network):
        return {
            "artifacts": db.session.scalar(select(func.count()).select_from(Artifact)),
            "versions": db.session.scalar(select(func.count()).select_from(ArtifactVersion)),
            "links": db.session.scalar(select(func.count()).select_from(ArtifactCycleLink)),
        }


def all_versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ArtifactVersion).execution_options(**UNSCOPED))


def load(network, artifact_id) -> Artifact | None:
    db.session.expire_all()
    with use_network(network):
        artifact = db.session.scalar(select(Artifact).where(Artifact.id == artifact_id))
        if artifact is not None:
            list(artifact.versions), list(artifact.change_ideas)
        return artifact


def links_of(network, artifact_id) -> list[ArtifactCycleLink]:
    db.session.expire_all()
    with use_network(network):
        return list(db.session.scalars(
            select(ArtifactCycleLink).where(ArtifactCycleLink.artifact_id == artifact_id)
            .order_by(ArtifactCycleLink.cycle_id)))


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def b(tenants):
    return tenants.b


def bearer(user) -> dict:
    _, secret = make_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def lead_api(a):
    """The teacher leader of network a's first school, over the API."""
    return bearer(a.teacher_leader.user)


@pytest.fixture
def member_api(a):
    """A member at network a's second school."""
    return bearer(a.member.user)
