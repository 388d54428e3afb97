"""The demo library: about 25 artifacts across the six schools, files with real words in
them (extracted at seed time, so search works at once), some with two versions, linked
to change ideas and to cycles, including cycles at schools that borrowed them."""

from __future__ import annotations

from sqlalchemy import func, select

from nic.demo.artifacts import seed_artifacts
from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import Artifact, ArtifactCycleLink, ArtifactVersion, Cycle, School
from nic.models.artifact import artifact_change_ideas
from nic.services.accounts.networks import network_by_slug
from nic.services.artifacts.search import artifacts_matching
from nic.tenancy import use_network


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _seeded_network():
    seed_demo()
    network = network_by_slug(DEMO_SLUG)
    with use_network(network):
        if count(Artifact) == 0:  # until nic/demo/seed.py calls seed_artifacts itself
            schools = list(db.session.scalars(select(School).order_by(School.id)))
            seed_artifacts(network, schools)
    return network


def _titles(words: str) -> list[str]:
    return sorted(db.session.scalars(select(Artifact.title).where(artifacts_matching(words))))


def test_demo_library(db_session, storage):
    network = _seeded_network()
    with use_network(network):
        assert 24 <= count(Artifact) <= 28
        assert db.session.scalar(select(func.count(func.distinct(Artifact.school_id)))) == 6
        kinds = set(db.session.scalars(select(Artifact.kind).distinct()))
        assert kinds == {"protocol", "lesson_plan", "observation_tool", "data_tool", "meeting_agenda", "other"}
        assert count(Artifact, Artifact.url.is_not(None)) >= 3
        assert count(Artifact, Artifact.visibility == "school") >= 1
        # Every file's text was extracted at seed time; PDFs and the image have previews.
        assert count(ArtifactVersion, ArtifactVersion.extraction_status.in_(("pending", "failed"))) == 0
        assert count(ArtifactVersion, ArtifactVersion.preview_status.in_(("pending", "failed"))) == 0
        assert count(ArtifactVersion, ArtifactVersion.preview_sha256.is_not(None)) >= 12
        two_versions = db.session.scalar(
            select(func.count()).select_from(
                select(ArtifactVersion.artifact_id)
                .group_by(ArtifactVersion.artifact_id)
                .having(func.count() == 2)
                .subquery()
            )
        )
        assert two_versions >= 4
        for version in db.session.scalars(select(ArtifactVersion)):
            assert storage.exists(version.sha256)

        # Linked to change ideas and cycles, some at schools other than the sharer's.
        linked_to_ideas = db.session.scalar(select(func.count(func.distinct(artifact_change_ideas.c.artifact_id))))
        assert linked_to_ideas >= 22
        assert count(ArtifactCycleLink) >= 30
        borrowed = count(
            ArtifactCycleLink,
            ArtifactCycleLink.cycle_id.in_(
                select(Cycle.id)
                .join(Artifact, Artifact.school_id != Cycle.school_id)
                .where(Artifact.id == ArtifactCycleLink.artifact_id)
            ),
        )
        assert borrowed >= 8

        # Words that are only inside the files are found.
        assert _titles("parking lot") == ["Ninth-grade success huddle protocol"]  # only in version 2
        assert _titles("weighted categories") == ["Advisory lesson: reading your own gradebook"]
        assert "Second-absence call log" in _titles("grandfather")  # inside a CSV
        assert _titles("Vietnamese") == ["Weekly progress text templates"]  # the description
        assert _titles("Tieng Viet") == ["Weekly progress text templates"]  # the Markdown file
