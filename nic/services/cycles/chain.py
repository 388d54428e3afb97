"""Ramps: the chain of cycles linked by parent_id (each "Adapt" or "Next cycle" starts a
child). The chain of a cycle is the whole tree it belongs to: up to its first cycle, then
down through every descendant.

Both walks are recursive CTEs (PostgreSQL and SQLite both have them), so a chain costs
three queries however long it is. Depth is bounded so damaged data can never loop.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select

from nic.extensions import db
from nic.models import Cycle

MAX_DEPTH = 200


@dataclass(frozen=True)
class ChainLink:
    cycle: Cycle
    depth: int  # 0 for the first cycle of the chain
    number: int  # 1-based position in the listed order
    is_current: bool


def _root_id(cycle_id: int) -> int:
    up = select(Cycle.id, Cycle.parent_id, literal(0).label("depth")).where(Cycle.id == cycle_id).cte(
        "ancestors", recursive=True
    )
    up = up.union_all(
        select(Cycle.id, Cycle.parent_id, (up.c.depth + 1).label("depth"))
        .join(up, Cycle.id == up.c.parent_id)
        .where(up.c.depth < MAX_DEPTH)
    )
    return db.session.scalar(select(up.c.id).order_by(up.c.depth.desc()).limit(1)) or cycle_id


def _tree(root_id: int) -> list[tuple[int, int | None, int]]:
    """(id, parent_id, depth) of the root and every descendant."""
    down = select(Cycle.id, Cycle.parent_id, literal(0).label("depth")).where(Cycle.id == root_id).cte(
        "descendants", recursive=True
    )
    down = down.union_all(
        select(Cycle.id, Cycle.parent_id, (down.c.depth + 1).label("depth"))
        .join(down, Cycle.parent_id == down.c.id)
        .where(down.c.depth < MAX_DEPTH)
    )
    return [tuple(row) for row in db.session.execute(select(down.c.id, down.c.parent_id, down.c.depth))]


def chain(cycle: Cycle, visible_clause) -> list[ChainLink]:
    """The cycles of `cycle`'s chain that `visible_clause` admits, in reading order (each
    cycle followed by its children, oldest first). A cycle with no parent and no children
    has a chain of one."""
    rows = _tree(_root_id(cycle.id))
    children: dict[int | None, list[int]] = {}
    depth_of: dict[int, int] = {}
    for cycle_id, parent_id, depth in rows:
        if cycle_id in depth_of:
            continue
        depth_of[cycle_id] = depth
        children.setdefault(parent_id, []).append(cycle_id)
    ordered: list[int] = []
    root = next((cid for cid, _, depth in rows if depth == 0), cycle.id)
    stack = [root]
    while stack:  # pre-order walk: a child right after its parent
        current = stack.pop()
        ordered.append(current)
        stack.extend(sorted(children.get(current, []), reverse=True))
    loaded = {
        c.id: c for c in db.session.scalars(select(Cycle).where(Cycle.id.in_(ordered), visible_clause))
    }
    links = []
    for cycle_id in ordered:
        if cycle_id in loaded:
            links.append(ChainLink(loaded[cycle_id], depth_of.get(cycle_id, 0), len(links) + 1, cycle_id == cycle.id))
    return links
