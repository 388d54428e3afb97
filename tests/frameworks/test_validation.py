"""Refusing bad frameworks: every problem named with its place, all at once, nothing built."""

import json

import pytest

from nic.frameworks import FrameworkInvalid, from_dict, load
from nic.frameworks.schema import MAX_TEXT_CHARS

LEVELS = ["less", "meeting", "ready"]


def practice(key, name, **extra):
    return {"key": key, "name": name, "descriptors": {level: f"{name} at {level}" for level in LEVELS}, **extra}


def valid():
    return {
        "key": "small",
        "name": "A small framework",
        "source": {"organisation": "A network", "title": "Notes", "note": "Our words."},
        "levels": [{"key": key, "name": key.title()} for key in LEVELS],
        "domains": [
            {
                "name": "Vision",
                "practices": [
                    practice("vision", "Vision"),
                    practice("goals", "Goals"),
                    practice("shared-ilt", "Shared ILT"),
                ],
            },
            {
                "name": "Learning",
                "practices": [practice("coaching", "Coaching", guiding_questions=["Who is coached?"])],
            },
            {"name": "Culture", "practices": [practice("trust", "Trust"), practice("inquiry", "Inquiry")]},
        ],
    }


def refused(data) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        from_dict(data)
    return caught.value.errors


def test_the_valid_document_loads():
    framework = from_dict(valid())
    assert [p.key for p in framework.practices()] == ["vision", "goals", "shared-ilt", "coaching", "trust", "inquiry"]
    assert framework.practice("coaching").guiding_questions == ("Who is coached?",)


def test_a_practice_missing_a_level_descriptor_is_named():
    data = valid()
    del data["domains"][1]["practices"][0]["descriptors"]["meeting"]
    assert refused(data) == ['domains[1].practices[0].descriptors: missing level "meeting"']


def test_a_descriptor_for_an_unknown_level_is_named():
    data = valid()
    data["domains"][0]["practices"][1]["descriptors"]["expert"] = "Beyond the top"
    assert refused(data) == [
        'domains[0].practices[1].descriptors: unknown level "expert" (the levels are "less", "meeting", "ready")'
    ]


def test_duplicate_practice_names_name_both_places():
    data = valid()
    data["domains"][2]["practices"][1]["name"] = "shared  ILT"  # case and spacing do not make it new
    assert refused(data) == [
        (
            'domains[2].practices[1]: duplicate practice name "shared  ILT" '
            "(domains[0].practices[2] and domains[2].practices[1])"
        )
    ]


def test_duplicate_keys_and_names_of_every_kind():
    data = valid()
    data["levels"][2]["key"] = "less"
    data["levels"][1]["name"] = "LESS"
    data["domains"][2]["name"] = "vision"
    data["domains"][2]["practices"][0]["key"] = "coaching"
    for practice_ in data["domains"][2]["practices"]:  # keep descriptors in step with the levels
        practice_["descriptors"] = {"less": "x", "meeting": "y"}
    errors = refused(data)
    assert errors == [
        'levels[2]: duplicate level key "less" (levels[0] and levels[2])',
        'levels[1]: duplicate level name "LESS" (levels[0] and levels[1])',
        'domains[0].practices[0].descriptors: unknown level "ready" (the levels are "less", "meeting", "less")',
        'domains[0].practices[1].descriptors: unknown level "ready" (the levels are "less", "meeting", "less")',
        'domains[0].practices[2].descriptors: unknown level "ready" (the levels are "less", "meeting", "less")',
        'domains[1].practices[0].descriptors: unknown level "ready" (the levels are "less", "meeting", "less")',
        'domains[2]: duplicate domain name "vision" (domains[0] and domains[2])',
        'domains[2].practices[0]: duplicate practice key "coaching" '
        "(domains[1].practices[0] and domains[2].practices[0])",
    ]


@pytest.mark.parametrize(
    ("levels", "error"),
    [
        ([{"key": "only", "name": "Only"}], "levels: at least 2 levels are needed, found 1"),
        ([], "levels: at least 2 levels are needed, found 0"),
        (None, "levels: missing"),
        ("less, more", "levels: must be a list, found text"),
        ([{"key": f"l{i}", "name": f"L{i}"} for i in range(11)], "levels: at most 10 levels, found 11"),
    ],
)
def test_levels_must_be_a_list_of_two_to_ten(levels, error):
    data = valid()
    data["levels"] = levels
    assert error in refused(data)


