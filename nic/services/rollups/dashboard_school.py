"""The principal's view of one school beside the network, and the nudge a facilitator (or
the school's principal) sends to a stalled cycle.

Who sees a school's page: the network's facilitators, and the principal of that school.
Another school's principal gets a 404, as for a school that does not exist
(see `may_view_school`): principals compare their school with the network's figures,
never with another named school."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import ChangeIdea, Cycle, Message, RollupChangeIdeaSchool, RollupSchool, Thread
from nic.permissions import allowed, can_see_cycle
from nic.services.rollups import dashboard
from nic.services.discussion import discussion
from nic.services.errors import NotFound
from nic.tenancy import get_scoped
from nic.words import plural


def may_view_school(membership, school_id: int) -> bool:
    """Facilitators: any school of the network. Principals: their own school only."""
    if membership is None or not allowed(membership.role, "rollups.view"):
        return False
    return membership.role == "facilitator" or membership.school_id == school_id


def school_figures(school_id: int) -> RollupSchool | None:
    return db.session.scalar(select(RollupSchool).where(RollupSchool.school_id == school_id))


@dataclass
class Average:
    start: object
    started: float
    completed: float
    moves: float  # into Do, Study and Act


def network_average(filters: dashboard.Filters, schools: int) -> list[Average]:
    """The network's figures per period divided by its number of schools: what a school
    of the network does in an average week (or month)."""
    network = dashboard.trend(dashboard.Filters(filters.date_from, filters.date_to, "", filters.period))
    n = max(schools, 1)
    return [Average(p.start, p.started / n, p.completed / n, (p.to_do + p.to_study + p.to_act) / n) for p in network]


@dataclass
class IdeaRow:
    id: int
    title: str
    cell: dashboard.Cell
    schools_testing: int   # schools of the network with a cycle of it not yet done
    schools_adopted: int
    schools_any: int       # schools that tested it at all


def school_ideas(school_id: int) -> list[IdeaRow]:
    """The change ideas this school tests or tested, with how far each has spread in the
    network: one statement, the network's spread as a grouped subquery."""
    R = RollupChangeIdeaSchool
    spread = (select(R.change_idea_id, func.count().label("schools_any"),
                     func.sum(case((R.testing > 0, 1), else_=0)).label("schools_testing"),
                     func.sum(case((R.adopted > 0, 1), else_=0)).label("schools_adopted"))
              .group_by(R.change_idea_id).subquery())
    stmt = (select(R, ChangeIdea.title, spread.c.schools_any, spread.c.schools_testing, spread.c.schools_adopted)
            .join(ChangeIdea, ChangeIdea.id == R.change_idea_id)
            .join(spread, spread.c.change_idea_id == R.change_idea_id)
            .where(R.school_id == school_id).order_by(ChangeIdea.title, ChangeIdea.id))
    return [IdeaRow(row.change_idea_id, title,
                    dashboard.Cell(row.school_id, row.change_idea_id, row.cycles, row.testing, row.adapted,
                                   row.adopted, row.abandoned),
                    int(testing or 0), int(adopted or 0), int(any_ or 0))
            for row, title, any_, testing, adopted in db.session.execute(stmt)]


# --- nudges --------------------------------------------------------------------------------

PHASE_NAMES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}
NUDGE_THREAD_TITLE = "Checking in"


def nudge_text(cycle: Cycle, sender_name: str) -> str:
    idle = max((utcnow() - cycle.updated_at).days, 0)
    owner = cycle.owner.name.split()[0] if cycle.owner and cycle.owner.name else "there"
    return (f"Hi {owner}, just checking in: this cycle has been in {PHASE_NAMES.get(cycle.phase, cycle.phase)} "
            f"for {plural(idle, 'day')} without an update. Is anything in the way? Reply here if the network can help, "
            f"even with a small next step. — {sender_name}")


def nudge(membership, cycle_id, sender_name: str) -> tuple[Message, bool]:
    """Post a friendly check-in in the cycle's discussion (its first thread, or a new
    one). Returns (message, sent): one nudge per cycle, sender and day, so a double
    click or a second visit the same day sends nothing new. A cycle the member may not
    see, or (for a principal) one of another school, is NotFound."""
    cycle = get_scoped(Cycle, cycle_id)
    if cycle is None or not can_see_cycle(membership, cycle) or not allowed(membership.role, "dashboard.nudge"):
        raise NotFound("No such cycle.")
    if membership.role != "facilitator" and cycle.school_id != membership.school_id:
        raise NotFound("No such cycle.")
    if cycle.phase == "done":
        raise NotFound("This cycle is done: there is nothing to nudge.")
    client_id = f"nudge-{cycle.id}-{utcnow().date().isoformat()}"
    thread = db.session.scalar(select(Thread).where(Thread.subject == "cycle", Thread.subject_id == cycle.id)
                               .order_by(Thread.id).limit(1))
    if thread is not None:
        earlier = db.session.scalar(select(Message).where(
            Message.thread_id == thread.id, Message.author_id == membership.user_id, Message.client_id == client_id))
        if earlier is not None:
            return earlier, False
    else:
        thread = Thread(subject="cycle", subject_id=cycle.id, title=NUDGE_THREAD_TITLE,
                        created_by_id=membership.user_id)
        db.session.add(thread)
        db.session.flush()
    # post_message commits (the new thread with it) and broadcasts after the commit.
    message = discussion.post_message(membership, thread.id, nudge_text(cycle, sender_name), client_id=client_id)
    return message, True
