"""The assessment pages, without JavaScript: the rounds list and opening a round, a round's
progress, closing with a confirmation that counts schools part-way through, and a school's
"My ratings", "Team view" and "Consensus" (with evidence picker and version), read-only
and marked partial once closed."""

from __future__ import annotations

import re

from nic.extensions import db
from nic.models import AssessmentConsensus, AssessmentRating, AssessmentRound
from nic.tenancy import use_network
from tests.factories import make_consensus, make_rating, make_round


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def school_url(a, school=0, **query):
    url = f"/n/{a.network.slug}/assessments/rounds/{a.round.id}/schools/{a.schools[school].id}"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def levels(tenant):
    return [level["key"] for level in tenant.framework.document["levels"]]


def test_rounds_list_open_and_past_with_the_open_form_for_facilitators(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        make_round(a.framework, "Alphaville spring past", closed=True)
    login_as(a.facilitator.user)
    response, body = page(client, f"/n/{a.network.slug}/assessments/")
    assert response.status_code == 200
    assert "Alphaville fall round" in body and "Alphaville spring past" in body
    assert "Open a round" in body and a.framework.name in body
    assert "Betatown" not in body
    login_as(a.member.user)
    _response, body = page(client, f"/n/{a.network.slug}/assessments/")
    assert "Open a round" not in body
    assert f"/assessments/rounds/{a.round.id}/schools/{a.schools[1].id}" in body  # their school's link


def test_empty_states(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        a.round.closed_at = a.round.opened_at
        db.session.commit()
    login_as(a.member.user)
    _response, body = page(client, f"/n/{a.network.slug}/assessments/")
    assert "No round is open" in body


def test_opening_a_round_from_the_form(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    url = f"/n/{a.network.slug}/assessments/rounds"
    refused = client.post(url, data={"framework_id": "", "name": ""})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "There are some problems" in text and "is not a framework of this network" in text
    done = client.post(
        url, data={"framework_id": str(a.framework.id), "name": "Alphaville winter", "due_on": "2027-02-01"}
    )
    assert done.status_code == 302
    with use_network(a.network):
        created = db.session.query(AssessmentRound).filter_by(name="Alphaville winter").one()
        assert created.due_on.isoformat() == "2027-02-01" and created.opened_by_id == a.facilitator.user_id
    login_as(a.principal.user)
    assert client.post(url, data={"framework_id": str(a.framework.id), "name": "No"}).status_code == 403


def test_round_page_shows_progress_bars_per_school(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    response, body = page(client, f"/n/{a.network.slug}/assessments/rounds/{a.round.id}")
    assert response.status_code == 200
    row = re.search(rf'<tr id="school-{a.schools[0].id}">(.*?)</tr>', body, re.S).group(1)
    assert "1 of 20 practices agreed (5%)" in row and 'style="width: 5%"' in row
    assert "your school" in row and "In progress" in row
    assert "Close the round" not in body  # facilitators only
    login_as(a.facilitator.user)
    _response, body = page(client, f"/n/{a.network.slug}/assessments/rounds/{a.round.id}")
    assert "Close the round" in body


def test_closing_asks_first_then_keeps_and_marks_partial(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    url = f"/n/{a.network.slug}/assessments/rounds/{a.round.id}/close"
    _response, body = page(client, url)
    assert "1 school is part-way through" in body and "Alphaville High School" in body
    assert "1 school has not started" in body
    assert client.post(url).status_code == 302
    login_as(a.teacher_leader.user)
    _response, body = page(client, school_url(a))
    assert "read-only" in body and "<strong>partial</strong>" in body and "Partial: closed part-way" in body
    assert "Record consensus" not in body and "Our consensus is finished" not in body
    _response, mine = page(client, school_url(a, view="mine"))
    assert 'type="radio"' not in mine and "Meeting standards" in mine  # my rating, read-only
    saved = client.post(
        school_url(a) + "/ratings",
        data={f"level-{a.framework.practices[0].id}": levels(a)[2], "only": str(a.framework.practices[0].id)},
    )
    assert saved.status_code == 422 and "round is closed" in saved.get_data(as_text=True)
    with use_network(a.network):
        assert db.session.get(AssessmentRating, a.rating.id).level_rank == 1


def test_my_ratings_show_descriptors_as_radios_and_save_one_or_all(client, tenants, login_as):
    a = tenants.a
    p0, p1, p2 = a.framework.practices[:3]
    login_as(a.teacher_leader.user)
    _response, body = page(client, school_url(a))  # the leadership team lands on "My ratings"
    assert 'aria-current="page">My ratings' in body
    fieldset = re.search(rf'<fieldset class="practice card" id="practice-{p0.id}".*?</fieldset>', body, re.S).group(0)
    assert fieldset.count('type="radio"') == 3
    assert re.search(rf'name="level-{p0.id}" value="{levels(a)[1]}" checked', fieldset)  # the factory rating
    assert "Alphaville private note" in fieldset
    assert "Guiding questions" in body and "Less effective practice" in body
    one = client.post(
        school_url(a) + "/ratings",
        data={
            f"level-{p1.id}": levels(a)[2],
            f"note-{p1.id}": "Strong",
            f"level-{p2.id}": levels(a)[0],
            "only": str(p1.id),
        },
    )
    assert one.status_code == 302 and one.headers["Location"].endswith(f"#practice-{p1.id}")
    with use_network(a.network):
        mine = {
            r.practice_id: r for r in db.session.query(AssessmentRating).filter_by(user_id=a.teacher_leader.user_id)
        }
        assert set(mine) == {p0.id, p1.id} and mine[p1.id].note == "Strong"
    everything = client.post(
        school_url(a) + "/ratings", data={f"level-{p1.id}": levels(a)[1], f"level-{p2.id}": levels(a)[0]}
    )
    assert everything.status_code == 302
    with use_network(a.network):
        db.session.expire_all()
        mine = {
            r.practice_id: r.level_rank
            for r in db.session.query(AssessmentRating).filter_by(user_id=a.teacher_leader.user_id)
        }
        assert mine == {p0.id: 1, p1.id: 1, p2.id: 0}


def test_a_bad_level_comes_back_with_the_error_beside_the_practice(client, tenants, login_as):
    a = tenants.a
    p1 = a.framework.practices[1]
    login_as(a.principal.user)
    response = client.post(school_url(a) + "/ratings", data={f"level-{p1.id}": "brilliant", f"note-{p1.id}": "kept"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'href="#practice-{p1.id}"' in body and "must be one of this framework" in body
    assert f'id="level-{p1.id}-error"' in body and ">kept</textarea>" in body
    with use_network(a.network):
        assert db.session.query(AssessmentRating).filter_by(user_id=a.principal.user_id).count() == 0


def test_members_outside_the_ilt_see_the_consensus_and_cannot_rate(client, tenants, login_as):
    a = tenants.a
    login_as(a.member.user)  # schools[1], on no ILT
    _response, body = page(client, school_url(a, school=1))
    assert "My ratings" not in body and 'aria-current="page">Consensus' in body
    assert "Team view" in body  # a member of the school reads its ratings
    response = client.post(
        school_url(a, school=1) + "/ratings", data={f"level-{a.framework.practices[0].id}": levels(a)[0]}
    )
    assert response.status_code == 403


def test_team_view_shows_everyone_side_by_side(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        make_rating(a.round, a.schools[0], a.principal.user, a.framework.practices[0], 0)
        db.session.commit()
    login_as(a.principal.user)
    _response, body = page(client, school_url(a, view="team"))
    assert "Alphaville Principal" in body and "Alphaville Teacher" in body
    assert "1 level apart" in body and "No one has rated yet" not in body


def test_consensus_form_with_evidence_and_version(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    p1 = a.framework.practices[1]
    url = f"/n/{a.network.slug}/assessments/rounds/{a.round.id}/schools/{a.schools[0].id}/practices/{p1.id}"
    login_as(a.principal.user)
    _response, body = page(client, url)
    assert 'name="version" value="0"' in body
    assert f'value="cycle:{a.cycle.id}"' in body and f'value="artifact:{a.artifact.id}"' in body
    assert f'value="measure:{a.measure.id}"' in body and "Suggested cycles" in body
    saved = client.post(
        url,
        data={
            "level": levels(a)[1],
            "notes": "Walkthrough notes",
            "version": "0",
            "evidence": [f"cycle:{a.cycle.id}", f"measure:{a.measure.id}"],
        },
    )
    assert saved.status_code == 302
    _response, body = page(client, url)
    assert 'name="version" value="1"' in body and f'value="cycle:{a.cycle.id}" checked' in body
    stale = client.post(url, data={"level": levels(a)[0], "version": "0"})
    assert stale.status_code == 409 and "Someone changed this consensus" in stale.get_data(as_text=True)
    other = client.post(url, data={"level": levels(a)[0], "version": "1", "evidence": [f"cycle:{b.cycle.id}"]})
    assert other.status_code == 422 and "you can see in this network" in other.get_data(as_text=True)
    with use_network(a.network):
        row = db.session.query(AssessmentConsensus).filter_by(practice_id=p1.id).one()
        assert (row.version, row.level_rank, row.notes) == (1, 1, "Walkthrough notes")
    # shared with the network: another school's member reads it, without a form
    login_as(a.member.user)
    _response, body = page(client, url)
    assert "Walkthrough notes" in body and 'name="level"' not in body and a.cycle.title in body


def test_marking_the_consensus_finished(client, tenants, login_as):
    a = tenants.a
    login_as(a.principal.user)
    url = school_url(a) + "/finished"
    _response, body = page(client, school_url(a, view="consensus"))
    assert "19 to go" in body and "Our consensus is finished" not in body
    client.post(url, data={"finished": "1"})  # posted anyway: refused, said plainly
    _response, body = page(client, school_url(a, view="consensus"))
    assert "Not finished yet" in body and "19 practices have no consensus yet" in body
    with use_network(a.network):
        for p in a.framework.practices[1:]:
            make_consensus(a.round, a.schools[0], p, 2)
        db.session.commit()
    assert client.post(url, data={"finished": "1"}).status_code == 302
    _response, body = page(client, school_url(a, view="consensus"))
    assert "Reopen for changes" in body and "finished" in body


def test_the_round_page_pages_through_many_schools(client, tenants, login_as):
    from tests.factories import make_school

    a = tenants.a
    for n in range(55):
        make_school(a.network, f"Alphaville School {n:02d}")
    db.session.commit()
    login_as(a.facilitator.user)
    _response, first = page(client, f"/n/{a.network.slug}/assessments/rounds/{a.round.id}")
    assert "0 of 57 schools agreed every practice" in first and "1–50 of 57" in first
    _response, second = page(client, f"/n/{a.network.slug}/assessments/rounds/{a.round.id}?page=2")
    assert "Alphaville School 54" in second and "Alphaville High School" not in second


def test_with_no_framework_the_open_form_says_what_to_do_first(client, tenants, login_as):
    from nic.clock import utcnow

    a = tenants.a
    with use_network(a.network):
        a.framework.archived_at = utcnow()
        db.session.commit()
    login_as(a.facilitator.user)
    _response, body = page(client, f"/n/{a.network.slug}/assessments/")
    assert "the network has none yet (or all are archived)" in body
    assert f'href="/n/{a.network.slug}/frameworks/"' in body
