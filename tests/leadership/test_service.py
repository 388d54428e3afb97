"""The network view's numbers: the heatmap, the change since the previous round, the
spread per practice, the default round, group filter, weakest practices, linked change
ideas and peers."""

from nic.services.assessments import leadership, leadership_school
from nic.tenancy import use_network
from tests.factories import make_round


def cells_by_school(view):
    return {row.school.id: {c.practice_id: (c.level.rank, c.change) for c in row.cells if c} for row in view.rows}


def test_default_round_is_the_latest_with_a_level(world):
    with use_network(world.a.network):
        make_round(world.a.framework, "Alphaville empty winter round")  # newer, nothing agreed
        assert leadership.pick_round(None).id == world.fall.id
        choices = leadership.round_choices()
        assert next(c.round.name for c in choices) == "Alphaville empty winter round"
        assert {c.round.id: c.has_consensus for c in choices}[world.fall.id] is True


def test_heatmap_levels_and_changes_since_the_previous_round(world):
    w = world
    with use_network(w.a.network):
        schools, total = leadership.school_page()
        assert total == 3
        view = leadership.heatmap(w.fall, schools)
        assert view.previous_round.id == w.spring.id
        assert [lv.name for lv in view.levels] == [
            "Less effective practice",
            "Meeting standards",
            "College- and career-ready",
        ]
        assert [lv.tone for lv in view.levels] == [0, 2, 4]
        cells = cells_by_school(view)
        assert cells[w.s0.id] == {w.p0.id: (1, "up"), w.p1.id: (1, "down")}
        assert cells[w.s1.id] == {w.p0.id: (2, "new"), w.p1.id: (2, "new")}
        assert cells[w.s2.id] == {w.p0.id: (1, "same")}
        row = next(r for r in view.rows if r.school.id == w.s0.id)
        assert row.agreed == 2 and len(row.cells) == len(w.a.framework.practices)
        assert row.cells[0].previous.name == "Less effective practice"


def test_the_first_round_has_no_changes(world):
    with use_network(world.a.network):
        view = leadership.heatmap(world.spring, leadership.school_page()[0])
        assert view.previous_round is None
        assert {c.change for row in view.rows for c in row.cells if c} == {None}


def test_distribution_comes_from_the_roll_up(world):
    w = world
    with use_network(w.a.network):
        view = leadership.heatmap(w.fall, leadership.school_page()[0])
        spread = {d.practice.id: d.counts for d in view.distribution}
        assert spread[w.p0.id] == [0, 2, 1] and spread[w.p1.id] == [0, 1, 1]
        assert spread[w.a.framework.practices[2].id] == [0, 0, 0]
        assert view.computed_at is not None


def test_group_filter(world):
    with use_network(world.a.network):
        assert leadership.groups() == ["Cohort 1"]
        schools, total = leadership.school_page("Cohort 1")
        assert [s.id for s in schools] == [world.s2.id] and total == 1


def test_weakest_practices_ties_go_to_where_the_network_is_higher(world):
    w = world
    with use_network(w.a.network):
        weak = leadership_school.weakest(w.fall, w.s0.id)
        # Both at rank 1; the network's mean is 1.5 on p1 and 1.33 on p0.
        assert [x.practice.id for x in weak] == [w.p1.id, w.p0.id]
        assert round(weak[0].network_mean, 2) == 1.5 and round(weak[1].network_mean, 2) == 1.33


def test_linked_change_ideas_direct_and_through_drivers_declined_hidden(world):
    w = world
    with use_network(w.a.network):
        weak = {x.practice.id: x for x in leadership_school.weakest(w.fall, w.s0.id)}
        assert [i.id for i in weak[w.p1.id].change_ideas] == [w.a.change_idea.id]  # direct
        assert [i.id for i in weak[w.p0.id].change_ideas] == [w.a.change_idea.id]  # via its driver
        assert w.declined_idea.id not in {i.id for x in weak.values() for i in x.change_ideas}


def test_peers_are_schools_agreed_higher_with_their_principals(world):
    w = world
    with use_network(w.a.network):
        weak = {x.practice.id: x for x in leadership_school.weakest(w.fall, w.s0.id)}
        for practice in (w.p0, w.p1):
            peers = weak[practice.id].peers
            assert [p.school.id for p in peers] == [w.s1.id]  # s2 is at the same level on p0: not a peer
            assert peers[0].level.rank == 2 and peers[0].round.id == w.fall.id
            assert [u.id for u in peers[0].principals] == [w.peer_principal.user.id]


def test_peers_use_their_most_recent_round(world):
    """In the spring round, s0 agreed p0 at the lowest level; s2's level then (1) makes it
    a peer, and s1 (which only agreed in the later fall round) is not one yet."""
    w = world
    with use_network(w.a.network):
        weak = {x.practice.id: x for x in leadership_school.weakest(w.spring, w.s0.id)}
        assert list(weak) == [w.p0.id]  # p1 was at the top level in spring
        assert [(p.school.id, p.round.id) for p in weak[w.p0.id].peers] == [(w.s2.id, w.spring.id)]


def test_a_school_at_the_top_everywhere_has_no_weakest(world):
    w = world
    with use_network(w.a.network):
        assert leadership_school.weakest(w.fall, w.s1.id) == []
