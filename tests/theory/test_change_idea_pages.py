"""A change idea's page lists the cycles that tested it, school by school, as far as the
viewer may see; the list page filters, searches and pages."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from nic.clock import utcnow
from nic.extensions import db
from nic.services.theory import ideas as theory_ideas
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_cycle


@contextmanager
def counting_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    # A request starts with nothing loaded, as in production (a session per request); here
    # the test's requests share the test's session: expire what earlier requests loaded.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def cycles_of_the_idea(tenant):
    high, middle = tenant.schools
    idea = tenant.change_idea
    shared_middle = make_cycle(
        middle,
        tenant.member.user,
        "Middle school huddle pilot",
        change_idea=idea,
        phase="done",
        act_decision="adapt",
        act_reason="Works for **sixth graders** when the huddle is weekly.",
        scale_count=3,
        scale_unit="classes",
        start_date=date(2026, 9, 7),
        end_date=date(2026, 9, 25),
    )
    private_middle = make_cycle(
        middle, tenant.member.user, "Middle private huddle", change_idea=idea, visibility="school"
    )
    private_high = make_cycle(
        high, tenant.teacher_leader.user, "High private huddle", change_idea=idea, visibility="school"
    )
    deleted = make_cycle(high, tenant.teacher_leader.user, "Deleted huddle", change_idea=idea, deleted_at=utcnow())
    db.session.commit()
    return shared_middle, private_middle, private_high, deleted


def test_cycles_from_two_schools_with_their_decisions(client, tenants, login_as):
    a = tenants.a
    shared_middle, _private_middle, _private_high, _deleted = cycles_of_the_idea(a)
    login_as(a.teacher_leader.user)  # at the high school
    html = client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    assert "Alphaville High School" in html and "Alphaville Middle School" in html
    assert html.index("Alphaville High School</h3>") < html.index("Alphaville Middle School</h3>")  # by school
    assert a.cycle.title in html and "High private huddle" in html and "Middle school huddle pilot" in html
    assert "Middle private huddle" not in html  # kept to the middle school
    assert "Deleted huddle" not in html
    assert f'href="/n/alpha/cycles/{shared_middle.id}"' in html
    assert "Adapt" in html and "3 classes" in html and "<strong>sixth graders</strong>" in html
    assert "3 cycles in 2 schools" in html


def test_a_facilitator_sees_only_what_schools_share(client, tenants, login_as):
    a = tenants.a
    cycles_of_the_idea(a)
    login_as(a.facilitator.user)
    html = client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    assert a.cycle.title in html and "Middle school huddle pilot" in html
    assert "private huddle" not in html
    login_as(a.member.user)  # at the middle school
    html = client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    assert "Middle private huddle" in html and "High private huddle" not in html


def test_the_cycles_come_in_a_fixed_number_of_queries(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    client.get(f"/n/alpha/change-ideas/{a.change_idea.id}")  # warm up
    with counting_queries() as few:
        client.get(f"/n/alpha/change-ideas/{a.change_idea.id}")
    for n in range(6):
        make_cycle(a.schools[n % 2], a.teacher_leader.user, f"Extra {n}", change_idea=a.change_idea)
    db.session.commit()
    with counting_queries() as many:
        html = client.get(f"/n/alpha/change-ideas/{a.change_idea.id}").get_data(as_text=True)
    assert "Extra 5" in html
    assert len(many) == len(few)


def test_the_list_filters_searches_and_pages(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        for n in range(26):
            make_change_idea(a.network, f"Idea number {n}", status="proposed")
        make_change_idea(a.network, "Attendance postcards", status="declined")
        db.session.commit()
    login_as(a.principal.user)
    first = client.get("/n/alpha/change-ideas").get_data(as_text=True)
    assert "28 change ideas" in first and "page 1 of 2" in first
    assert "Propose a change idea" in first
    declined = client.get("/n/alpha/change-ideas?status=declined").get_data(as_text=True)
    assert "Attendance postcards" in declined and "Idea number" not in declined
    found = client.get("/n/alpha/change-ideas?q=postcards").get_data(as_text=True)
    assert "1 change idea found" in found and "Attendance postcards" in found
    none = client.get("/n/alpha/change-ideas?q=unicorns").get_data(as_text=True)
    assert "Nothing matches" in none


def test_proposing_from_the_list_page(client, tenants, login_as):
    a = tenants.a
    login_as(a.teacher_leader.user)
    response = client.post(
        "/n/alpha/change-ideas", data={"title": "Hallway check-ins", "driver_ids": [str(a.primary_driver.id)]}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hallway check-ins" in page and "Manage this change idea" not in page
    bad = client.post("/n/alpha/change-ideas", data={"title": "x" * 201})
    assert bad.status_code == 422 and "must be at most 200 characters" in bad.get_data(as_text=True)


def test_status_history_comes_from_the_revisions(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        idea = theory_ideas.propose({"title": "Peer tutoring", "driver_ids": [a.primary_driver.id]}, a.member.user)
        theory_ideas.decide(idea.id, "accepted", "Go", a.facilitator.user)
        theory_ideas.update(idea.id, {"status": "spreading"}, a.facilitator.user)
    login_as(a.member.user)
    html = client.get(f"/n/alpha/change-ideas/{idea.id}").get_data(as_text=True)
    history = html[html.index('class="history"') :]
    assert history.index("Proposed") < history.index("Accepted") < history.index("Spreading")
