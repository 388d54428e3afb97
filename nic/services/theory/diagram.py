"""Where each box of a driver diagram goes: a pure function from a diagram snapshot (the
same dict DiagramRevision stores) to boxes and edges in SVG user units, so the live
diagram and any past revision are drawn by one renderer, and the geometry is testable
without a database or a template.

Columns run left to right: the aim, primary drivers, secondary drivers (a secondary
under another secondary moves one column further right), then change ideas. Inside a
column boxes are ordered by the average row of what they hang from, which keeps most
lines from crossing without a full layout engine.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

BOX_WIDTH = 230
COLUMN_GAP = 64
ROW_GAP = 14
MARGIN = 12
LINE_HEIGHT = 16
PADDING_Y = 10
PADDING_X = 10
HEADER_HEIGHT = 28  # the column captions above the boxes
CHARS_PER_LINE = 28  # 13px system-ui text (bold for the aim and primaries) in BOX_WIDTH less padding
MAX_LINES = {"aim": 9, "driver": 5, "idea": 4}
CLOSED_STATUSES = frozenset({"declined", "retired"})


@dataclass
class Box:
    key: str  # "aim-1", "driver-3", "idea-7": unique in the diagram, used by edges
    kind: str  # aim | primary | secondary | idea
    object_id: int
    title: str  # the full text, for the accessible name and tooltip
    lines: list[str]
    column: int
    x: float = 0
    y: float = 0
    width: float = BOX_WIDTH
    height: float = 0
    status: str | None = None  # change ideas only

    @property
    def muted(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def text_x(self) -> float:
        return self.x + PADDING_X

    def line_y(self, index: int) -> float:
        return self.y + PADDING_Y + LINE_HEIGHT * (index + 1) - 4

    @property
    def status_y(self) -> float:
        """Baseline of the status line under a change idea's title."""
        return self.line_y(len(self.lines))


@dataclass
class Edge:
    source: str
    target: str
    path: str  # an SVG path "d" from the source's right edge to the target's left edge


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    columns: list[tuple[float, str]] = field(default_factory=list)  # (x, caption)
    hidden_ideas: int = 0  # declined or retired ideas left out

    def box(self, key: str) -> Box:
        return next(b for b in self.boxes if b.key == key)


def wrap(text: str, width: int = CHARS_PER_LINE, max_lines: int = 5) -> list[str]:
    """Lines of at most `width` characters; the last one ends with an ellipsis when the
    text is longer than `max_lines` lines (the whole text stays in the box's title)."""
    text = " ".join((text or "").split()) or "(untitled)"
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "…"
    return lines


def _box_height(box: "Box") -> float:
    rows = len(box.lines) + (1 if box.kind == "idea" else 0)  # ideas show their status too
    return PADDING_Y * 2 + LINE_HEIGHT * rows


def _driver_depths(drivers: list[dict]) -> dict[int, int]:
    """Column of each driver: 1 for primary, one right of its deepest parent otherwise.
    Parents outside the snapshot are ignored; a cycle (refused by the service, but an
    old snapshot is data, not code) cannot loop because a driver on the path stops it."""
    by_id = {d["id"]: d for d in drivers}
    depths: dict[int, int] = {}

    def depth(driver_id: int, path: frozenset) -> int:
        if driver_id in depths:
            return depths[driver_id]
        driver = by_id[driver_id]
        parents = [p for p in driver.get("parent_ids") or [] if p in by_id and p not in path]
        if driver.get("kind") == "primary" or not parents:
            value = 1 if driver.get("kind") == "primary" else 2
        else:
            value = 1 + max(depth(p, path | {driver_id}) for p in parents)
        depths[driver_id] = value
        return value

    for driver in drivers:
        depth(driver["id"], frozenset())
    return depths


