"""On the embedded default (SQLite, no broker: tasks run in-process after the commit):
an upload through the library's service gets its text extracted and found by search,
and the demo's library seeds with working search."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from nic.demo.artifacts import seed_artifacts
from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import Artifact, ArtifactVersion, School
from nic.services.accounts import accounts, networks
from nic.services.accounts.networks import network_by_slug
from nic.services.artifacts import artifacts
from nic.services.artifacts.search import artifacts_matching
from nic.tenancy import use_network
from nic.transaction import commit
from tests.extraction import samples


def _titles(words):
    return list(db.session.scalars(select(Artifact.title).where(artifacts_matching(words))))


def test_an_uploaded_pdf_is_found_by_a_word_inside_it(sqlite_app):
    network = networks.create_network("lake", "Lake NIC")
    with use_network(network):
        school = networks.create_school("Shore High")
        user = accounts.new_user("tl@lake.org", "Tee Ell", "lake password 1")
        member = networks.add_member(user, "teacher_leader", school.id)
        commit()
        upload = artifacts.Upload(io.BytesIO(samples.pdf_bytes("Our wombat-routine keeps huddles short.")),
                                  "routine.pdf")
        artifact = artifacts.create_artifact(member, user, {"title": "Huddle routine", "kind": "protocol"}, upload)
        version = db.session.scalar(select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact.id))
        assert version.content_type == "application/pdf"
        assert (version.extraction_status, version.preview_status) == ("done", "done")
        assert _titles("wombat-routine") == ["Huddle routine"]
        assert _titles("short huddles") == ["Huddle routine"]
        assert _titles("numbat") == []


def test_the_demo_library_seeds_and_searches_on_sqlite(sqlite_app):
    seed_demo()
    network = network_by_slug(DEMO_SLUG)
    with use_network(network):
        if db.session.scalar(select(func.count()).select_from(Artifact)) == 0:  # until nic/demo/seed.py wires it
            seed_artifacts(network, list(db.session.scalars(select(School).order_by(School.id))))
        assert db.session.scalar(select(func.count()).select_from(Artifact)) >= 24
        assert _titles("parking") == ["Ninth-grade success huddle protocol"]
        assert _titles("weighted") == ["Advisory lesson: reading your own gradebook"]
