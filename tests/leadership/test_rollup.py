"""The assessment roll-up: numbers equal a hand count, an incremental run equals a full
one, another network's rows never reach the snapshot, and only counts of the private
ratings are kept."""

from sqlalchemy import select

from nic.extensions import db
from nic.models import RollupAssessmentPractice, RollupAssessmentSchool
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.leadership.world import roll_up


def school_rows(network):
    with use_network(network):
        rows = db.session.scalars(select(RollupAssessmentSchool)).all()
        return {
            (r.round_id, r.school_id): (r.raters, r.ratings, r.agreed_practices, r.total_practices, r.mean_rank)
            for r in rows
        }


def practice_rows(network):
    with use_network(network):
        rows = db.session.scalars(select(RollupAssessmentPractice)).all()
        return {(r.round_id, r.practice_id, r.level_rank): r.schools for r in rows}


def expected_school_rows(w):
    practices = len(w.a.framework.practices)
    return {
        # fall: the teacher rated p0, the principal p1; agreed p0 (1) and p1 (1)
        (w.fall.id, w.s0.id): (2, 2, 2, practices, 1.0),
        (w.fall.id, w.s1.id): (0, 0, 2, practices, 2.0),
        (w.fall.id, w.s2.id): (0, 0, 1, practices, 1.0),
        # spring: the principal rated p0; agreed p0 (0) and p1 (2)
        (w.spring.id, w.s0.id): (1, 1, 2, practices, 1.0),
        (w.spring.id, w.s1.id): (0, 0, 0, practices, None),
        (w.spring.id, w.s2.id): (0, 0, 1, practices, 1.0),
    }


EXPECTED_PRACTICES = lambda w: {  # noqa: E731 - a table, read like one
    (w.fall.id, w.p0.id, 1): 2,
    (w.fall.id, w.p0.id, 2): 1,
    (w.fall.id, w.p1.id, 1): 1,
    (w.fall.id, w.p1.id, 2): 1,
    (w.spring.id, w.p0.id, 0): 1,
    (w.spring.id, w.p0.id, 1): 1,
    (w.spring.id, w.p1.id, 2): 1,
}


def check_by_hand(w):
    assert school_rows(w.a.network) == expected_school_rows(w)
    assert practice_rows(w.a.network) == EXPECTED_PRACTICES(w)


def test_full_roll_up_equals_the_hand_count(world):
    check_by_hand(world)


def test_another_networks_rows_stay_out(world):
    a_rows, b_rows = school_rows(world.a.network), school_rows(world.b.network)
    a_rounds = {round_id for round_id, _ in a_rows}
    b_rounds = {round_id for round_id, _ in b_rows}
    assert a_rounds == {world.fall.id, world.spring.id} and b_rounds == {world.b.round.id}
    assert set(b_rows) == {(world.b.round.id, s.id) for s in world.b.schools}
    # Beta's own figures: its teacher's rating and its one consensus.
    assert b_rows[(world.b.round.id, world.b.schools[0].id)][:3] == (1, 1, 1)
    assert practice_rows(world.b.network) == {(world.b.round.id, world.b.framework.practices[0].id, 1): 1}


def test_incremental_run_equals_full(world):
    from tests.factories import make_consensus

    make_consensus(world.fall, world.s2, world.p1, 0)
    db.session.commit()
    with use_network(world.a.network):
        rollups.compute(school_id=world.s2.id)
        db.session.commit()
    incremental = school_rows(world.a.network), practice_rows(world.a.network)
    assert incremental[0][(world.fall.id, world.s2.id)][2:] == (2, len(world.a.framework.practices), 0.5)
    assert incremental[1][(world.fall.id, world.p1.id, 0)] == 1
    roll_up(world.a.network)
    assert (school_rows(world.a.network), practice_rows(world.a.network)) == incremental


def test_rerun_gives_the_same_rows(world):
    before = school_rows(world.a.network), practice_rows(world.a.network)
    roll_up(world.a.network)
    assert (school_rows(world.a.network), practice_rows(world.a.network)) == before


def test_roll_up_on_sqlite_matches_the_hand_count(sqlite_app):
    from tests import factories
    from tests.leadership.world import build

    app = sqlite_app
    assert db.engine.dialect.name == "sqlite" and app
    tenants = factories.two_networks()
    db.session.commit()
    check_by_hand(build(tenants))