def test_unknown_keys_are_named_with_a_suggestion():
    data = valid()
    data["colour"] = "blue"
    data["levels"][0]["descripton"] = "typo"
    data["domains"][1]["practices"][0]["guiding_question"] = ["typo"]
    assert refused(data) == [
        '(document): unknown key "colour" (allowed: key, name, description, source, levels, domains)',
        'levels[0]: unknown key "descripton" (did you mean "descriptor"?)',
        'domains[1].practices[0]: unknown key "guiding_question" (did you mean "guiding_questions"?)',
    ]


def test_empty_and_missing_names_are_named():
    data = valid()
    data["name"] = "   "
    del data["levels"][1]["name"]
    data["domains"][0]["name"] = ""
    data["domains"][1]["practices"][0]["name"] = None
    data["domains"][1]["practices"][0]["descriptors"]["ready"] = " "
    data["source"]["organisation"] = ""
    assert refused(data) == [
        "name: must not be empty",
        "source.organisation: must not be empty",
        "levels[1].name: missing",
        "domains[0].name: must not be empty",
        "domains[1].practices[0].name: missing",
        "domains[1].practices[0].descriptors.ready: must not be empty",
    ]


def test_keys_must_be_slugs_and_a_slug_is_suggested():
    data = valid()
    data["key"] = "My Framework!"
    assert refused(data) == [
        (
            'key: "My Framework!" is not a valid key: use lowercase letters and digits, joined by "-" or "_" '
            '(for example "my-framework")'
        )
    ]


def test_size_limits_are_named():
    data = valid()
    data["domains"] = [
        {"name": f"Domain {d}", "practices": [practice(f"p{d}-{p}", f"Practice {d}.{p}") for p in range(6)]}
        for d in range(51)
    ]
    data["domains"][3]["practices"][2]["description"] = "x" * (MAX_TEXT_CHARS + 1)
    data["domains"][4]["name"] = "n" * 201
    data["domains"][5]["practices"][0]["guiding_questions"] = ["Why?"] * 31
    assert refused(data) == [
        "domains: at most 50 domains, found 51",
        "domains[3].practices[2].description: too long (2,001 characters; at most 2,000)",
        "domains[4].name: too long (201 characters; at most 200)",
        "domains[5].practices[0].guiding_questions: at most 30 questions, found 31",
        "domains: at most 300 practices in all, found 306",
    ]


def test_wrong_types_are_named_in_the_words_of_the_file():
    data = valid()
    data["name"] = 2024
    data["domains"][0]["practices"][0]["descriptors"] = ["less", "meeting"]
    data["domains"][1]["practices"] = {"coaching": {}}
    data["domains"][2]["practices"][0]["guiding_questions"] = "Why?"
    data["domains"][2]["practices"][1]["guiding_questions"] = ["", True]
    assert refused(data) == [
        "name: must be text, found the number 2024 (put it in quotes)",
        "domains[0].practices[0].descriptors: must be a mapping of level key to text, found a list",
        "domains[1].practices: must be a list, found a mapping",
        "domains[2].practices[0].guiding_questions: must be a list, found text",
        "domains[2].practices[1].guiding_questions[0]: must not be empty",
        "domains[2].practices[1].guiding_questions[1]: must be text, found true (a yes/no value) (put it in quotes)",
    ]


@pytest.mark.parametrize("document", [[], "framework", None, 3])
def test_the_document_must_be_a_mapping(document):
    assert refused(document) == [f"(document): must be a mapping of keys to values, found {_kind(document)}"]


def _kind(value):
    return {list: "a list", str: "text", type(None): "nothing (null)", int: "the number 3"}[type(value)]


def test_domains_need_practices_and_frameworks_need_domains():
    data = valid()
    data["domains"][1]["practices"] = []
    assert refused(data) == ["domains[1].practices: at least one practice is needed"]
    data["domains"] = []
    assert refused(data) == ["domains: at least one domain is needed"]


