"""Reading and writing framework files: YAML and JSON, and the defences on the way in."""

import json
import time

import pytest

from nic.frameworks import FrameworkInvalid, dump, get_builtin, load
from nic.frameworks.io import parse
from nic.frameworks.schema import MAX_FILE_BYTES

GOOD_YAML = """\
key: tiny
name: Tiny
levels:
  - {key: low, name: Low}
  - {key: high, name: High}
domains:
  - name: Only
    practices:
      - key: one
        name: One
        descriptors: {low: Not yet, high: Always}
"""


def errors_of(text, format="yaml") -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        load(text, format)
    return caught.value.errors


def test_a_good_yaml_file_loads_and_so_does_the_same_as_bytes_with_a_bom():
    framework = load(GOOD_YAML)
    assert framework.practice("one").descriptors == {"low": "Not yet", "high": "Always"}
    assert load(b"\xef\xbb\xbf" + GOOD_YAML.encode()) == framework


def test_bad_yaml_names_the_line():
    text = GOOD_YAML.replace("name: Only", "name: [Only")
    # The wording of the problem differs between libyaml and the pure-Python parser;
    # the place and the context do not.
    [error] = errors_of(text)
    assert error.startswith("line 8, column 14: not valid YAML: ")
    assert error.endswith("(while parsing a flow sequence on line 7)")
    # libyaml ends this one "in this context", the pure-Python parser "here".
    assert errors_of("key: a\n name: b\n")[0].startswith(
        "line 2, column 6: not valid YAML: mapping values are not allowed"
    )


def test_bad_json_names_the_line():
    text = '{\n  "key": "a",\n  "name": "b"\n  "levels": []\n}'
    assert errors_of(text, "json") == ["line 4, column 3: not valid JSON: Expecting ',' delimiter"]


def test_billion_laughs_is_refused_fast():
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, 10):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]")
    bomb = "\n".join(lines) + "\nkey: *lol9\n"
    started = time.perf_counter()
    errors = errors_of(bomb)
    assert time.perf_counter() - started < 0.5
    assert errors == ["line 1, column 7: not valid YAML: anchors (&lol0) are not allowed in a framework"]


def test_any_alias_or_anchor_is_refused_even_a_harmless_one():
    text = GOOD_YAML.replace("descriptors: {low: Not yet, high: Always}", "descriptors: &d {low: a, high: b}")
    assert errors_of(text) == ["line 11, column 22: not valid YAML: anchors (&d) are not allowed in a framework"]
    assert errors_of("key: *nothing\n") == [
        "line 1, column 6: not valid YAML: aliases (*nothing) are not allowed in a framework"
    ]


def test_python_objects_and_other_tags_are_refused_before_anything_is_built():
    assert errors_of("key: !!python/name:os.getcwd ''\n") == [
        (
            "line 1, column 6: not valid YAML: tags (!!python/name:os.getcwd) are not allowed in a framework: "
            "write plain text"
        )
    ]
    assert errors_of("key: !!timestamp 2024-13-45\n")[0].startswith(
        "line 1, column 6: not valid YAML: tags (!!timestamp)"
    )


def test_yaml_scalars_are_read_as_text_so_yes_no_and_numbers_need_no_quotes():
    text = (
        GOOD_YAML.replace("key: low", "key: no")
        .replace("key: high", "key: yes")
        .replace("{low: Not yet, high: Always}", "{no: 2024-01-01, yes: 3.5}")
        .replace("name: Tiny", "name: 2024")
    )
    framework = load(text)
    assert framework.level_keys == ("no", "yes")
    assert framework.name == "2024"
    assert dict(framework.practice("one").descriptors) == {"no": "2024-01-01", "yes": "3.5"}
    assert load(dump(framework)) == framework  # the dump quotes what YAML would misread


def test_null_still_means_missing():
    assert errors_of(GOOD_YAML.replace("name: Tiny", "name: ~")) == ["name: missing"]


@pytest.mark.parametrize(
    ("text", "format"), [("[" * 1_000_000, "yaml"), ("- " * 500_000 + "x", "yaml"), ("[" * 1_000_000, "json")]
)
def test_deep_nesting_is_refused_fast(text, format):
    started = time.perf_counter()
    errors = errors_of(text, format)
    assert time.perf_counter() - started < 0.5
    assert "nested too deeply to be a framework" in errors[0]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_files_over_one_megabyte_are_refused_before_parsing(as_bytes):
    text = "# " + "x" * MAX_FILE_BYTES + "\n" + GOOD_YAML
    assert errors_of(text.encode() if as_bytes else text) == [
        f"(file): too large ({len(text.encode()):,} bytes; at most 1,048,576, 1 MB)"
    ]
    # Multi-byte characters count as bytes, not characters.
    assert errors_of("é" * (MAX_FILE_BYTES // 2 + 1))[0].startswith("(file): too large")


def test_duplicate_keys_are_refused_rather_than_silently_overwritten():
    text = GOOD_YAML.replace("name: Tiny", "name: Tiny\nname: Tinier")
    assert errors_of(text) == [
        'line 3, column 1: not valid YAML: duplicate key "name" (while reading a mapping on line 1)'
    ]
    assert errors_of('{"key": "a", "key": "b"}', "json") == ['(file): duplicate key "key" in one object']


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"key: \xff\xfe\n", "(file): not UTF-8 text (bad byte at offset 5)"),
        ("  \n\n", "(file): the file is empty"),
        (
            "key: a\n---\nkey: b\n",
            (
                "line 2, column 1: not valid YAML: but found another document "
                "(expected a single document in the stream on line 1)"
            ),
        ),
    ],
)
def test_unreadable_files_are_named(data, error):
    assert errors_of(data) == [error]


def test_a_nul_character_is_named_with_its_line():
    [error] = errors_of("key: a\nname: b\x00\n")
    assert error.startswith("line 2: not valid YAML: ")  # "control" or "special" characters, by parser
    assert error.endswith("(character #x0000)")


def test_a_yaml_list_at_the_top_is_named_as_the_wrong_shape():
    assert errors_of("- key: a\n") == ["(document): must be a mapping of keys to values, found a list"]


def test_an_unknown_format_is_a_programming_error_not_a_refusal():
    with pytest.raises(ValueError, match="format must be one of"):
        load(GOOD_YAML, "toml")
    with pytest.raises(ValueError, match="format must be one of"):
        dump(load(GOOD_YAML), "xml")


def test_dumped_yaml_is_readable_plain_data():
    framework = load(GOOD_YAML.replace("name: One", 'name: One\n        description: "Two\\nlines"'))
    text = dump(framework)
    assert "description: |-\n" in text  # multi-line text as a block
    assert "&" not in text and "*" not in text and "!!" not in text
    assert load(text) == framework
    assert json.loads(dump(framework, "json"))["domains"][0]["practices"][0]["description"] == "Two\nlines"


def test_parse_returns_plain_data_for_callers_that_validate_later():
    assert parse('{"key": "a"}', "json") == {"key": "a"}


def test_a_full_size_builtin_export_parses_quickly():
    text = dump(get_builtin("leadership-core-practices"))
    started = time.perf_counter()
    load(text)
    assert time.perf_counter() - started < 0.5
