"""nic.services.assessments.frameworks and framework_links: the library, adopting, copying,
importing, editing with a version, refusing to remove what rounds use, keeping practice
rows in step, exporting, archiving, and links to the theory of improvement."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.frameworks import dump, get_builtin, to_dict
from nic.models import AssessmentConsensus, AssessmentRating, Framework, FrameworkPractice
from nic.services.assessments import framework_links, frameworks
from nic.services.assessments.frameworks import FrameworkRefused
from nic.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nic.tenancy import use_network
from tests.factories import make_change_idea, make_driver, make_framework
from tests.frameworks_service.conftest import counts, small_document


def test_library_lists_the_networks_frameworks_and_the_builtins_not_adopted(tenants):
    a = tenants.a
    with use_network(a.network):
        lib = frameworks.library()
    assert [f.id for f in lib.frameworks] == [a.framework.id]
    assert {b.key for b in lib.builtins} == {"three-levers", "leadership-dimensions"}
    assert all(b.source and b.source.organisation for b in lib.builtins)


def test_adopt_copies_the_builtin_with_a_row_per_practice(tenants):
    a = tenants.a
    with use_network(a.network):
        framework = frameworks.adopt(a.facilitator, "three-levers")
        builtin = get_builtin("three-levers")
        assert (framework.origin, framework.based_on, framework.key, framework.version) == (
            "builtin",
            "three-levers",
            "three-levers",
            1,
        )
        assert framework.document == to_dict(builtin)
        assert [(p.key, p.name, p.position) for p in framework.practices] == [
            (p.key, p.name, i) for i, p in enumerate(builtin.practices())
        ]
        assert framework.practices[0].domain == builtin.domains[0].name
        assert "three-levers" not in {b.key for b in frameworks.library().builtins}
        with pytest.raises(ValidationFailed) as again:
            frameworks.adopt(a.facilitator, "three-levers")
        assert "already adopted" in again.value.fields["builtin"]
        with pytest.raises(ValidationFailed) as unknown:
            frameworks.adopt(a.facilitator, "no-such-framework")
        assert "builtin" in unknown.value.fields
        with pytest.raises(Forbidden):
            frameworks.adopt(a.principal, "leadership-dimensions")


def test_copy_takes_a_new_key_and_a_clash_names_key(tenants):
    a = tenants.a
    with use_network(a.network):
        copied = frameworks.copy_framework(a.facilitator, a.framework.id, "our-rubric", "Our rubric")
        assert (copied.origin, copied.based_on, copied.key, copied.name) == (
            "copy",
            a.framework.key,
            "our-rubric",
            "Our rubric",
        )
        assert len(copied.practices) == len(a.framework.practices)
        assert {p.id for p in copied.practices}.isdisjoint({p.id for p in a.framework.practices})
        default = frameworks.copy_framework(a.facilitator, a.framework.id, "second", None)
        assert default.name == f"{a.framework.name} (copy)"
        with pytest.raises(ValidationFailed) as clash:
            frameworks.copy_framework(a.facilitator, a.framework.id, "our-rubric", "Again")
        assert "already the key" in clash.value.fields["key"]
        with pytest.raises(FrameworkRefused) as bad:
            frameworks.copy_framework(a.facilitator, a.framework.id, "Not A Key", "x")
        assert "key" in bad.value.fields and "not a valid key" in bad.value.fields["key"]
    assert counts(a)[0] == 3


def test_copy_of_another_networks_framework_is_not_found(tenants):
    a, b = tenants.a, tenants.b
    with use_network(a.network), pytest.raises(NotFound):
        frameworks.copy_framework(a.facilitator, b.framework.id, "stolen", "Stolen")


def test_import_reads_yaml_and_json_and_names_the_origin(tenants):
    a = tenants.a
    with use_network(a.network):
        from_yaml = frameworks.import_file(
            a.facilitator, dump(get_builtin("three-levers")).encode(), filename="levers.yml"
        )
        assert (from_yaml.origin, from_yaml.key) == ("import", "three-levers")
        import json

        text = json.dumps(small_document()).encode()
        from_json = frameworks.import_file(a.facilitator, text, filename="upload.txt")  # sniffed as JSON
        assert [p.key for p in from_json.practices] == ["shared-vision", "goals"]


@pytest.mark.parametrize(
    "content, expected",
    [
        ("key: x\nname: X\ndomains: []\n", ["levels: missing", "domains: at least one domain is needed"]),
        (
            "key: x\nname: X\nlevels:\n  - {key: a, name: A}\n  - {key: b, name: B}\ndomains:\n"
            "  - name: D\n    practices:\n"
            "      - {key: p1, name: Same, descriptors: {a: x, b: y}}\n"
            "      - {key: p2, name: same, descriptors: {a: x, b: y}}\n",
            ['domains[0].practices[1]: duplicate practice name "same"'],
        ),
        ("key: x\nname: [unclosed\n", ["line 3, column 1: not valid YAML"]),
    ],
)
def test_import_errors_are_all_named_and_nothing_is_written(tenants, content, expected):
    a = tenants.a
    before = counts(a)
    with use_network(a.network), pytest.raises(FrameworkRefused) as refused:
        frameworks.import_file(a.facilitator, content.encode(), filename="bad.yaml")
    for text in expected:
        assert any(error.startswith(text) for error in refused.value.errors), refused.value.errors
    assert refused.value.status == 422 and refused.value.fields
    assert counts(a) == before


def test_edit_keeps_practice_rows_in_step_by_key(tenants):
    a = tenants.a
    with use_network(a.network):
        framework = frameworks.import_file(a.facilitator, dump_small(), filename="s.yaml")
        ids = {p.key: p.id for p in framework.practices}
        data = small_document()
        vision, goals = data["domains"][0]["practices"]
        vision["name"] = "A shared vision"
        data["domains"] = [
            {"name": "Goals first", "practices": [goals]},
            {
                "name": "Vision",
                "practices": [vision, {"key": "new-one", "name": "New one", "descriptors": {"low": "a", "high": "b"}}],
            },
        ]
        saved = frameworks.update_document(a.facilitator, framework.id, 1, data)
        assert saved.version == 2
        rows = db.session.scalars(
            select(FrameworkPractice)
            .where(FrameworkPractice.framework_id == framework.id)
            .order_by(FrameworkPractice.position)
        ).all()
        assert [(r.key, r.name, r.domain, r.position) for r in rows] == [
            ("goals", "Goals", "Goals first", 0),
            ("shared-vision", "A shared vision", "Vision", 1),
            ("new-one", "New one", "Vision", 2),
        ]
        assert {r.key: r.id for r in rows if r.key != "new-one"} == ids  # matched, not recreated
        data["domains"][1]["practices"].pop()  # unused: removed with its row
        frameworks.update_document(a.facilitator, framework.id, 2, data)
        assert [p.key for p in framework.practices] == ["goals", "shared-vision"]


def dump_small() -> bytes:
    import yaml

    return yaml.safe_dump(small_document()).encode()


def test_a_stale_version_is_a_conflict_and_changes_nothing(tenants):
    a = tenants.a
    with use_network(a.network):
        frameworks.update_details(a.facilitator, a.framework.id, 1, {"name": "Renamed once"})
        with pytest.raises(Conflict) as stale:
            frameworks.update_details(a.facilitator, a.framework.id, 1, {"name": "Renamed twice"})
        assert "version" in stale.value.fields
        with pytest.raises(ValidationFailed) as missing:
            frameworks.update_details(a.facilitator, a.framework.id, None, {"name": "x"})
        assert "version" in missing.value.fields
    db.session.expire_all()
    with use_network(a.network):
        framework = frameworks.get_framework(a.framework.id)
        assert (framework.name, framework.version, framework.document["name"]) == ("Renamed once", 2, "Renamed once")


def test_removing_a_rated_practice_or_level_is_refused_naming_them(tenants):
    a = tenants.a
    rated = a.framework.practices[0]
    with use_network(a.network):
        data = to_dict(get_builtin("leadership-core-practices"))
        data["domains"][0]["practices"] = [p for p in data["domains"][0]["practices"] if p["key"] != rated.key]
        if not data["domains"][0]["practices"]:
            data["domains"].pop(0)
        with pytest.raises(Conflict) as refused:
            frameworks.update_document(a.facilitator, a.framework.id, 1, data)
        assert rated.key in refused.value.fields["practices"]
        assert "1 individual rating and 1 consensus level" in refused.value.fields["practices"]

        used_level = a.framework.document["levels"][1]
        data = to_dict(get_builtin("leadership-core-practices"))
        data["levels"] = [lv for lv in data["levels"] if lv["key"] != used_level["key"]]
        for domain in data["domains"]:
            for practice in domain["practices"]:
                practice["descriptors"].pop(used_level["key"])
        with pytest.raises(Conflict) as level_refused:
            frameworks.update_document(a.facilitator, a.framework.id, 1, data)
        assert used_level["key"] in level_refused.value.fields["levels"]
    db.session.expire_all()
    with use_network(a.network):
        framework = frameworks.get_framework(a.framework.id)
        assert framework.version == 1
        assert len(framework.practices) == len(get_builtin("leadership-core-practices").practices())
        assert db.session.get(FrameworkPractice, rated.id) is not None


def test_reordering_levels_rewrites_the_stored_ranks(tenants):
    a = tenants.a
    with use_network(a.network):
        data = to_dict(get_builtin("leadership-core-practices"))
        low, mid, high = data["levels"]
        data["levels"] = [mid, low, high]  # the middle level becomes the lowest
        frameworks.update_document(a.facilitator, a.framework.id, 1, data)
        rating = db.session.get(AssessmentRating, a.rating.id)
        agreed = db.session.get(AssessmentConsensus, a.consensus.id)
        db.session.refresh(rating)
        db.session.refresh(agreed)
        assert (rating.level_key, rating.level_rank) == (mid["key"], 0)
        assert (agreed.level_key, agreed.level_rank) == (mid["key"], 0)


def test_export_reads_back_to_the_same_document(tenants):
    a = tenants.a
    with use_network(a.network):
        for fmt in ("yaml", "json"):
            name, text, mimetype = frameworks.export(a.framework, fmt)
            assert name == f"{a.framework.key}.{fmt}" and mimetype.endswith(fmt)
            again = frameworks.import_file(a.facilitator, text.replace(a.framework.key, f"again-{fmt}", 1), fmt)
            assert again.document == {**a.framework.document, "key": f"again-{fmt}"}
        with pytest.raises(ValidationFailed):
            frameworks.export(a.framework, "xml")


def test_archive_waits_for_open_rounds_and_delete_keeps_frameworks_with_rounds(tenants):
    a = tenants.a
    with use_network(a.network):
        with pytest.raises(Conflict):
            frameworks.archive(a.facilitator, a.framework.id)
        a.round.closed_at = utcnow()
        db.session.flush()
        assert frameworks.archive(a.facilitator, a.framework.id).archived_at is not None
        assert frameworks.library().frameworks[-1].id == a.framework.id
        with pytest.raises(Conflict):
            frameworks.delete(a.facilitator, a.framework.id)
        assert frameworks.restore(a.facilitator, a.framework.id).archived_at is None
        unused = frameworks.adopt(a.facilitator, "three-levers")
        frameworks.delete(a.facilitator, unused.id)
        assert db.session.scalar(select(Framework).where(Framework.id == unused.id)) is None
        with pytest.raises(Forbidden):
            frameworks.archive(a.principal, a.framework.id)


def test_links_and_coverage(tenants):
    a, b = tenants.a, tenants.b
    first, second = a.framework.practices[:2]
    other_driver = make_driver(a.aim, "Alphaville unlinked driver")
    other_idea = make_change_idea(a.network, "Alphaville unlinked idea")
    make_change_idea(a.network, "Alphaville declined idea", status="declined")
    with use_network(a.network):
        framework_links.set_links(a.facilitator, a.framework.id, first.id, [a.primary_driver.id], [a.change_idea.id])
        framework_links.set_links(a.facilitator, a.framework.id, second.id, None, [a.change_idea.id])
        cover = framework_links.coverage(a.framework.id)
        practices = {p.id: p for _, ps in cover.domains for p in ps}
        assert [d.id for d in practices[first.id].drivers] == [a.primary_driver.id]
        assert [c.id for c in practices[second.id].change_ideas] == [a.change_idea.id]
        assert {d.id for d in cover.unlinked_drivers} == {a.secondary_driver.id, other_driver.id}
        assert [c.id for c in cover.unlinked_ideas] == [other_idea.id]  # declined ideas are not listed
        assert cover.linked_practices == 2
        assert [p.id for p in framework_links.practices_for_change_idea(a.change_idea.id)] == [first.id, second.id]
        assert framework_links.links_of([first.id]) == {first.id: ([a.primary_driver.id], [a.change_idea.id])}
        framework_links.set_links(a.facilitator, a.framework.id, first.id, [], None)  # None keeps the ideas
        assert framework_links.links_of([first.id]) == {first.id: ([], [a.change_idea.id])}

        with pytest.raises(ValidationFailed) as refused:
            framework_links.set_links(
                a.facilitator, a.framework.id, first.id, [b.primary_driver.id], [b.change_idea.id, "x"]
            )
        assert set(refused.value.fields) == {"driver_ids", "change_idea_ids"}
        with pytest.raises(ValidationFailed) as other:
            framework_links.set_links(a.facilitator, a.framework.id, first.id, [b.primary_driver.id], None)
        assert str(b.primary_driver.id) in other.value.fields["driver_ids"]
        with pytest.raises(NotFound):
            framework_links.set_links(a.facilitator, a.framework.id, b.framework.practices[0].id, [], [])
        with pytest.raises(Forbidden):
            framework_links.set_links(a.principal, a.framework.id, first.id, [], [])
        assert framework_links.practices_for_change_idea(b.change_idea.id) == []


def test_practice_of_another_framework_is_not_found(tenants):
    a = tenants.a
    other = make_framework(a.network, "three-levers")
    with use_network(a.network):
        with pytest.raises(NotFound):
            framework_links.get_practice(a.framework, other.practices[0].id)
        with pytest.raises(NotFound):
            frameworks.get_framework(tenants.b.framework.id)
        with pytest.raises(NotFound):
            frameworks.get_framework("nope")
