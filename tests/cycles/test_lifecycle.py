"""A cycle's life through the browser: planned by a teacher leader, moved Plan -> Do ->
Study -> Act -> Done with each phase's required fields, stepped back, ramped on."""

from sqlalchemy import select

from nic.extensions import db
from nic.models import Cycle
from nic.tenancy import use_network
from tests.cycles.conftest import form_for, history_of, moves_of, reload


def new_cycle_form(a, **changes) -> dict:
    data = {
        "title": "Exit tickets in algebra",
        "team_id": str(a.team.id),
        "owner_id": str(a.teacher_leader.user.id),
        "change_idea_id": str(a.change_idea.id),
        "scale_count": "1",
        "scale_unit": "classes",
        "start_date": "2026-09-07",
        "end_date": "2026-09-18",
        "visibility": "network",
        "plan_objective": "See whether **daily exit tickets** surface who is falling behind.",
        "questions-0-question": "Will teachers use the tickets every day?",
        "questions-0-prediction": "Yes, four days of five",
        "questions-1-question": "Will the tickets flag students we missed?",
        "questions-1-prediction": "Two or three per class",
        "questions-2-question": "",
        "questions-2-prediction": "",
        "plan_who": "Ms. Rivera's period 2",
        "plan_what": "Three-question ticket",
        "plan_when": "Two weeks",
        "plan_where": "Room 114",
        "plan_data": "Ticket scores by student",
        "plan_measure": "Students flagged weekly",
        "coauthor_ids": [str(a.principal.user.id)],
    }
    data.update(changes)
    return data


