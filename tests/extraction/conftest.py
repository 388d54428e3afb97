"""Blob storage on a temporary folder for these tests (the app's own NIC_DATA_DIR would
be the instance folder), and a helper that stores real bytes as a new version."""
from __future__ import annotations

import io

import pytest

from nic.extensions import db
from nic.models import ArtifactVersion
from nic.storage.local import LocalStorage
from nic.tenancy import use_network


@pytest.fixture
def storage(app, tmp_path):
    previous = app.extensions.get("nic_storage")
    app.extensions["nic_storage"] = LocalStorage(str(tmp_path / "data"))
    yield app.extensions["nic_storage"]
    if previous is None:
        app.extensions.pop("nic_storage", None)
    else:
        app.extensions["nic_storage"] = previous


def store_version(storage, artifact, data: bytes, content_type: str, filename: str = "file.bin",
                  author=None) -> ArtifactVersion:
    """A new, pending version of `artifact` holding `data` (flushed, not committed)."""
    blob = storage.put_stream(io.BytesIO(data), 50 * 1024 * 1024)
    with use_network(artifact.network_id):
        number = max((v.number for v in artifact.versions), default=0) + 1
        version = ArtifactVersion(
            artifact_id=artifact.id, number=number, sha256=blob.sha256, size=blob.size,
            content_type=content_type, filename=filename, uploaded_by_id=author.id if author else None,
        )
        db.session.add(version)
        db.session.flush()
        db.session.refresh(artifact)
    return version
