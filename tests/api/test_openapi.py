"""The OpenAPI document is generated from the routes: every API route is in it."""

from tests.support import api_rules


def test_every_api_route_is_documented(app):
    undocumented = [rule.rule for rule in api_rules(app) if not hasattr(app.view_functions[rule.endpoint], "openapi")]
    assert undocumented == [], f"add @documented(...) to: {undocumented}"


def test_the_document_lists_every_route_and_method(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    for rule in api_rules(app):
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = "{".join(part.split(":")[-1] if i else part for i, part in enumerate(path.split("{")))
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path]


def test_schemas_come_from_the_code(client):
    document = client.get("/api/v1/openapi.json").get_json()
    me = document["paths"]["/api/v1/me"]["get"]
    ref = me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) >= {"id", "email", "name", "memberships"}
    schools = document["paths"]["/api/v1/networks/{slug}/schools"]["get"]
    assert {p["name"] for p in schools["parameters"]} == {"slug", "limit", "cursor"}
    assert "404" in schools["responses"] and "401" in schools["responses"]
    for ref_holder in _refs(document):
        name = ref_holder.rsplit("/", 1)[1]
        assert name in document["components"]["schemas"], f"dangling $ref {ref_holder}"


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
