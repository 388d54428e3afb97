"""The framework pages: the library with source credits and Adopt, a framework as a
rubric, editing field by field and as YAML, importing a file with every problem listed
by place, copying, exporting, archiving, and linking practices to the theory of
improvement. Facilitators manage; everyone reads; another network's ids are 404."""

from __future__ import annotations

import copy
import io
from html import unescape

import yaml

from nic.clock import utcnow
from nic.extensions import db
from nic.frameworks import get_builtin
from nic.services.assessments import frameworks
from nic.tenancy import use_network
from tests.frameworks_service.conftest import counts, small_document

BASE = "/n/alpha/frameworks"


def test_library_shows_ours_and_builtins_with_credit(client, tenants, login_as):
    a = tenants.a
    page = login_as(a.member.user).get(f"{BASE}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert a.framework.name in html
    levers = get_builtin("three-levers")
    assert levers.name in html and levers.source.organisation in html
    assert 'name="builtin"' not in html and "Import a framework file" not in html  # members read only
    facilitator = login_as(a.facilitator.user).get(f"{BASE}/").get_data(as_text=True)
    assert 'name="builtin" value="three-levers"' in facilitator and "Import a framework file" in facilitator


def test_empty_library_explains_what_to_do(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        db.session.delete(a.round)
        db.session.flush()
        db.session.delete(a.framework)
        db.session.commit()
    html = login_as(a.facilitator.user).get(f"{BASE}/").get_data(as_text=True)
    assert "No frameworks yet" in html


def test_adopt_from_the_library_then_read_the_rubric(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    adopted = client.post(f"{BASE}/adopt", data={"builtin": "leadership-dimensions"})
    assert adopted.status_code == 302
    page = client.get(adopted.headers["Location"])
    html = unescape(page.get_data(as_text=True))
    builtin = get_builtin("leadership-dimensions")
    practice = builtin.practices()[0]
    assert builtin.source.organisation in html and practice.name in html
    assert practice.descriptors[builtin.levels[-1].key] in html
    assert practice.guiding_questions[0] in html
    assert "Download YAML" in html and "Edit as YAML" in html
    again = client.post(f"{BASE}/adopt", data={"builtin": "leadership-dimensions"}, follow_redirects=True)
    assert "already adopted" in again.get_data(as_text=True)


def test_preview_a_builtin_and_an_unknown_one(client, tenants, login_as):
    a = tenants.a
    login_as(a.member.user)
    page = client.get(f"{BASE}/preview?builtin=three-levers")
    assert page.status_code == 200 and get_builtin("three-levers").practices()[0].name in page.get_data(as_text=True)
    assert client.get(f"{BASE}/preview?builtin=nope").status_code == 404


def test_framework_page_shows_linked_drivers_and_ideas(client, tenants, login_as):
    a = tenants.a
    with use_network(a.network):
        a.framework.practices[0].drivers = [a.primary_driver]
        a.framework.practices[0].change_ideas = [a.change_idea]
        db.session.commit()
    html = login_as(a.member.user).get(f"{BASE}/{a.framework.id}").get_data(as_text=True)
    assert a.primary_driver.title in html and a.change_idea.title in html
    assert "Edit as YAML" not in html


def test_import_a_file_and_every_problem_is_listed_by_place(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    before = counts(a)
    bad = yaml.safe_dump(
        {
            **small_document(),
            "levels": [],
            "domains": [
                {
                    "name": "D",
                    "practices": [
                        {"key": "a", "name": "Same", "descriptors": {}},
                        {"key": "b", "name": "same", "descriptors": {}},
                    ],
                }
            ],
        }
    )
    refused = client.post(
        f"{BASE}/import", data={"file": (io.BytesIO(bad.encode()), "bad.yaml")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "The file was not imported" in html
    assert "at least 2 levels" in html and "duplicate practice name" in html and "domains[0].practices[1]" in html
    broken = client.post(f"{BASE}/import", data={"text": "key: x\nname: [oops\n"})
    assert broken.status_code == 422 and "line 3" in broken.get_data(as_text=True)
    nothing = client.post(f"{BASE}/import", data={"text": ""})
    assert nothing.status_code == 422 and "Choose a file" in nothing.get_data(as_text=True)
    assert counts(a) == before
    good = client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(yaml.safe_dump(small_document()).encode()), "ok.yml")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    assert counts(a)[0] == before[0] + 1


def test_edit_field_by_field_and_errors_sit_beside_the_field(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    url = f"{BASE}/{a.framework.id}/edit"
    form = client.get(url)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'name="domains[0].practices[0].name"' in html and 'name="levels[0].descriptor"' in html
    refused = client.post(url, data={"version": "1", "domains[0].practices[0].name": "", "levels[1].name": "x" * 300})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "domains[0].practices[0].name" in html and "must not be empty" in html and "too long" in html
    assert 'id="f-domains-0-practices-0-name"' in html
    saved = client.post(
        url,
        data={
            "version": "1",
            "domains[0].practices[0].name": "Vision, renamed",
            "domains[0].practices[0].guiding_questions": "First?\n\nSecond?",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    with use_network(a.network):
        framework = frameworks.get_framework(a.framework.id)
        practice = framework.document["domains"][0]["practices"][0]
        assert (practice["name"], practice["guiding_questions"]) == ("Vision, renamed", ["First?", "Second?"])
        assert framework.practices[0].name == "Vision, renamed" and framework.version == 2
    stale = client.post(url, data={"version": "1", "name": "Lost"})
    assert stale.status_code == 409 and "Someone changed this framework" in stale.get_data(as_text=True)


def test_edit_as_yaml_refuses_removing_a_rated_practice(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    url = f"{BASE}/{a.framework.id}/document"
    text = client.get(url).get_data(as_text=True)
    assert a.framework.key in text
    with use_network(a.network):
        document = copy.deepcopy(frameworks.get_framework(a.framework.id).document)
    rated = a.framework.practices[0].key
    document["domains"][0]["practices"] = [p for p in document["domains"][0]["practices"] if p["key"] != rated]
    refused = client.post(url, data={"version": "1", "text": yaml.safe_dump(document)})
    assert refused.status_code == 422 and rated in refused.get_data(as_text=True)
    bad = client.post(url, data={"version": "1", "text": "levels: [\n"})
    assert bad.status_code == 422 and "not valid YAML" in bad.get_data(as_text=True)
    document = frameworks_document(a)
    document["name"] = "Renamed by YAML"
    assert client.post(url, data={"version": "1", "text": yaml.safe_dump(document)}).status_code == 302


def frameworks_document(tenant) -> dict:
    with use_network(tenant.network):
        return copy.deepcopy(frameworks.get_framework(tenant.framework.id).document)


def test_copy_export_archive_and_restore(client, tenants, login_as):
    a = tenants.a
    login_as(a.facilitator.user)
    clash = client.post(f"{BASE}/{a.framework.id}/copy", data={"key": a.framework.key, "name": "Twin"})
    assert clash.status_code == 422 and "already the key" in clash.get_data(as_text=True)
    bad_key = client.post(f"{BASE}/{a.framework.id}/copy", data={"key": "Bad Key", "name": "Twin"})
    assert bad_key.status_code == 422 and "not a valid key" in bad_key.get_data(as_text=True)
    copied = client.post(f"{BASE}/{a.framework.id}/copy", data={"key": "twin", "name": "Twin"})
    assert copied.status_code == 302
    exported = client.get(f"{BASE}/{a.framework.id}/export?format=json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert client.get(f"{BASE}/{a.framework.id}/export?format=xml").status_code == 404
    refused = client.post(f"{BASE}/{a.framework.id}/archive", follow_redirects=True)
    assert "open round" in refused.get_data(as_text=True)
    with use_network(a.network):
        a.round.closed_at = utcnow()
        db.session.commit()
    assert client.post(f"{BASE}/{a.framework.id}/archive").status_code == 302
    assert "Archived" in client.get(f"{BASE}/{a.framework.id}").get_data(as_text=True)
    assert client.post(f"{BASE}/{a.framework.id}/restore").status_code == 302
    kept = client.post(f"{BASE}/{a.framework.id}/delete", follow_redirects=True)
    assert "archive it instead" in kept.get_data(as_text=True)


def test_coverage_and_the_link_form(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    practice = a.framework.practices[1]
    login_as(a.facilitator.user)
    url = f"{BASE}/{a.framework.id}/practices/{practice.id}/links"
    form = client.get(url).get_data(as_text=True)
    assert f'id="driver-{a.primary_driver.id}"' in form and f'id="idea-{a.change_idea.id}"' in form
    saved = client.post(
        url, data={"driver_ids": [str(a.secondary_driver.id)], "change_idea_ids": [str(a.change_idea.id)]}
    )
    assert saved.status_code == 302
    cover = client.get(f"{BASE}/{a.framework.id}/coverage").get_data(as_text=True)
    assert a.secondary_driver.title in cover and "Drivers linked to no practice" in cover
    assert a.primary_driver.title in cover.split("Drivers linked to no practice")[1]
    foreign = client.post(url, data={"driver_ids": [str(b.primary_driver.id)]})
    assert foreign.status_code == 422 and "unknown driver ids" in foreign.get_data(as_text=True)
    member = login_as(a.member.user)
    assert member.get(f"{BASE}/{a.framework.id}/coverage").status_code == 200
    assert "Change links" not in member.get(f"{BASE}/{a.framework.id}/coverage").get_data(as_text=True)


def test_non_facilitators_get_403_on_every_manage_page(client, tenants, login_as):
    a = tenants.a
    practice = a.framework.practices[0].id
    fid = a.framework.id
    for membership in (a.principal, a.teacher_leader, a.member):
        login_as(membership.user)
        before = counts(a)
        for method, path in [
            ("post", "/adopt"),
            ("get", "/import"),
            ("post", "/import"),
            ("get", f"/{fid}/edit"),
            ("post", f"/{fid}/edit"),
            ("get", f"/{fid}/document"),
            ("get", f"/{fid}/copy"),
            ("post", f"/{fid}/copy"),
            ("post", f"/{fid}/archive"),
            ("post", f"/{fid}/restore"),
            ("post", f"/{fid}/delete"),
            ("get", f"/{fid}/practices/{practice}/links"),
            ("post", f"/{fid}/practices/{practice}/links"),
        ]:
            assert getattr(client, method)(f"{BASE}{path}").status_code == 403, (membership.role, path)
        assert counts(a) == before


def test_another_networks_framework_and_practice_are_404_on_every_page(client, tenants, login_as):
    a, b = tenants.a, tenants.b
    login_as(a.facilitator.user)
    fid, pid = b.framework.id, b.framework.practices[0].id
    for method, path in [
        ("get", f"/{fid}"),
        ("get", f"/{fid}/export"),
        ("get", f"/{fid}/edit"),
        ("post", f"/{fid}/edit"),
        ("get", f"/{fid}/document"),
        ("post", f"/{fid}/document"),
        ("get", f"/{fid}/copy"),
        ("post", f"/{fid}/copy"),
        ("post", f"/{fid}/archive"),
        ("post", f"/{fid}/restore"),
        ("post", f"/{fid}/delete"),
        ("get", f"/{fid}/coverage"),
        ("get", f"/{fid}/practices/{pid}/links"),
        ("post", f"/{fid}/practices/{pid}/links"),
        ("get", f"/{a.framework.id}/practices/{pid}/links"),
        ("post", f"/{a.framework.id}/practices/{pid}/links"),
    ]:
        assert getattr(client, method)(f"{BASE}{path}").status_code == 404, path
    assert client.get(f"/n/beta/frameworks/{fid}").status_code == 404


def test_change_idea_practices_template_global(app, tenants):
    a = tenants.a
    with use_network(a.network):
        a.framework.practices[2].change_ideas = [a.change_idea]
        db.session.commit()
        found = app.jinja_env.globals["change_idea_practices"](a.change_idea)
    assert [(p.id, p.framework.name) for p in found] == [(a.framework.practices[2].id, a.framework.name)]
