"""The library page: search (words inside the files too), filters, sorting, pages, and
"used in N cycles at M schools" counted over visible cycles only, in one grouped query."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from nic.clock import utcnow
from nic.extensions import db
from nic.tenancy import use_network
from tests.artifacts.conftest import file_part, pdf_bytes
from tests.factories import make_artifact, make_change_idea, make_cycle, make_school

LIBRARY = "/n/alpha/artifacts"


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="artifact-card__title"><a href="[^"]+">([^<]+)</a>', html)


def used_in(html: str, title: str) -> str:
    card = html[html.index(f">{title}</a>") :]
    return re.search(r"data-used-in>([^<]+)<", card).group(1)


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    # A request starts with nothing loaded, as in production (a session per request); here
    # the test's requests share the test's session: expire what earlier requests loaded.
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def shelf(a):
    """Artifacts across both schools, with cycles that use them: some visible to every
    member, one school-only and one deleted (neither may be counted for outsiders)."""
    s0, s1 = a.schools
    third = make_school(a.network, "Alphaville Academy")
    now = utcnow()
    made = {}
    for i, (title, school, kind, fields) in enumerate(
        [
            (
                "Attendance tracker",
                s0,
                "data_tool",
                {"tags": "attendance,data", "grade_band": "9-12", "subject": "Advisory"},
            ),
            (
                "Fractions lesson",
                s1,
                "lesson_plan",
                {
                    "tags": "math",
                    "grade_band": "6-8",
                    "subject": "Mathematics",
                    "extracted_text": "number line with halves and quarters",
                },
            ),
            ("Classroom walkthrough", s1, "observation_tool", {"tags": "coaching,data", "grade_band": "9-12"}),
            ("ILT agenda", s0, "meeting_agenda", {"description": "Agenda for the *instructional* leadership team"}),
            ("Zebra protocol", third, "protocol", {"tags": "attendance"}),
        ]
    ):
        made[title] = make_artifact(school, a.teacher_leader.user, title, kind=kind, **fields)
        with use_network(a.network):
            made[title].created_at = now - timedelta(days=10 - i)
            if title == "Attendance tracker":
                made[title].created_at = now - timedelta(days=30)
            db.session.flush()  # in the network: the next factory's reads (after its commit) autoflush
    # cycles that used them
    c1 = make_cycle(s0, a.teacher_leader.user, "Tracker test one")
    c2 = make_cycle(s1, a.member.user, "Tracker test two")
    c3 = make_cycle(third, None, "Tracker test three")
    hidden = make_cycle(s0, a.teacher_leader.user, "Private tracker test", visibility="school")
    gone = make_cycle(s1, a.member.user, "Deleted tracker test")
    with use_network(a.network):
        gone.deleted_at = now
        from nic.models import ArtifactCycleLink

        for cycle in (c1, c2, c3, hidden, gone):
            db.session.add(ArtifactCycleLink(artifact_id=made["Attendance tracker"].id, cycle_id=cycle.id))
        for cycle in (c1, c2):
            db.session.add(ArtifactCycleLink(artifact_id=made["Classroom walkthrough"].id, cycle_id=cycle.id))
        made["Fractions lesson"].change_ideas = [a.change_idea]
        db.session.add(ArtifactCycleLink(artifact_id=made["Zebra protocol"].id, cycle_id=c1.id))
        made["private"] = make_artifact(s0, a.teacher_leader.user, "First school secret", visibility="school")
        made["deleted"] = make_artifact(s0, a.teacher_leader.user, "Deleted artifact")
        made["deleted"].deleted_at = now
        db.session.commit()
    return made


def test_used_in_counts_visible_cycles_and_their_schools(client, a, login_as, shelf):
    login_as(a.member.user)  # second school: the first school's private cycle is not theirs
    html = client.get(LIBRARY).get_data(as_text=True)
    assert used_in(html, "Attendance tracker") == "Used in 3 cycles at 3 schools"
    assert used_in(html, "Classroom walkthrough") == "Used in 2 cycles at 2 schools"
    assert used_in(html, "ILT agenda") == "Not used in a cycle yet"
    login_as(a.principal.user)  # first school: its private cycle counts for them
    html = client.get(LIBRARY).get_data(as_text=True)
    assert used_in(html, "Attendance tracker") == "Used in 4 cycles at 3 schools"


def test_a_page_costs_the_same_queries_whatever_its_size(client, a, login_as, shelf):
    login_as(a.member.user)
    with statements() as few:
        client.get(f"{LIBRARY}?kind=lesson_plan")
    with statements() as many:
        client.get(LIBRARY)
    selects = lambda seen: [s for s in seen if s.lstrip().upper().startswith("SELECT")]  # noqa: E731
    assert len(selects(many)) == len(selects(few))
    grouped = [s for s in many if "artifact_cycle_links" in s and "GROUP BY" in s]
    assert len(grouped) == 1 and "count(DISTINCT" in grouped[0]


def test_the_library_hides_what_the_reader_may_not_see(client, a, b, login_as, shelf):
    login_as(a.member.user)
    html = client.get(LIBRARY).get_data(as_text=True)
    assert "First school secret" not in html and "Deleted artifact" not in html and b.artifact.title not in html
    login_as(a.teacher_leader.user)
    assert "First school secret" in client.get(LIBRARY).get_data(as_text=True)


def test_search_finds_words_inside_files(client, a, login_as, shelf):
    login_as(a.member.user)
    assert titles(client.get(f"{LIBRARY}?q=quarters").get_data(as_text=True)) == ["Fractions lesson"]
    assert titles(client.get(f"{LIBRARY}?q=instructional").get_data(as_text=True)) == ["ILT agenda"]
    empty = client.get(f"{LIBRARY}?q=photosynthesis").get_data(as_text=True)
    assert titles(empty) == [] and "Nothing matches" in empty


def test_search_after_a_real_upload(client, a, login_as):
    login_as(a.teacher_leader.user)
    client.post(
        f"{LIBRARY}/new",
        data={
            "title": "Scanned rubric",
            "file": file_part(pdf_bytes("Criteria: persistence and metacognition."), "r.pdf"),
        },
        content_type="multipart/form-data",
    )
    login_as(a.principal.user)
    assert titles(client.get(f"{LIBRARY}?q=metacognition").get_data(as_text=True)) == ["Scanned rubric"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("kind=observation_tool", ["Classroom walkthrough"]),
        ("tag=attendance", ["Zebra protocol", "Attendance tracker"]),
        ("tag=data", ["Classroom walkthrough", "Attendance tracker"]),
        ("tag=dat", []),  # a tag matches whole, never a part
        ("grade_band=9-12", ["Classroom walkthrough", "Attendance tracker"]),
        ("subject=mathematics", ["Fractions lesson"]),
        ("change_idea_id={idea}", ["Fractions lesson"]),
        ("school_id={school1}", ["Classroom walkthrough", "Fractions lesson"]),
        ("school_id={school1}&tag=data", ["Classroom walkthrough"]),
    ],
)
def test_filters(client, a, login_as, shelf, query, expected):
    login_as(a.member.user)
    url = f"{LIBRARY}?" + query.format(idea=a.change_idea.id, school1=a.schools[1].id)
    assert titles(client.get(url).get_data(as_text=True)) == expected


def test_sorting(client, a, login_as, shelf):
    login_as(a.member.user)
    assert titles(client.get(LIBRARY).get_data(as_text=True)) == [
        "Alphaville huddle protocol",
        "Zebra protocol",
        "ILT agenda",
        "Classroom walkthrough",
        "Fractions lesson",
        "Attendance tracker",
    ]
    assert titles(client.get(f"{LIBRARY}?sort=title").get_data(as_text=True))[:2] == [
        "Alphaville huddle protocol",
        "Attendance tracker",
    ]
    used = titles(client.get(f"{LIBRARY}?sort=used").get_data(as_text=True))
    # 3 cycles, 2, then the two used once (newest first), then the unused
    assert used[:4] == ["Attendance tracker", "Classroom walkthrough", "Alphaville huddle protocol", "Zebra protocol"]


def test_bad_filters_are_named(client, a, login_as):
    login_as(a.member.user)
    response = client.get(f"{LIBRARY}?kind=poem&school_id=abc&sort=random")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        "Type: must be one of" in html
        and "School: must be a whole number" in html
        and "Sort by: must be one of" in html
    )


def test_another_networks_ids_in_filters_find_nothing(client, a, b, login_as, shelf):
    login_as(a.member.user)
    assert titles(client.get(f"{LIBRARY}?school_id={b.schools[0].id}").get_data(as_text=True)) == []
    assert titles(client.get(f"{LIBRARY}?change_idea_id={b.change_idea.id}").get_data(as_text=True)) == []


def test_pages(client, a, login_as):
    for i in range(23):
        make_artifact(a.schools[0], a.teacher_leader.user, f"Sheet {i:02d}")
    db.session.commit()
    login_as(a.principal.user)
    first = client.get(f"{LIBRARY}?sort=title").get_data(as_text=True)
    assert len(titles(first)) == 20 and "1–20 of 24" in first and 'rel="next"' in first
    second = client.get(f"{LIBRARY}?sort=title&page=2").get_data(as_text=True)
    assert titles(second) == ["Sheet 19", "Sheet 20", "Sheet 21", "Sheet 22"]
    assert "sort=title" in second[second.index('rel="prev"') - 200 :]  # the links keep the filters
    stale = client.get(f"{LIBRARY}?sort=title&page=9")
    assert stale.status_code == 302 and "page=2" in stale.headers["Location"]


def test_thumbnails_when_present_else_a_type_icon(client, a, login_as):
    with use_network(a.network):  # the factory's artifact comes with a preview: take it away
        a.artifact.versions[-1].preview_sha256 = None
        a.artifact.versions[-1].preview_status = "none"
        db.session.commit()
    login_as(a.teacher_leader.user)
    client.post(
        f"{LIBRARY}/new",
        data={"title": "With a preview", "file": file_part(pdf_bytes("Page one"), "p.pdf")},
        content_type="multipart/form-data",
    )
    client.post(f"{LIBRARY}/new", data={"title": "A link", "url": "https://example.org"})
    html = client.get(LIBRARY).get_data(as_text=True)
    thumb = re.search(r'<img class="artifact-thumb" src="([^"]+)"', html).group(1)
    response = client.get(thumb)
    assert (
        response.status_code == 200 and response.mimetype == "image/png" and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'artifact-icon--link" aria-hidden="true">LINK' in html
    assert 'artifact-icon--pdf" aria-hidden="true">PDF' in html  # the factory's artifact has no preview


def test_an_empty_library_says_what_to_do(client, login_as, a):
    with use_network(a.network):
        a.artifact.deleted_at = utcnow()
        db.session.commit()
    login_as(a.member.user)
    html = client.get(LIBRARY).get_data(as_text=True)
    assert "The library is empty" in html and "Share the first one" in html


def test_a_new_change_idea_filter_choice_lists_this_networks_ideas_only(client, a, b, login_as):
    make_change_idea(a.network, "Alpha-only idea", aim=a.aim)
    db.session.commit()
    login_as(a.member.user)
    html = client.get(LIBRARY).get_data(as_text=True)
    assert "Alpha-only idea" in html and b.change_idea.title not in html
