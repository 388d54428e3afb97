"""The frameworks API: adopt, copy, write and import (JSON, YAML body, file upload),
read, edit with a version, export, coverage and links; errors name every problem and
write nothing; non-facilitators get 403 on writes; another network's ids are 404."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from nic.frameworks import dump, get_builtin
from tests.frameworks_service.conftest import counts, small_document

API = "/api/v1/networks/alpha/frameworks"
KEYS = {
    "id",
    "key",
    "name",
    "description",
    "origin",
    "based_on",
    "version",
    "source",
    "levels",
    "domains",
    "archived",
    "archived_at",
    "created_at",
    "updated_at",
}


def test_list_and_read_carry_practice_ids_and_links(client, tenants, auth):
    a = tenants.a
    page = client.get(API, headers=auth(a.member))
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert body["next"] is None and [f["id"] for f in body["items"]] == [a.framework.id]
    item = body["items"][0]
    assert set(item) == KEYS
    assert (item["origin"], item["based_on"], item["version"], item["archived"]) == (
        "builtin",
        "leadership-core-practices",
        1,
        False,
    )
    assert item["source"]["organisation"]
    first = item["domains"][0]["practices"][0]
    assert first["id"] == a.framework.practices[0].id and set(first["descriptors"]) == {
        level["key"] for level in item["levels"]
    }
    assert client.get(f"{API}/{a.framework.id}", headers=auth(a.member)).get_json() == item
    builtins = client.get(f"{API}/builtin", headers=auth(a.member)).get_json()["items"]
    adopted = {b["key"]: b["adopted_id"] for b in builtins}
    assert adopted == {"leadership-core-practices": a.framework.id, "three-levers": None, "leadership-dimensions": None}


def test_adopt_copy_and_write_a_document(client, tenants, auth):
    a = tenants.a
    fac = auth(a.facilitator)
    adopted = client.post(API, json={"builtin": "three-levers"}, headers=fac)
    assert adopted.status_code == 201, adopted.get_json()
    assert adopted.get_json()["origin"] == "builtin"
    assert adopted.headers["Location"].endswith(f"{API}/{adopted.get_json()['id']}")
    again = client.post(API, json={"builtin": "three-levers"}, headers=fac)
    assert again.status_code == 422 and "builtin" in again.get_json()["error"]["fields"]

    copied = client.post(API, json={"copy_of": a.framework.id, "key": "ours", "name": "Ours"}, headers=fac)
    assert copied.status_code == 201 and copied.get_json()["based_on"] == a.framework.key
    clash = client.post(API, json={"copy_of": a.framework.id, "key": "ours"}, headers=fac)
    assert clash.status_code == 422 and "key" in clash.get_json()["error"]["fields"]
    foreign = client.post(API, json={"copy_of": tenants.b.framework.id, "key": "x"}, headers=fac)
    assert foreign.status_code == 422 and "copy_of" in foreign.get_json()["error"]["fields"]

    written = client.post(API, json=small_document(), headers=fac)
    assert written.status_code == 201 and written.get_json()["origin"] == "custom"
    assert [p["key"] for p in written.get_json()["domains"][0]["practices"]] == ["shared-vision", "goals"]


def test_import_a_yaml_body_and_a_file_upload(client, tenants, auth):
    a = tenants.a
    fac = auth(a.facilitator)
    body = client.post(
        API, data=dump(get_builtin("leadership-dimensions")), headers={**fac, "Content-Type": "application/yaml"}
    )
    assert body.status_code == 201, body.get_json()
    assert (body.get_json()["origin"], body.get_json()["key"]) == ("import", "leadership-dimensions")
    upload = client.post(
        API,
        data={"file": (io.BytesIO(json.dumps(small_document()).encode()), "mine.json")},
        headers=fac,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["origin"] == "import"
    empty = client.post(API, data={}, headers=fac, content_type="multipart/form-data")
    assert empty.status_code == 422 and "file" in empty.get_json()["error"]["fields"]
    assert client.post(API, data="x", headers={**fac, "Content-Type": "text/plain"}).status_code == 415


BAD_FILES = {
    "missing levels": (
        "key: x\nname: X\ndomains:\n  - name: D\n    practices:\n      - {key: p, name: P, descriptors: {}}\n",
        {"levels": "missing"},
    ),
    "duplicate practice names": (
        yaml.safe_dump(
            {
                **small_document(),
                "domains": [
                    {
                        "name": "D",
                        "practices": [
                            {"key": "a", "name": "Same name", "descriptors": {"low": "x", "high": "y"}},
                            {"key": "b", "name": "same  NAME", "descriptors": {"low": "x", "high": "y"}},
                        ],
                    }
                ],
            }
        ),
        {"domains[0].practices[1]": "duplicate practice name"},
    ),
    "bad yaml": ("key: x\nname: X\nlevels: [\n  - a\n", {"line 4, column 3": "not valid YAML"}),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_import_errors_are_422_naming_each_and_write_nothing(client, tenants, auth, case):
    a = tenants.a
    content, expected = BAD_FILES[case]
    before = counts(a)
    for response in (
        client.post(API, data=content, headers={**auth(a.facilitator), "Content-Type": "application/yaml"}),
        client.post(
            API,
            data={"file": (io.BytesIO(content.encode()), "bad.yaml")},
            headers=auth(a.facilitator),
            content_type="multipart/form-data",
        ),
    ):
        assert response.status_code == 422, response.get_json()
        fields = response.get_json()["error"]["fields"]
        for place, text in expected.items():
            assert text in fields.get(place, ""), fields
    assert counts(a) == before


def test_a_bad_json_document_names_every_problem(client, tenants, auth):
    a = tenants.a
    doc = small_document()
    doc["levels"] = [{"key": "low", "name": "Low"}]
    doc["domains"][0]["practices"][1]["name"] = "Shared Vision"
    response = client.post(API, json=doc, headers=auth(a.facilitator))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert "at least 2 levels" in fields["levels"]
    assert "duplicate practice name" in fields["domains[0].practices[1]"]
    assert 'unknown level "high"' in fields["domains[0].practices[0].descriptors"]


def test_patch_with_version_and_a_stale_one_is_409(client, tenants, auth):
    a = tenants.a
    url = f"{API}/{a.framework.id}"
    fac = auth(a.facilitator)
    renamed = client.patch(url, json={"version": 1, "name": "Our core practices"}, headers=fac)
    assert renamed.status_code == 200, renamed.get_json()
    assert (renamed.get_json()["name"], renamed.get_json()["version"]) == ("Our core practices", 2)
    stale = client.patch(url, json={"version": 1, "name": "Lost update"}, headers=fac)
    assert stale.status_code == 409 and "version" in stale.get_json()["error"]["fields"]
    assert client.get(url, headers=fac).get_json()["name"] == "Our core practices"
    missing = client.patch(url, json={"name": "x"}, headers=fac)
    assert missing.status_code == 422 and "version" in missing.get_json()["error"]["fields"]

    document = json.loads(client.get(f"{url}/export?format=json", headers=fac).get_data(as_text=True))
    document["domains"][0]["practices"][0]["name"] = "Renamed practice"
    saved = client.patch(url, json={"version": 2, "document": document}, headers=fac)
    assert saved.status_code == 200 and saved.get_json()["domains"][0]["practices"][0]["name"] == "Renamed practice"
    assert saved.get_json()["domains"][0]["practices"][0]["id"] == a.framework.practices[0].id

    rated = a.framework.practices[0].key
    document["domains"][0]["practices"] = [p for p in document["domains"][0]["practices"] if p["key"] != rated]
    removed = client.patch(url, json={"version": 3, **document}, headers=fac)
    assert removed.status_code == 409 and rated in removed.get_json()["error"]["fields"]["practices"]

    archive = client.patch(url, json={"version": 3, "archived": True}, headers=fac)
    assert archive.status_code == 409  # its round is still open
    assert client.patch(url, json={"version": 3, "archived": "yes"}, headers=fac).status_code == 422


def test_export_yaml_and_json_and_a_bad_format(client, tenants, auth):
    a = tenants.a
    url = f"{API}/{a.framework.id}/export"
    as_yaml = client.get(url, headers=auth(a.member))
    assert as_yaml.status_code == 200 and as_yaml.mimetype == "application/yaml"
    assert f'filename="{a.framework.key}.yaml"' in as_yaml.headers["Content-Disposition"]
    assert yaml.safe_load(as_yaml.get_data(as_text=True)) == a.framework.document
    as_json = client.get(f"{url}?format=json", headers=auth(a.member))
    assert as_json.mimetype == "application/json" and json.loads(as_json.get_data()) == a.framework.document
    bad = client.get(f"{url}?format=xml", headers=auth(a.member))
    assert bad.status_code == 422 and "format" in bad.get_json()["error"]["fields"]


def test_links_and_coverage(client, tenants, auth):
    a, b = tenants.a, tenants.b
    practice = a.framework.practices[1]
    url = f"{API}/{a.framework.id}/practices/{practice.id}/links"
    put = client.put(
        url,
        json={"driver_ids": [a.primary_driver.id], "change_idea_ids": [a.change_idea.id]},
        headers=auth(a.facilitator),
    )
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {
        "practice_id": practice.id,
        "driver_ids": [a.primary_driver.id],
        "change_idea_ids": [a.change_idea.id],
    }
    item = client.get(f"{API}/{a.framework.id}", headers=auth(a.member)).get_json()
    linked = next(p for d in item["domains"] for p in d["practices"] if p["id"] == practice.id)
    assert (linked["driver_ids"], linked["change_idea_ids"]) == ([a.primary_driver.id], [a.change_idea.id])
    cover = client.get(f"{API}/{a.framework.id}/coverage", headers=auth(a.member)).get_json()
    assert [d["id"] for d in cover["unlinked_drivers"]] == [a.secondary_driver.id]
    assert cover["unlinked_change_ideas"] == []

    foreign = client.put(url, json={"driver_ids": [b.primary_driver.id]}, headers=auth(a.facilitator))
    assert foreign.status_code == 422 and "driver_ids" in foreign.get_json()["error"]["fields"]
    foreign_idea = client.put(url, json={"change_idea_ids": [b.change_idea.id]}, headers=auth(a.facilitator))
    assert foreign_idea.status_code == 422 and "change_idea_ids" in foreign_idea.get_json()["error"]["fields"]
    not_list = client.put(url, json={"driver_ids": 5}, headers=auth(a.facilitator))
    assert not_list.status_code == 422
    assert client.put(url, json={"driver_ids": []}, headers=auth(a.principal)).status_code == 403


def test_non_facilitators_get_403_on_every_write(client, tenants, auth):
    a = tenants.a
    base = f"{API}/{a.framework.id}"
    practice = a.framework.practices[0].id
    for membership in (a.principal, a.teacher_leader, a.member):
        headers = auth(membership)
        before = counts(a)
        assert client.post(API, json={"builtin": "three-levers"}, headers=headers).status_code == 403
        assert (
            client.post(API, data="key: x", headers={**headers, "Content-Type": "application/yaml"}).status_code == 403
        )
        assert client.patch(base, json={"version": 1, "name": "x"}, headers=headers).status_code == 403
        assert client.delete(base, headers=headers).status_code == 403
        assert (
            client.put(f"{base}/practices/{practice}/links", json={"driver_ids": []}, headers=headers).status_code
            == 403
        )
        assert counts(a) == before


def test_another_networks_framework_and_practice_are_404(client, tenants, auth):
    a, b = tenants.a, tenants.b
    fac = auth(a.facilitator)
    other = f"{API}/{b.framework.id}"
    other_practice = b.framework.practices[0].id
    assert client.get(other, headers=fac).status_code == 404
    assert client.patch(other, json={"version": 1, "name": "x"}, headers=fac).status_code == 404
    assert client.delete(other, headers=fac).status_code == 404
    assert client.get(f"{other}/export", headers=fac).status_code == 404
    assert client.get(f"{other}/coverage", headers=fac).status_code == 404
    assert client.put(f"{other}/practices/{other_practice}/links", json={}, headers=fac).status_code == 404
    # a's framework with b's practice id: still 404
    mixed = f"{API}/{a.framework.id}/practices/{other_practice}/links"
    assert client.put(mixed, json={"driver_ids": []}, headers=fac).status_code == 404
    # b's network through a's token: 404 too
    assert client.get(f"/api/v1/networks/beta/frameworks/{b.framework.id}", headers=fac).status_code == 404


def test_delete_a_framework_without_rounds(client, tenants, auth):
    a = tenants.a
    fac = auth(a.facilitator)
    created = client.post(API, json={"builtin": "three-levers"}, headers=fac).get_json()
    assert client.delete(f"{API}/{created['id']}", headers=fac).status_code == 204
    assert client.get(f"{API}/{created['id']}", headers=fac).status_code == 404
    kept = client.delete(f"{API}/{a.framework.id}", headers=fac)
    assert kept.status_code == 409


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/networks/{slug}/frameworks"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/networks/{slug}/frameworks/{framework_id}"])
    assert "put" in paths["/api/v1/networks/{slug}/frameworks/{framework_id}/practices/{practice_id}/links"]
    assert "get" in paths["/api/v1/networks/{slug}/frameworks/{framework_id}/export"]