def test_control_characters_and_multi_line_names_are_refused():
    data = valid()
    data["name"] = "Two\nlines"
    data["domains"][0]["practices"][0]["description"] = "nul \x00 inside"
    data["domains"][0]["practices"][1]["description"] = "Two\nlines are fine here"
    assert refused(data) == [
        "name: must be a single line",
        "domains[0].practices[0].description: contains control characters",
    ]


def test_every_problem_is_reported_at_once_in_document_order():
    """Five unrelated problems, one refusal listing all five."""
    data = valid()
    data["key"] = ""
    data["levels"] = data["levels"][:1]
    data["domains"][0]["practices"][0]["nmae"] = "typo"
    data["domains"][1]["practices"][0]["name"] = "Vision"
    data["domains"][2]["practices"][1]["descriptors"]["less"] = 5
    errors = refused(data)
    assert errors == [
        "key: must not be empty",
        "levels: at least 2 levels are needed, found 1",
        'domains[0].practices[0]: unknown key "nmae" (did you mean "name"?)',
        'domains[0].practices[0].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[0].practices[0].descriptors: unknown level "ready" (the levels are "less")',
        'domains[0].practices[1].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[0].practices[1].descriptors: unknown level "ready" (the levels are "less")',
        'domains[0].practices[2].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[0].practices[2].descriptors: unknown level "ready" (the levels are "less")',
        'domains[1].practices[0].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[1].practices[0].descriptors: unknown level "ready" (the levels are "less")',
        'domains[2].practices[0].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[2].practices[0].descriptors: unknown level "ready" (the levels are "less")',
        'domains[2].practices[1].descriptors: unknown level "meeting" (the levels are "less")',
        'domains[2].practices[1].descriptors: unknown level "ready" (the levels are "less")',
        "domains[2].practices[1].descriptors.less: must be text, found the number 5 (put it in quotes)",
        'domains[1].practices[0]: duplicate practice name "Vision" '
        "(domains[0].practices[0] and domains[1].practices[0])",
    ]


def test_an_imported_file_with_missing_levels_duplicate_names_and_so_on_is_refused_whole():
    """The issue's bad-input case through load(), in both formats: each error named."""
    data = valid()
    del data["domains"][0]["practices"][1]["descriptors"]["ready"]
    data["domains"][2]["practices"][0]["name"] = "Coaching"
    for text, format in ((json.dumps(data), "json"), (_yaml(data), "yaml")):
        with pytest.raises(FrameworkInvalid) as caught:
            load(text, format)
        assert caught.value.errors == [
            'domains[0].practices[1].descriptors: missing level "ready"',
            (
                'domains[2].practices[0]: duplicate practice name "Coaching" '
                "(domains[1].practices[0] and domains[2].practices[0])"
            ),
        ]


def _yaml(data):
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def test_source_is_optional_but_needs_an_organisation_when_given():
    data = valid()
    del data["source"]
    assert from_dict(data).source is None
    data["source"] = {"title": "Untitled", "url": "x"}
    assert refused(data) == [
        'source: unknown key "url" (allowed: organisation, title, note)',
        "source.organisation: missing",
    ]


def test_text_is_stripped_and_descriptors_are_kept_in_level_order():
    data = valid()
    data["name"] = "  Padded  "
    data["domains"][0]["practices"][0]["descriptors"] = {"ready": "c", "less": "a", "meeting": "b"}
    framework = from_dict(data)
    assert framework.name == "Padded"
    assert list(framework.practices()[0].descriptors) == ["less", "meeting", "ready"]


def test_the_message_lists_the_first_twenty_problems_and_counts_the_rest():
    data = valid()
    data["domains"] = [{"name": "", "practices": [practice(f"p{i}", f"P{i}")]} for i in range(25)]
    with pytest.raises(FrameworkInvalid) as caught:
        from_dict(data)
    assert len(caught.value.errors) == 25
    message = str(caught.value)
    assert message.startswith("framework refused (25 problems):")
    assert "domains[19].name: must not be empty" in message
    assert "domains[20].name" not in message
    assert message.endswith("... and 5 more")
