"""The diagram's geometry, computed from a snapshot with no database or template."""

import itertools

from nic.services.theory.diagram import BOX_WIDTH, layout, outline, wrap

SNAPSHOT = {
    "aim": {"id": 1, "statement": "Ninth graders on track rises from 70% to 85% by June across every school"},
    "drivers": [
        {"id": 10, "kind": "primary", "title": "Strong relationships with adults", "position": 1, "parent_ids": []},
        {"id": 11, "kind": "primary", "title": "Grades watched weekly", "position": 2, "parent_ids": []},
        {"id": 20, "kind": "secondary", "title": "Advisory every week", "position": 3, "parent_ids": [10, 11]},
        {"id": 21, "kind": "secondary", "title": "Failure alerts", "position": 4, "parent_ids": [11]},
    ],
    "change_ideas": [
        {"id": 30, "title": "Grade monitoring huddle", "status": "accepted", "driver_ids": [20, 21]},
        {"id": 31, "title": "Mentor lunches", "status": "proposed", "driver_ids": [20]},
        {"id": 32, "title": "Saturday school", "status": "declined", "driver_ids": [21]},
    ],
}


def test_columns_run_left_to_right():
    drawn = layout(SNAPSHOT)
    x = {b.key: b.x for b in drawn.boxes}
    assert x["aim-1"] < x["driver-10"] == x["driver-11"] < x["driver-20"] == x["driver-21"] < x["idea-30"]
    assert [label for _, label in drawn.columns] == ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
    assert drawn.width >= x["idea-30"] + BOX_WIDTH


def test_one_edge_per_link_and_two_for_two_parents():
    drawn = layout(SNAPSHOT)
    edges = {(e.source, e.target) for e in drawn.edges}
    assert edges == {
        ("aim-1", "driver-10"),
        ("aim-1", "driver-11"),
        ("driver-10", "driver-20"),
        ("driver-11", "driver-20"),
        ("driver-11", "driver-21"),
        ("driver-20", "idea-30"),
        ("driver-21", "idea-30"),
        ("driver-20", "idea-31"),
    }
    assert len(drawn.edges) == 8
    for edge in drawn.edges:
        assert edge.path.startswith("M") and " C" in edge.path


def test_closed_ideas_are_left_out_unless_asked():
    assert layout(SNAPSHOT).hidden_ideas == 1
    assert "idea-32" not in {b.key for b in layout(SNAPSHOT).boxes}
    shown = layout(SNAPSHOT, include_closed=True)
    assert shown.box("idea-32").muted and not shown.box("idea-30").muted
    assert ("driver-21", "idea-32") in {(e.source, e.target) for e in shown.edges}


def test_boxes_do_not_overlap_within_a_column():
    drawn = layout(SNAPSHOT, include_closed=True)
    by_column: dict[int, list] = {}
    for box in drawn.boxes:
        by_column.setdefault(box.column, []).append(box)
    for boxes in by_column.values():
        boxes.sort(key=lambda b: b.y)
        for upper, lower in itertools.pairwise(boxes):
            assert upper.y + upper.height < lower.y
        for box in boxes:
            assert box.y >= 0 and box.y + box.height <= drawn.height


def test_long_text_wraps_and_is_cut_with_an_ellipsis():
    lines = wrap("word " * 100, width=30, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 30 for line in lines)
    assert wrap("Supercalifragilisticexpialidocious-and-then-some-more", width=12, max_lines=9)[0] != ""
    assert wrap("") == ["(untitled)"]


def test_a_secondary_under_a_secondary_gets_its_own_column():
    snapshot = {
        **SNAPSHOT,
        "drivers": SNAPSHOT["drivers"]
        + [{"id": 22, "kind": "secondary", "title": "Deeper", "position": 5, "parent_ids": [21]}],
    }
    drawn = layout(snapshot)
    assert drawn.box("driver-22").column == drawn.box("driver-21").column + 1
    assert drawn.box("idea-30").column == drawn.box("driver-22").column + 1


def test_an_old_snapshot_with_a_loop_or_missing_parts_still_draws():
    looped = {
        "aim": {"id": 1, "statement": "A"},
        "drivers": [
            {"id": 1, "kind": "secondary", "title": "x", "parent_ids": [2]},
            {"id": 2, "kind": "secondary", "title": "y", "parent_ids": [1]},
        ],
        "change_ideas": [{"id": 5, "title": "z", "status": "accepted", "driver_ids": [99]}],
    }
    drawn = layout(looped)
    assert len(drawn.boxes) == 4
    assert layout({"aim": {"id": 3, "statement": "Only an aim"}}).boxes[0].key == "aim-3"


def test_outline_nests_drivers_and_ideas():
    tree = outline(SNAPSHOT)
    assert [n["title"] for n in tree] == ["Strong relationships with adults", "Grades watched weekly"]
    grades = tree[1]
    assert [d["title"] for d in grades["drivers"]] == ["Advisory every week", "Failure alerts"]
    assert [i["title"] for i in grades["drivers"][1]["ideas"]] == ["Grade monitoring huddle"]  # declined left out