def create(client, a, **changes) -> Cycle:
    response = client.post("/n/alpha/cycles/new", data=new_cycle_form(a, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    cycle_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return reload(a, cycle_id)


def move(client, cycle, to):
    return client.post(f"/n/alpha/cycles/{cycle.id}/phase", data={"to": to})


def test_teacher_leader_plans_a_cycle_with_every_header_field(client, a, login_as):
    login_as(a.teacher_leader.user)
    page = client.get("/n/alpha/cycles/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert a.team.name in html and a.change_idea.title in html and 'name="add_question"' in html
    cycle = create(client, a)
    assert cycle.title == "Exit tickets in algebra" and cycle.phase == "plan" and cycle.version == 1
    assert (cycle.team_id, cycle.owner_id, cycle.change_idea_id) == (
        a.team.id,
        a.teacher_leader.user.id,
        a.change_idea.id,
    )
    assert (cycle.scale_count, cycle.scale_unit, cycle.visibility) == (1, "classes", "network")
    assert cycle.start_date.isoformat() == "2026-09-07" and cycle.school_id == a.schools[0].id
    assert [(q.question, q.prediction) for q in cycle.questions] == [
        ("Will teachers use the tickets every day?", "Yes, four days of five"),
        ("Will the tickets flag students we missed?", "Two or three per class"),
    ]
    assert [u.id for u in cycle.coauthors] == [a.principal.user.id]
    shown = client.get(f"/n/alpha/cycles/{cycle.id}").get_data(as_text=True)
    assert "<strong>daily exit tickets</strong>" in shown
    assert "Four days of five" not in shown and "four days of five" in shown


def test_add_another_question_works_without_javascript(client, a, login_as):
    login_as(a.teacher_leader.user)
    form = new_cycle_form(a, add_question="1")
    response = client.post("/n/alpha/cycles/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="questions-3-question"' in html  # one more row than was posted
    assert "Will the tickets flag students we missed?" in html  # what was typed is kept
    with use_network(a.network):
        assert db.session.scalar(select(Cycle).where(Cycle.title == "Exit tickets in algebra")) is None


def test_full_life_cycle_through_every_phase(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = create(client, a)
    assert move(client, cycle, "do").status_code == 302
    cycle = reload(a, cycle.id)
    assert cycle.phase == "do"
    edit = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(
            cycle,
            do_as_planned="no",
            do_observations="Tickets came back on four of five days.",
            do_problems="Fire drill on day three.",
        ),
    )
    assert edit.status_code == 302
    assert move(client, reload(a, cycle.id), "study").status_code == 302
    cycle = reload(a, cycle.id)
    edit = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(
            cycle,
            **{
                "questions-0-result": "Four of five days, as predicted",
                "questions-1-result": "Five students",
                "study_learned": "Tickets catch students the gradebook hides.",
            },
        ),
    )
    assert edit.status_code == 302
    assert move(client, reload(a, cycle.id), "act").status_code == 302
    cycle = reload(a, cycle.id)
    edit = client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(
            cycle, act_decision="adopt", act_reason="It worked in one class.", act_next="Try it in three classes."
        ),
    )
    assert edit.status_code == 302
    assert move(client, reload(a, cycle.id), "done").status_code == 302
    cycle = reload(a, cycle.id)
    assert cycle.phase == "done" and cycle.act_decision == "adopt" and cycle.do_as_planned is False
    assert [(m.from_phase, m.to_phase, m.user_id) for m in moves_of(a, cycle.id)] == [
        ("plan", "do", a.teacher_leader.user.id),
        ("do", "study", a.teacher_leader.user.id),
        ("study", "act", a.teacher_leader.user.id),
        ("act", "done", a.teacher_leader.user.id),
    ]
    page = client.get(f"/n/alpha/cycles/{cycle.id}").get_data(as_text=True)
    assert "Act → <strong>Done</strong>" in page and "Five students" in page
    # one step back, recorded like any move
    assert move(client, cycle, "act").status_code == 302
    assert reload(a, cycle.id).phase == "act"
    assert moves_of(a, cycle.id)[-1].to_phase == "act"


def test_moving_forward_names_what_is_missing_and_moves_nothing(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = create(client, a, plan_objective="", **{"questions-0-prediction": "", "questions-1-prediction": ""})
    response = move(client, cycle, "do")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "write the Plan&#39;s objective" in html and "add at least one question with its prediction" in html
    assert reload(a, cycle.id).phase == "plan" and moves_of(a, cycle.id) == []

    client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(reload(a, cycle.id), plan_objective="Find out", **{"questions-0-prediction": "Yes"}),
    )
    assert move(client, reload(a, cycle.id), "do").status_code == 302
    html = move(client, reload(a, cycle.id), "study").get_data(as_text=True)
    assert "say whether the test was carried out as planned" in html and "record what was observed" in html

    cycle = reload(a, cycle.id)
    client.post(
        f"/n/alpha/cycles/{cycle.id}/edit", data=form_for(cycle, do_as_planned="yes", do_observations="Went fine")
    )
    assert move(client, reload(a, cycle.id), "study").status_code == 302
    html = move(client, reload(a, cycle.id), "act").get_data(as_text=True)
    assert "write the result of every question" in html and "write what was learned" in html

    cycle = reload(a, cycle.id)
    client.post(
        f"/n/alpha/cycles/{cycle.id}/edit",
        data=form_for(cycle, study_learned="Plenty", **{"questions-0-result": "Yes", "questions-1-result": "No"}),
    )
    assert move(client, reload(a, cycle.id), "act").status_code == 302
    html = move(client, reload(a, cycle.id), "done").get_data(as_text=True)
    assert "choose adopt, adapt or abandon" in html and "give the reason for the decision" in html
    assert reload(a, cycle.id).phase == "act"


def test_moves_go_one_step_at_a_time_and_a_repeat_moves_nothing(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = create(client, a)
    assert move(client, cycle, "study").status_code == 422  # skipping Do
    assert move(client, cycle, "plan").status_code == 302  # already there: nothing happens
    assert moves_of(a, cycle.id) == []
    move(client, cycle, "do")
    move(client, cycle, "do")  # the same button twice
    assert len(moves_of(a, cycle.id)) == 1


def test_the_cycle_page_shows_nudges_chain_and_timeline(client, a, login_as):
    login_as(a.teacher_leader.user)
    cycle = create(
        client, a, plan_measure="", scale_count="30", scale_unit="students", **{"questions-1-prediction": ""}
    )
    html = client.get(f"/n/alpha/cycles/{cycle.id}").get_data(as_text=True)
    assert "What this cycle still needs" in html
    for code in ("no_prediction", "no_measure", "scale_too_big"):
        assert f'data-nudge="{code}"' in html
    assert 'data-nudge="study_before_data"' not in html
    assert "Started in Plan" in html and "stands alone" in html
    assert "Move to Do" in html and "Edit worksheet" in html


def test_ramps_make_a_chain_of_three(client, a, login_as):
    login_as(a.teacher_leader.user)
    first = create(client, a)
    with use_network(a.network):
        row = db.session.scalar(select(Cycle).where(Cycle.id == first.id))
        row.phase, row.do_as_planned, row.do_observations = "act", True, "Done"
        row.study_learned = "Learned"
        for q in row.questions:
            q.result = "Seen"
        db.session.commit()
    response = client.post(f"/n/alpha/cycles/{first.id}/next", data={"kind": "adapt"})
    assert response.status_code == 302
    second_id = int(response.headers["Location"].split("/")[-1])
    assert reload(a, first.id).act_decision == "adapt"
    second = reload(a, second_id)
    assert second.parent_id == first.id and second.phase == "plan"
    assert (second.title, second.team_id, second.change_idea_id, second.scale_count, second.visibility) == (
        first.title,
        first.team_id,
        first.change_idea_id,
        first.scale_count,
        first.visibility,
    )
    assert second.plan_objective == first.plan_objective and second.plan_measure == first.plan_measure
    assert [(q.question, q.prediction, q.result) for q in second.questions] == [
        (q.question, q.prediction, "") for q in first.questions
    ]
    assert [u.id for u in second.coauthors] == [a.principal.user.id]
    assert second.do_observations == "" and second.study_learned == "" and second.act_decision is None

    # a ramp starts only from Act (or Done)
    assert client.post(f"/n/alpha/cycles/{second.id}/next", data={"kind": "next"}).status_code == 422
    with use_network(a.network):
        db.session.scalar(select(Cycle).where(Cycle.id == second.id)).phase = "act"
        db.session.commit()
    response = client.post(f"/n/alpha/cycles/{second.id}/next", data={"kind": "next"})
    third_id = int(response.headers["Location"].split("/")[-1])
    assert reload(a, second.id).act_decision is None  # "Next cycle" leaves the decision alone
    assert reload(a, third_id).parent_id == second.id

    for cycle_id in (first.id, second.id, third_id):
        html = client.get(f"/n/alpha/cycles/{cycle_id}").get_data(as_text=True)
        chain = html[html.index('id="chain"') :]
        links = [
            chain.index(f'/n/alpha/cycles/{i}"') if i != cycle_id else chain.index('aria-current="page"')
            for i in (first.id, second.id, third_id)
        ]
        assert links == sorted(links), "the chain lists the cycles in order"
    assert 'aria-current="page"' in html
    assert history_of(a, third_id)[0].fields["parent_id"] == {"old": None, "new": second.id}


def test_chain_queries_do_not_grow_with_the_chain(app, a):
    """The chain is three queries however long: no query per cycle."""
    from sqlalchemy import event

    from nic.permissions import visible_cycles_clause
    from nic.services.cycles.chain import chain
    from tests.factories import make_cycle

    cycles = [a.cycle]
    for _ in range(6):
        cycles.append(make_cycle(a.schools[0], a.teacher_leader.user, parent=cycles[-1]))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with use_network(a.network):
        # What a view has loaded before it asks for the chain (the factories' commits expired it).
        clause = visible_cycles_clause(a.teacher_leader)
        db.session.refresh(cycles[3])
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            links = chain(cycles[3], clause)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert [link.cycle.id for link in links] == [c.id for c in cycles]
    assert [link.is_current for link in links].index(True) == 3
    assert len(statements) <= 3
