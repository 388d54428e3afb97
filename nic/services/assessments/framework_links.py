"""Where leadership practices meet the theory of improvement: a framework's practices
linked to the network's drivers and change ideas.

Facilitators set a practice's links (a whole set of ids at once); everyone reads them.
The coverage read answers the facilitator's question "which parts of our theory address
which leadership practices, and what addresses none": for each practice of a framework,
its drivers and change ideas, then the drivers and change ideas linked to no practice of
that framework. Ids that are not the network's (unknown, or another network's) are
refused naming the field, never linked.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select, union
from sqlalchemy.orm import selectinload

from nic.extensions import db
from nic.models import Aim, ChangeIdea, Driver, Framework, FrameworkPractice
from nic.models.assessment import practice_change_ideas, practice_drivers
from nic.models.theory import change_idea_drivers
from nic.services.theory import theory
from nic.services.theory import ideas as theory_ideas
from nic.services.errors import NotFound
from nic.services.assessments.frameworks import _require_manage, get_framework
from nic.transaction import commit
from nic.services.validation import FieldErrors, clean_id

# Ideas the network turned down or retired are not part of its working theory: they are
# not listed as "addressing nothing", though existing links to them still show.
INACTIVE_IDEA_STATUSES = ("declined", "retired")


def get_practice(framework: Framework, practice_id) -> FrameworkPractice:
    """A practice of this framework; any other id (another framework's, another
    network's) is NotFound."""
    try:
        practice_id = clean_id(practice_id)
    except ValueError:
        raise NotFound("No such practice in this framework.") from None
    practice = db.session.scalar(select(FrameworkPractice).where(
        FrameworkPractice.id == practice_id, FrameworkPractice.framework_id == framework.id))
    if practice is None:
        raise NotFound("No such practice in this framework.")
    return practice


def _load_change_ideas(errors: FieldErrors, field: str, ids) -> list[ChangeIdea]:
    ids = errors.check(field, theory.clean_ids, ids)
    if not ids:
        return []
    found = {idea.id: idea for idea in db.session.scalars(select(ChangeIdea).where(ChangeIdea.id.in_(ids)))}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        errors.add(field, f"unknown change idea ids: {', '.join(unknown)}")
        return []
    return [found[i] for i in ids]


def set_links(membership, framework_id, practice_id, driver_ids=None, change_idea_ids=None) -> FrameworkPractice:
    """Replace the practice's drivers and/or change ideas (a list left as None is kept)."""
    _require_manage(membership)
    practice = get_practice(get_framework(framework_id), practice_id)
    errors = FieldErrors()
    drivers = theory.load_drivers(errors, "driver_ids", driver_ids) if driver_ids is not None else None
    ideas = _load_change_ideas(errors, "change_idea_ids", change_idea_ids) if change_idea_ids is not None else None
    errors.raise_if_any()
    if drivers is not None:
        practice.drivers = drivers
    if ideas is not None:
        practice.change_ideas = ideas
    commit()
    return practice


def links_of(practice_ids) -> dict[int, tuple[list[int], list[int]]]:
    """{practice id: (driver ids, change idea ids)} in two queries, for API items."""
    practice_ids = list(practice_ids)
    out: dict[int, tuple[list[int], list[int]]] = {pid: ([], []) for pid in practice_ids}
    if not practice_ids:
        return out
    # The link tables carry no network_id: join the scoped practices so only this
    # network's rows are read.
    for pid, did in db.session.execute(
            select(practice_drivers.c.practice_id, practice_drivers.c.driver_id)
            .join(FrameworkPractice, FrameworkPractice.id == practice_drivers.c.practice_id)
            .where(practice_drivers.c.practice_id.in_(practice_ids))
            .order_by(practice_drivers.c.driver_id)):
        out[pid][0].append(did)
    for pid, cid in db.session.execute(
            select(practice_change_ideas.c.practice_id, practice_change_ideas.c.change_idea_id)
            .join(FrameworkPractice, FrameworkPractice.id == practice_change_ideas.c.practice_id)
            .where(practice_change_ideas.c.practice_id.in_(practice_ids))
            .order_by(practice_change_ideas.c.change_idea_id)):
        out[pid][1].append(cid)
    return out


# --- coverage --------------------------------------------------------------------------------

@dataclass
class Coverage:
    framework: Framework
    domains: list[tuple[str, list[FrameworkPractice]]]  # practices with drivers and ideas loaded
    unlinked_drivers: list[Driver]
    unlinked_ideas: list[ChangeIdea]

    @property
    def linked_practices(self) -> int:
        return sum(1 for _, practices in self.domains for p in practices if p.drivers or p.change_ideas)

    @property
    def total_practices(self) -> int:
        return sum(len(practices) for _, practices in self.domains)


def practices_with_links(framework: Framework) -> list[FrameworkPractice]:
    return list(db.session.scalars(
        select(FrameworkPractice).where(FrameworkPractice.framework_id == framework.id)
        .options(selectinload(FrameworkPractice.drivers), selectinload(FrameworkPractice.change_ideas))
        .order_by(FrameworkPractice.position, FrameworkPractice.id)))


def by_domain(practices: list[FrameworkPractice]) -> list[tuple[str, list[FrameworkPractice]]]:
    domains: list[tuple[str, list[FrameworkPractice]]] = []
    for practice in practices:
        if not domains or domains[-1][0] != practice.domain:
            domains.append((practice.domain, []))
        domains[-1][1].append(practice)
    return domains


def coverage(framework_id) -> Coverage:
    framework = get_framework(framework_id)
    in_framework = FrameworkPractice.framework_id == framework.id
    driver_linked = exists(select(practice_drivers.c.driver_id)
                           .join(FrameworkPractice, FrameworkPractice.id == practice_drivers.c.practice_id)
                           .where(practice_drivers.c.driver_id == Driver.id, in_framework))
    idea_linked = exists(select(practice_change_ideas.c.change_idea_id)
                         .join(FrameworkPractice, FrameworkPractice.id == practice_change_ideas.c.practice_id)
                         .where(practice_change_ideas.c.change_idea_id == ChangeIdea.id, in_framework))
    drivers = db.session.scalars(
        select(Driver).join(Aim, Aim.id == Driver.aim_id).where(~driver_linked)
        .order_by(Aim.created_at, Aim.id, Driver.kind, Driver.position, Driver.id))
    ideas = db.session.scalars(
        select(ChangeIdea).where(~idea_linked, ChangeIdea.status.not_in(INACTIVE_IDEA_STATUSES))
        .order_by(ChangeIdea.title, ChangeIdea.id))
    return Coverage(framework, by_domain(practices_with_links(framework)), list(drivers), list(ideas))


def link_choices() -> tuple[list[tuple[Aim, list[Driver]]], list[ChangeIdea]]:
    """Every aim with its drivers, and every change idea (active ones first): the
    choices of the link form."""
    ideas = db.session.scalars(select(ChangeIdea).order_by(
        ChangeIdea.status.in_(INACTIVE_IDEA_STATUSES), ChangeIdea.title, ChangeIdea.id))
    return theory_ideas.driver_choices(), list(ideas)


# --- for other pages --------------------------------------------------------------------------

def practice_idea_links(practice_ids: list[int]):
    """A subquery of (practice_id, change_idea_id): every change idea linked to one of the
    practices directly or through one of its drivers. Link tables only: the practice ids
    come from a framework already loaded in the current network, and whatever the caller
    joins them to is scoped."""
    direct = select(practice_change_ideas.c.practice_id, practice_change_ideas.c.change_idea_id).where(
        practice_change_ideas.c.practice_id.in_(practice_ids))
    via_driver = (
        select(practice_drivers.c.practice_id, change_idea_drivers.c.change_idea_id)
        .join(change_idea_drivers, change_idea_drivers.c.driver_id == practice_drivers.c.driver_id)
        .where(practice_drivers.c.practice_id.in_(practice_ids))
    )
    return union(direct, via_driver).subquery()


def practices_for_change_idea(change_idea_id) -> list[FrameworkPractice]:
    """The practices (of frameworks in use, not archived) a change idea is linked to, with
    `.framework` loaded: for the change idea page ("leadership practices it works on")."""
    try:
        change_idea_id = clean_id(change_idea_id)
    except ValueError:
        return []
    return list(db.session.scalars(
        select(FrameworkPractice)
        .join(practice_change_ideas, practice_change_ideas.c.practice_id == FrameworkPractice.id)
        .join(Framework, Framework.id == FrameworkPractice.framework_id)
        .where(practice_change_ideas.c.change_idea_id == change_idea_id, Framework.archived_at.is_(None))
        .options(selectinload(FrameworkPractice.framework))
        .order_by(Framework.name, Framework.id, FrameworkPractice.position)))
