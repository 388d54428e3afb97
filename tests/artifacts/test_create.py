"""Sharing an artifact from the page and over the API: a file (stored by hash, sniffed,
processed after the commit) or a link, with its metadata; attached to a cycle's Do step
when the page was opened from it."""

from nic.extensions import db
from nic.tenancy import use_network
from tests.artifacts.conftest import counts, file_part, links_of, load, pdf_bytes, stored_blobs
from tests.factories import make_cycle

NEW = "/n/alpha/artifacts/new"
API = "/api/v1/networks/alpha/artifacts"


def _id_from(response) -> int:
    return int(response.headers["Location"].rstrip("/").split("/")[-1].split("#")[0])


def test_a_teacher_leader_shares_a_pdf_from_the_page(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    data = pdf_bytes("Huddle protocol. Step one: review the grade-check list together.")
    response = client.post(
        NEW,
        data={
            "title": "  Grade-check  huddle protocol ",
            "description": "Use it *weekly*.",
            "kind": "protocol",
            "tags": "Advisory, grades ,advisory",
            "grade_band": "9-12",
            "subject": "All subjects",
            "visibility": "network",
            "note": "First draft",
            "file": file_part(data, "huddle.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    artifact = load(a.network, _id_from(response))
    assert artifact.title == "Grade-check huddle protocol"
    assert artifact.tags == "advisory,grades" and artifact.school_id == a.schools[0].id
    assert artifact.author_id == a.teacher_leader.user.id and artifact.url is None
    [version] = artifact.versions
    assert version.number == 1 and version.size == len(data) and version.content_type == "application/pdf"
    assert version.filename == "huddle.pdf" and version.note == "First draft"
    assert version.sha256 in stored_blobs(data_dir)  # stored under its hash, never the given name
    # the eager tasks ran after the commit: the words inside the PDF are searchable
    assert version.extraction_status == "done" and "grade-check list" in artifact.extracted_text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grade-check huddle protocol" in page and "<em>weekly</em>" in page
    assert f"/versions/{version.id}/download" in page


def test_a_link_is_shared_without_any_file(client, a, login_as, data_dir):
    login_as(a.principal.user)
    response = client.post(
        NEW,
        data={
            "title": "Attendance playbook",
            "url": "https://example.org/playbook",
            "kind": "data_tool",
            "visibility": "school",
        },
    )
    assert response.status_code == 302
    artifact = load(a.network, _id_from(response))
    assert artifact.url == "https://example.org/playbook" and artifact.versions == []
    assert artifact.visibility == "school" and stored_blobs(data_dir) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="https://example.org/playbook" rel="noopener noreferrer nofollow"' in page


def test_the_form_names_each_missing_or_bad_field_and_stores_nothing(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    before = counts(a.network)
    response = client.post(
        NEW,
        data={"title": "", "kind": "poem", "visibility": "everyone", "file": file_part(pdf_bytes("x"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Title:</span> is required" in page and "Type:</span> must be one of" in page
    assert "must be school or network" in page
    assert counts(a.network) == before and stored_blobs(data_dir) == []  # checked before a byte was stored


def test_neither_a_file_nor_a_link_is_a_field_error(client, a, login_as):
    login_as(a.teacher_leader.user)
    response = client.post(NEW, data={"title": "Nothing"})
    assert response.status_code == 422
    assert "choose a file to upload, or give a link instead" in response.get_data(as_text=True)


def test_both_a_file_and_a_link_is_refused(client, a, login_as, data_dir):
    login_as(a.teacher_leader.user)
    response = client.post(
        NEW,
        data={"title": "Both", "url": "https://example.org", "file": file_part(pdf_bytes("x"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "not both" in response.get_data(as_text=True)
    assert stored_blobs(data_dir) == []


def test_opened_from_a_cycle_the_upload_is_attached_to_it(client, a, login_as):
    login_as(a.teacher_leader.user)
    form = client.get(f"{NEW}?cycle_id={a.cycle.id}").get_data(as_text=True)
    assert a.cycle.title in form and f'name="cycle_id" type="hidden" value="{a.cycle.id}"' in form
    response = client.post(
        f"{NEW}?cycle_id={a.cycle.id}",
        data={
            "title": "Observation checklist",
            "kind": "observation_tool",
            "cycle_id": str(a.cycle.id),
            "file": file_part(b"Look for: names on the board\nStudents flagged\n", "checklist.txt", "text/plain"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/n/alpha/cycles/{a.cycle.id}#materials")
    cycle_page = client.get(f"/n/alpha/cycles/{a.cycle.id}").get_data(as_text=True)
    do = cycle_page[cycle_page.index('id="do"') : cycle_page.index('id="study"')]
    assert "Observation checklist" in do and "version 1" in do


def test_attaching_on_creation_needs_a_cycle_you_work_on(client, a, b, login_as, data_dir):
    login_as(a.member.user)  # a member of the second school: cannot edit school 0's cycle
    assert client.get(f"{NEW}?cycle_id={a.cycle.id}").status_code == 403
    before = counts(a.network)
    response = client.post(
        f"{NEW}?cycle_id={a.cycle.id}",
        data={"title": "Sneaky", "file": file_part(pdf_bytes("x"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403 and counts(a.network) == before and stored_blobs(data_dir) == []
    # another school's private cycle, and another network's cycle, do not exist here
    login_as(a.teacher_leader.user)
    with use_network(a.network):
        other_school = make_cycle(a.schools[1], a.member.user, "Second school private", visibility="school")
    db.session.commit()
    login_as(a.principal.user)
    assert client.get(f"{NEW}?cycle_id={other_school.id}").status_code == 404
    assert client.get(f"{NEW}?cycle_id={b.cycle.id}").status_code == 404


def test_a_facilitator_shares_for_a_school_with_the_whole_network(client, a, login_as):
    login_as(a.facilitator.user)
    form = client.get(NEW).get_data(as_text=True)
    assert 'name="school_id"' in form and a.schools[1].name in form
    missing = client.post(NEW, data={"title": "Network agenda", "url": "https://example.org/agenda"})
    assert missing.status_code == 422 and "choose the school whose practice this is" in missing.get_data(as_text=True)
    private = client.post(
        NEW,
        data={
            "title": "Network agenda",
            "url": "https://example.org/agenda",
            "school_id": str(a.schools[1].id),
            "visibility": "school",
        },
    )
    assert private.status_code == 422 and "must be network" in private.get_data(as_text=True)
    response = client.post(
        NEW,
        data={
            "title": "Network agenda",
            "url": "https://example.org/agenda",
            "school_id": str(a.schools[1].id),
            "kind": "meeting_agenda",
        },
    )
    assert response.status_code == 302
    artifact = load(a.network, _id_from(response))
    assert artifact.school_id == a.schools[1].id and artifact.visibility == "network"


def test_members_share_as_their_own_school_only(client, a, login_as, lead_api):
    response = client.post(
        API, headers=lead_api, data={"title": "Mine", "url": "https://example.org/x", "school_id": str(a.schools[1].id)}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "school_id": "must be your own school: you share as a member of it"
    }


# --- the API ---------------------------------------------------------------------------------------


def test_api_post_multipart_file_answers_201_with_the_object(client, a, lead_api, data_dir):
    data = pdf_bytes("Lesson plan: fractions on a number line.")
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={
            "title": "Fractions lesson",
            "kind": "lesson_plan",
            "tags": "math,fractions",
            "grade_band": "6-8",
            "subject": "Mathematics",
            "change_idea_ids": str(a.change_idea.id),
            "cycle_id": str(a.cycle.id),
            "file": file_part(data, "fractions.pdf", "application/pdf"),
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/networks/alpha/artifacts/{body['id']}")
    assert body["title"] == "Fractions lesson" and body["kind"] == "lesson_plan"
    assert body["tags"] == ["math", "fractions"] and body["school_id"] == a.schools[0].id
    assert body["author_id"] == a.teacher_leader.user.id and body["url"] is None
    assert body["change_idea_ids"] == [a.change_idea.id] and body["cycle_ids"] == [a.cycle.id]
    assert body["used_in"] == {"cycles": 1, "schools": 1}
    [version] = body["versions"]
    assert version["number"] == 1 and version["size"] == len(data) and version["content_type"] == "application/pdf"
    assert version["filename"] == "fractions.pdf"
    assert client.get(f"{API}?q=number+line", headers=lead_api).get_json()["items"][0]["id"] == body["id"]


def test_api_post_a_link_as_form_or_json(client, a, lead_api):
    form = client.post(API, headers=lead_api, data={"title": "Form link", "url": "https://example.org/a"})
    assert form.status_code == 201 and form.get_json()["url"] == "https://example.org/a"
    as_json = client.post(
        API,
        headers=lead_api,
        json={"title": "JSON link", "url": "http://example.org/b", "tags": ["Data", "attendance"]},
    )
    assert as_json.status_code == 201
    body = as_json.get_json()
    assert body["versions"] == [] and body["tags"] == ["data", "attendance"] and body["visibility"] == "network"


def test_api_post_names_missing_title_and_source(client, lead_api):
    response = client.post(API, headers=lead_api, data={"description": "no title"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["title"] == "is required" and "file" in fields


def test_api_post_refuses_other_bodies(client, lead_api):
    response = client.post(API, headers=lead_api, data="title=x", content_type="text/plain")
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "unsupported_media_type"


def test_api_change_idea_ids_and_cycle_id_of_another_network_write_nothing(client, a, b, lead_api, data_dir):
    before = counts(a.network)
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Cross", "change_idea_ids": str(b.change_idea.id), "file": file_part(pdf_bytes("x"), "x.pdf")},
    )
    assert response.status_code == 422 and "change_idea_ids" in response.get_json()["error"]["fields"]
    response = client.post(
        API,
        headers=lead_api,
        content_type="multipart/form-data",
        data={"title": "Cross", "cycle_id": str(b.cycle.id), "file": file_part(pdf_bytes("x"), "x.pdf")},
    )
    assert response.status_code == 404
    assert counts(a.network) == before and stored_blobs(data_dir) == []
    assert links_of(b.network, b.artifact.id)[0].cycle_id == b.cycle.id
