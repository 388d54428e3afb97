"""The leadership pages: the heatmap as a table (level in words and colour, change arrows,
each cell linking to that school's consensus), the spread per practice, the round
selector and group filter, the empty state, the live fragment, a school's panel and one
cell's consensus with only the evidence the reader may open."""

from __future__ import annotations

import re

from nic.extensions import db
from nic.models import AssessmentConsensus
from nic.tenancy import use_network
from tests.factories import make_consensus, make_cycle, make_member, make_network, make_school, make_user


def get(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_the_network_view_shows_the_heatmap_for_every_role(client, world, login_as):
    w = world
    for membership in (w.a.facilitator, w.a.principal, w.a.teacher_leader, w.a.member):
        login_as(membership.user)
        response, body = get(client, "/n/alpha/leadership")
        assert response.status_code == 200
        assert "Alphaville fall round: schools by practice" in body
    # s0's p0 cell: the level in words, its colour step, an "up" arrow with words, and a link.
    cell = re.search(
        rf'<td class="heat lvl--2" data-practice="{w.p0.id}" data-rank="1">\s*<a href="([^"]+)">'
        r'Meeting standards<span class="lead-change lead-change--up" data-change="up"',
        body,
    )
    assert cell is not None
    assert cell.group(1) in (
        f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{w.p0.id}",
        f"/n/alpha/assessments/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{w.p0.id}",
    )
    assert "up from Less effective practice in Alphaville spring round" in body
    assert 'data-change="down"' in body and 'data-change="same"' in body and 'data-change="new"' in body
    # The spread per practice, from the roll-up, in words too.
    assert "Less effective practice: 0 · Meeting standards: 2 · College- and career-ready: 1" in body
    assert "data-leadership-body" in body and "js/leadership.js" in body
    assert "Not agreed yet" in body


def test_round_selector_and_group_filter(client, world, login_as):
    w = world
    login_as(w.a.facilitator.user)
    response, body = get(client, f"/n/alpha/leadership?round_id={w.spring.id}")
    assert response.status_code == 200 and "Alphaville spring round: schools by practice" in body
    assert "This is the first round on this framework." in body and "data-change=" not in body
    assert (
        f'<option selected value="{w.spring.id}">' in body
        or f'value="{w.spring.id}" selected' in body
        or re.search(rf'<option[^>]*value="{w.spring.id}"[^>]*selected', body)
    )
    response, body = get(client, "/n/alpha/leadership?group=Cohort+1")
    assert f'data-school="{w.s2.id}"' in body and f'data-school="{w.s0.id}"' not in body
    # An unknown group is ignored, not an error.
    response, body = get(client, "/n/alpha/leadership?group=Nope")
    assert response.status_code == 200 and f'data-school="{w.s0.id}"' in body


def test_the_fragment_is_the_body_alone(client, world, login_as):
    login_as(world.a.facilitator.user)
    response, body = get(client, "/n/alpha/leadership?fragment=1")
    assert response.status_code == 200
    assert "<html" not in body and "schools by practice" in body


def test_a_levels_agreed_since_shows_on_reload(client, world, login_as):
    w = world
    login_as(w.a.facilitator.user)
    _, before = get(client, "/n/alpha/leadership?fragment=1")
    assert f'data-school="{w.s2.id}"' in before
    make_consensus(w.fall, w.s2, w.p1, 2)
    db.session.commit()
    _, after = get(client, "/n/alpha/leadership?fragment=1")
    assert after.count("College- and career-ready<span") == before.count("College- and career-ready<span") + 1


def test_empty_state_when_no_round_has_a_level(client, db_session, login_as):
    network = make_network("gamma", "Gamma")
    make_school(network, "Gamma High")
    person = make_member(network, "facilitator", user=make_user("f@gamma.org", "Gamma Facilitator"))
    db_session.commit()
    login_as(person.user)
    response, body = get(client, "/n/gamma/leadership")
    assert response.status_code == 200 and "No levels agreed yet" in body
    response, body = get(client, "/n/gamma/leadership/schools/0")
    assert response.status_code == 404


def test_the_school_panel(client, world, login_as):
    w = world
    login_as(w.a.member.user)  # any member of the network (here of another school) reads it
    response, body = get(client, f"/n/alpha/leadership/schools/{w.s0.id}")
    assert response.status_code == 200
    weak = re.findall(r'<li class="card" id="practice-(\d+)"', body)
    assert weak == [str(w.p1.id), str(w.p0.id)]
    assert w.a.change_idea.title in body and w.declined_idea.title not in body
    assert "Alphaville Peer Principal" in body
    assert body.count(">Start a discussion</button>") == 2
    assert f'name="peer_id" value="{w.s1.id}"' in body
    # Every practice in a table, with the level in words.
    assert "Every practice" in body and "Not agreed yet" in body


def test_the_school_panel_empty_state(client, world, login_as):
    login_as(world.a.facilitator.user)
    response, body = get(client, f"/n/alpha/leadership/schools/{world.s1.id}?round_id={world.spring.id}")
    assert response.status_code == 200 and "No levels agreed yet" in body


def test_one_cells_consensus_with_only_the_evidence_the_reader_may_open(client, world, login_as):
    w = world
    private = make_cycle(w.s0, w.a.teacher_leader.user, "Alphaville private evidence", visibility="school")
    with use_network(w.a.network):
        consensus = db.session.get(AssessmentConsensus, w.a.consensus.id)
        from nic.models import ConsensusEvidence

        consensus.evidence.append(ConsensusEvidence(cycle_id=private.id))
        db.session.flush()
    db.session.commit()
    url = f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s0.id}/practices/{w.p0.id}"
    login_as(w.a.member.user)  # another school's member
    response, body = get(client, url)
    assert response.status_code == 200
    assert "Alphaville agreed evidence" in body and w.a.cycle.title in body
    assert "Alphaville private evidence" not in body and "1 more piece of evidence the school keeps" in body
    assert "in Alphaville spring round: Less effective practice" in body
    login_as(w.a.teacher_leader.user)  # the school's own people see their private cycle
    _, body = get(client, url)
    assert "Alphaville private evidence" in body
    # A practice with no agreed level, or outside the round's framework: 404.
    assert (
        client.get(f"/n/alpha/leadership/rounds/{w.fall.id}/schools/{w.s2.id}/practices/{w.p1.id}").status_code == 404
    )