def layout(snapshot: dict, include_closed: bool = False) -> Layout:
    aim = snapshot.get("aim") or {}
    drivers = [d for d in snapshot.get("drivers") or [] if d.get("id") is not None]
    ideas = [i for i in snapshot.get("change_ideas") or [] if i.get("id") is not None]
    hidden = 0
    if not include_closed:
        hidden = sum(1 for i in ideas if i.get("status") in CLOSED_STATUSES)
        ideas = [i for i in ideas if i.get("status") not in CLOSED_STATUSES]

    depths = _driver_depths(drivers)
    idea_column = max(depths.values(), default=0) + 1

    # Boxes per column, each with the keys of the boxes it hangs from.
    aim_box = Box(key=f"aim-{aim.get('id')}", kind="aim", object_id=aim.get("id"), title=aim.get("statement") or "",
                  lines=wrap(aim.get("statement") or "", max_lines=MAX_LINES["aim"]), column=0)
    columns: dict[int, list[Box]] = {c: [] for c in range(idea_column + 1)}
    columns[0].append(aim_box)
    sources: dict[str, list[str]] = {aim_box.key: []}
    for d in sorted(drivers, key=lambda d: (d.get("position") or 0, d["id"])):
        box = Box(key=f"driver-{d['id']}", kind=d.get("kind") or "secondary", object_id=d["id"],
                  title=d.get("title") or "", lines=wrap(d.get("title") or "", max_lines=MAX_LINES["driver"]),
                  column=depths[d["id"]])
        columns[box.column].append(box)
        parents = [f"driver-{p}" for p in d.get("parent_ids") or []]
        sources[box.key] = [aim_box.key] if d.get("kind") == "primary" else parents
    for i in sorted(ideas, key=lambda i: i["id"]):
        box = Box(key=f"idea-{i['id']}", kind="idea", object_id=i["id"], title=i.get("title") or "",
                  lines=wrap(i.get("title") or "", max_lines=MAX_LINES["idea"]), column=idea_column,
                  status=i.get("status"))
        columns[idea_column].append(box)
        sources[box.key] = [f"driver-{d}" for d in i.get("driver_ids") or []]

    # Heights decide how tall each column is; each column is centred against the tallest.
    for boxes in columns.values():
        for box in boxes:
            box.height = _box_height(box)
    column_heights = {
        c: sum(b.height for b in boxes) + ROW_GAP * max(len(boxes) - 1, 0) for c, boxes in columns.items()
    }
    content_height = max(column_heights.values())

    # Place column by column, left to right, each ordered by the mean height of what its
    # boxes hang from (already placed); boxes hanging from nothing go last, in order.
    placed: dict[str, Box] = {}
    for column in sorted(columns):
        def mean_source_y(indexed, column=column):
            index, box = indexed
            ys = [placed[k].y + placed[k].height / 2 for k in sources[box.key] if k in placed]
            return (0, sum(ys) / len(ys), index) if ys else (1, 0, index)

        ordered = [box for _, box in sorted(enumerate(columns[column]), key=mean_source_y)]
        columns[column] = ordered
        x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
        y = MARGIN + HEADER_HEIGHT + (content_height - column_heights[column]) / 2
        for box in ordered:
            box.x, box.y = x, y
            y += box.height + ROW_GAP
            placed[box.key] = box

    result = Layout(
        width=MARGIN * 2 + (idea_column + 1) * BOX_WIDTH + idea_column * COLUMN_GAP,
        height=MARGIN * 2 + HEADER_HEIGHT + content_height,
        hidden_ideas=hidden,
    )
    result.boxes = [box for c in sorted(columns) for box in columns[c]]
    result.columns = [
        (MARGIN + c * (BOX_WIDTH + COLUMN_GAP), _caption(c, idea_column)) for c in sorted(columns) if columns[c]
    ]
    # One line per link: aim -> primary, each parent -> secondary, each driver -> idea.
    for box in result.boxes:
        for source_key in sources[box.key]:
            source = placed.get(source_key)
            if source is not None:
                result.edges.append(Edge(source_key, box.key, _curve(source, box)))
    return result


def _caption(column: int, idea_column: int) -> str:
    if column == 0:
        return "Aim"
    if column == idea_column:
        return "Change ideas"
    return "Primary drivers" if column == 1 else "Secondary drivers"


def _curve(source: Box, target: Box) -> str:
    x1, y1 = source.x + source.width, source.y + source.height / 2
    x2, y2 = target.x, target.y + target.height / 2
    bend = (x2 - x1) / 2
    return f"M{x1:.1f} {y1:.1f} C{x1 + bend:.1f} {y1:.1f} {x2 - bend:.1f} {y2:.1f} {x2:.1f} {y2:.1f}"


def outline(snapshot: dict, include_closed: bool = False) -> list[dict]:
    """The diagram as a nested list (the text alternative to the drawing): each primary
    driver with the drivers and change ideas under it. A driver with two parents appears
    under both, as its two lines do in the drawing."""
    drivers = [d for d in snapshot.get("drivers") or [] if d.get("id") is not None]
    ideas = [
        i for i in snapshot.get("change_ideas") or []
        if i.get("id") is not None and (include_closed or i.get("status") not in CLOSED_STATUSES)
    ]
    order = lambda d: (d.get("position") or 0, d["id"])  # noqa: E731
    children = {d["id"]: sorted((c for c in drivers if d["id"] in (c.get("parent_ids") or [])), key=order)
                for d in drivers}

    def node(driver: dict, path: frozenset) -> dict:
        return {
            "kind": driver.get("kind"), "id": driver["id"], "title": driver.get("title") or "",
            "drivers": [node(c, path | {c["id"]}) for c in children[driver["id"]] if c["id"] not in path],
            "ideas": [{"id": i["id"], "title": i.get("title") or "", "status": i.get("status")}
                      for i in ideas if driver["id"] in (i.get("driver_ids") or [])],
        }

    primaries = sorted((d for d in drivers if d.get("kind") == "primary"), key=order)
    return [node(d, frozenset({d["id"]})) for d in primaries]
