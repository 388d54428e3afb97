"""Quality nudges: each rule on a hand-built cycle, and the per-school counts agreeing
with the per-cycle answers."""

from nic.permissions import visible_cycles_clause
from nic.services.cycles.nudges import counts_by_school, cycle_nudges
from nic.tenancy import use_network
from tests import factories


def codes(cycle):
    return {n.code for n in cycle_nudges(cycle.id)}


def test_a_complete_first_test_has_no_nudges(tenants):
    school = tenants.a.schools[1]
    cycle = factories.make_cycle(
        school,
        questions=[("Will it work?", "Mostly")],
        plan_measure="On-track rate",
        scale_count=1,
        scale_unit="classes",
        do_observations="Ran it",
        study_learned="It did",
    )
    with use_network(tenants.a.network):
        assert codes(cycle) == set()


def test_each_rule(tenants):
    school = tenants.a.schools[1]
    no_questions = factories.make_cycle(school, plan_measure="m", scale_count=1, scale_unit="classes")
    blank_prediction = factories.make_cycle(school, questions=[("Q1", "P1"), ("Q2", " ")], plan_measure="m")
    no_measure = factories.make_cycle(school, questions=[("Q", "P")])
    early_study = factories.make_cycle(school, questions=[("Q", "P")], plan_measure="m", study_learned="We learned")
    big_first = factories.make_cycle(
        school, questions=[("Q", "P")], plan_measure="m", scale_count=120, scale_unit="students"
    )
    big_ramp = factories.make_cycle(
        school, questions=[("Q", "P")], plan_measure="m", scale_count=120, scale_unit="students", parent=big_first
    )
    with use_network(tenants.a.network):
        assert codes(no_questions) == {"no_prediction"}
        assert codes(blank_prediction) == {"no_prediction"}
        assert codes(no_measure) == {"no_measure"}
        assert codes(early_study) == {"study_before_data"}
        assert codes(big_first) == {"scale_too_big"}
        assert codes(big_ramp) == set()  # ramps are meant to grow


def test_counts_by_school_match_the_cycles(tenants):
    school = tenants.a.schools[1]
    factories.make_cycle(school, plan_measure="m")
    factories.make_cycle(school, questions=[("Q", "P")])
    factories.make_cycle(school, questions=[("Q", "P")], visibility="school")  # not the facilitator's to see
    with use_network(tenants.a.network):
        counts = counts_by_school(visible_cycles_clause(tenants.a.facilitator))
    assert counts[school.id] == {
        "cycles": 2,
        "no_prediction": 1,
        "no_measure": 1,
        "study_before_data": 0,
        "scale_too_big": 0,
    }
    assert tenants.b.schools[0].id not in counts
