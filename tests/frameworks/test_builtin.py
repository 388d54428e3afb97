"""The frameworks nic ships: they load, validate, round-trip and credit their sources."""

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from nic.frameworks import FORMATS, dump, get_builtin, list_builtin, load

BUILTINS = list_builtin()
IDS = [framework.key for framework in BUILTINS]


def test_three_frameworks_ship_with_distinct_keys():
    assert IDS == ["leadership-core-practices", "three-levers", "leadership-dimensions"]


@pytest.mark.parametrize("framework", BUILTINS, ids=IDS)
def test_every_practice_has_a_descriptor_for_every_level(framework):
    assert len(framework.levels) >= 2
    for practice in framework.practices():
        assert tuple(practice.descriptors) == framework.level_keys, practice.key
        assert all(text.strip() for text in practice.descriptors.values()), practice.key


@pytest.mark.parametrize("framework", BUILTINS, ids=IDS)
@pytest.mark.parametrize("format", FORMATS)
def test_round_trips_through_dump_and_load_identically(framework, format):
    text = dump(framework, format)
    again = load(text, format)
    assert again == framework
    assert dump(again, format) == text  # a second trip changes nothing either


@pytest.mark.parametrize("framework", BUILTINS, ids=IDS)
def test_yaml_and_json_carry_the_same_framework(framework):
    via_json = load(dump(framework, "json"), "json")
    assert load(dump(via_json, "yaml"), "yaml") == framework


@pytest.mark.parametrize("framework", BUILTINS, ids=IDS)
def test_every_practice_has_guiding_questions_and_a_description(framework):
    for practice in framework.practices():
        assert practice.guiding_questions, practice.key
        assert practice.description, practice.key


@pytest.mark.parametrize(
    ("key", "organisations"),
    [
        ("leadership-core-practices", ["EL Education", "Educational Results Partnership"]),
        ("three-levers", ["Insight Education Group"]),
        ("leadership-dimensions", ["Center for Educational Leadership"]),
    ],
)
def test_each_framework_credits_its_source_organisation_as_the_source_names_it(key, organisations):
    source = get_builtin(key).source
    for organisation in organisations:
        assert organisation in source.organisation
    assert source.title
    assert "own" in source.note  # says which words are nic's


def test_core_practices_rubric_has_the_three_rubric_levels_and_six_core_practices():
    framework = get_builtin("leadership-core-practices")
    assert [level.name for level in framework.levels] == [
        "Less effective practice",
        "Meeting standards",
        "College- and career-ready",
    ]
    assert [domain.name for domain in framework.domains] == [
        "Cohesive school vision",
        "Evidence-based strategic improvement",
        "Shared leadership",
        "Professional learning",
        "High-quality instruction",
        "Positive professional culture",
    ]
    assert framework.practice("instructional-leadership-team").name == "An instructional leadership team that leads"


def test_three_levers_has_a_domain_per_lever():
    names = [domain.name for domain in get_builtin("three-levers").domains]
    assert names[:3] == [
        "Instructional leadership teams",
        "Coaching for every educator",
        "Professional learning communities",
    ]


def test_dimensions_framework_has_the_four_dimensions():
    names = [domain.name for domain in get_builtin("leadership-dimensions").domains]
    assert names == [
        "Vision, mission and culture",
        "Improvement of instructional practice",
        "Allocation of resources",
        "Management of people and processes",
    ]


def test_get_builtin_by_key_and_unknown_key():
    assert get_builtin("three-levers").name == "Three levers for school improvement"
    assert get_builtin("no-such-framework") is None


def test_builtins_cannot_be_changed_by_a_caller():
    framework = get_builtin("three-levers")
    with pytest.raises(FrozenInstanceError):
        framework.name = "Mine now"
    with pytest.raises(TypeError):
        framework.practices()[0].descriptors["emerging"] = "changed"
    listed = list_builtin()
    listed.clear()  # a caller's list, not the cache
    assert len(list_builtin()) == 3


def test_a_framework_can_be_deep_copied_and_pickled_for_caches():
    framework = get_builtin("leadership-core-practices")
    for again in (copy.deepcopy(framework), pickle.loads(pickle.dumps(framework))):
        assert again == framework
        with pytest.raises(TypeError):
            again.practices()[0].descriptors["meeting-standards"] = "changed"
