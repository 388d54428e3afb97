"""The demo network is believable: people in every role, a driver diagram with history,
and about 40 cycles across all schools in every phase, with ramps of three."""

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from nic.demo.seed import DEMO_SLUG, seed_demo
from nic.extensions import db
from nic.models import Aim, ChangeIdea, Cycle, DiagramRevision, Driver, Membership, School, Team
from nic.services.accounts.networks import network_by_slug
from nic.tenancy import use_network


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_seeds_a_believable_network(db_session):
    lines = seed_demo()
    assert any("facilitator" in line for line in lines)
    with use_network(network_by_slug(DEMO_SLUG)):
        assert count(School) == 6 and count(Membership) == 30
        assert count(Aim) == 1 and count(Driver, Driver.kind == "secondary") == 6
        assert count(ChangeIdea) == 10 and count(DiagramRevision) > 10
        assert count(Team) == 12
        assert 38 <= count(Cycle) <= 45
        phases = set(db.session.scalars(select(Cycle.phase).distinct()))
        assert phases == {"plan", "do", "study", "act", "done"}
        schools_with_cycles = db.session.scalar(select(func.count(func.distinct(Cycle.school_id))))
        assert schools_with_cycles == 6
        parent, grandparent = aliased(Cycle), aliased(Cycle)
        ramps_of_three = db.session.scalar(
            select(func.count())
            .select_from(Cycle)
            .join(parent, parent.id == Cycle.parent_id)
            .join(grandparent, grandparent.id == parent.parent_id)
        )
        assert ramps_of_three >= 4
        from nic.models import Channel, Message, Thread

        assert count(Channel) == 2 and count(Thread) >= 3 and count(Message) >= 7
        # Leadership self-assessments (tests/leadership/test_demo_assessments.py has the detail)
        from nic.models import AssessmentRound, Framework, RollupAssessmentSchool

        assert count(Framework) == 1 and count(AssessmentRound) == 3
        assert count(AssessmentRound, AssessmentRound.closed_at.is_(None)) == 1
        assert count(RollupAssessmentSchool) == 3 * 6  # the demo's roll-up includes the rounds
    assert seed_demo() == lines  # idempotent
