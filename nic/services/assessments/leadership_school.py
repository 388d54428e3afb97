"""One school in the network's leadership view: its weakest practices in a round, the
change ideas the network linked to each (directly, or through the drivers the practice is
linked to), the peer schools whose teams agreed a higher level on it, and a one-click
discussion with such a peer.

Everything here comes from the consensus (shared with the network); individual ratings
are never read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select

from nic.extensions import db
from nic.models import (
    AssessmentConsensus, AssessmentRound, ChangeIdea, Channel, FrameworkPractice, Membership, School, Thread, User,
)
from nic.services.discussion import discussion
from nic.services.errors import NotFound, ValidationFailed
from nic.services.assessments.assessments import get_school, id_or_404
from nic.services.assessments.framework_links import practice_idea_links
from nic.services.assessments.leadership import Level, level_at, levels_of, network_means

WEAKEST = 3
PEERS_PER_PRACTICE = 3
# Declined ideas are not something to try; every other status is.
HIDDEN_IDEA_STATUSES = ("declined",)
CHANNEL_NAME = "leadership-practice"
PREFERRED_CHANNEL = "general"


@dataclass
class Peer:
    school: School
    level: Level
    round: AssessmentRound  # the peer's most recent round with a level on the practice
    principals: list[User] = field(default_factory=list)


@dataclass
class WeakPractice:
    practice: FrameworkPractice
    level: Level
    network_mean: float | None
    change_ideas: list[ChangeIdea]
    peers: list[Peer]


def get_practice(practice_id) -> FrameworkPractice:
    practice = db.session.scalar(select(FrameworkPractice).where(FrameworkPractice.id == id_or_404(practice_id, "practice")))
    if practice is None:
        raise NotFound("No such practice.")
    return practice


# --- weakest practices, their change ideas and peers -------------------------------------------

def weakest(round_: AssessmentRound, school_id: int, limit: int = WEAKEST) -> list[WeakPractice]:
    """The practices the school's team rated lowest in the round, below the framework's top
    level. Ties go to the practice on which the rest of the network stands highest: that
    is where the school is furthest behind its peers, and where there is most to learn."""
    levels = levels_of(round_.framework)
    means = network_means(round_.id)
    C = AssessmentConsensus
    rows = db.session.execute(
        select(C.practice_id, C.level_rank, C.level_key)
        .where(C.round_id == round_.id, C.school_id == school_id, C.level_rank < len(levels) - 1)).all()
    practices = {p.id: p for p in round_.framework.practices}
    rows = [r for r in rows if r.practice_id in practices]
    rows.sort(key=lambda r: (r.level_rank, -means.get(r.practice_id, 0.0), practices[r.practice_id].position))
    rows = rows[:limit]
    ids = [r.practice_id for r in rows]
    ideas = linked_change_ideas(ids)
    peers = strongest_peers(round_, school_id, ids, levels)
    return [WeakPractice(practices[r.practice_id], level_at(levels, r.level_rank, r.level_key),
                         means.get(r.practice_id), ideas.get(r.practice_id, []), peers.get(r.practice_id, []))
            for r in rows]


def linked_change_ideas(practice_ids: list[int]) -> dict[int, list[ChangeIdea]]:
    """practice id -> change ideas linked to it directly or through one of its drivers, by
    title, each once: one query."""
    if not practice_ids:
        return {}
    links = practice_idea_links(practice_ids)
    stmt = (select(links.c.practice_id, ChangeIdea).join(ChangeIdea, ChangeIdea.id == links.c.change_idea_id)
            .where(ChangeIdea.status.notin_(HIDDEN_IDEA_STATUSES)).order_by(ChangeIdea.title, ChangeIdea.id))
    found: dict[int, list[ChangeIdea]] = {}
    for practice_id, idea in db.session.execute(stmt):
        found.setdefault(practice_id, []).append(idea)
    return found


def strongest_peers(round_: AssessmentRound, school_id: int, practice_ids: list[int], levels: list[Level],
                    limit: int = PEERS_PER_PRACTICE) -> dict[int, list[Peer]]:
    """practice id -> up to `limit` other schools whose most recent agreed level on it (in
    this round or an earlier one) is above this school's level in this round; highest level
    first, then the most recent, then by name. Two window passes in one query."""
    if not practice_ids:
        return {}
    C, R = AssessmentConsensus, AssessmentRound
    up_to_round = or_(R.opened_at < round_.opened_at, and_(R.opened_at == round_.opened_at, R.id <= round_.id))
    latest = (select(C.practice_id, C.school_id, C.level_rank, C.level_key, C.round_id,
                     R.opened_at.label("opened_at"),
                     func.row_number().over(partition_by=(C.practice_id, C.school_id),
                                            order_by=(R.opened_at.desc(), R.id.desc())).label("rn"))
              .join(R, R.id == C.round_id)
              .where(C.practice_id.in_(practice_ids), C.school_id != school_id, up_to_round)).subquery()
    own = (select(C.practice_id, C.level_rank)
           .where(C.round_id == round_.id, C.school_id == school_id, C.practice_id.in_(practice_ids))).subquery()
    placed = (select(latest.c.practice_id, latest.c.school_id, latest.c.level_rank, latest.c.level_key,
                     latest.c.round_id, School.name,
                     func.row_number().over(partition_by=latest.c.practice_id,
                                            order_by=(latest.c.level_rank.desc(), latest.c.opened_at.desc(),
                                                      School.name, School.id)).label("place"))
              .join(own, own.c.practice_id == latest.c.practice_id)
              .join(School, School.id == latest.c.school_id)
              .where(latest.c.rn == 1, latest.c.level_rank > own.c.level_rank)).subquery()
    rows = db.session.execute(select(placed).where(placed.c.place <= limit)
                              .order_by(placed.c.practice_id, placed.c.place)).all()
    if not rows:
        return {}
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_({r.school_id for r in rows})))}
    rounds = {r.id: r for r in db.session.scalars(select(R).where(R.id.in_({r.round_id for r in rows})))}
    heads = principals_of(list(schools))
    found: dict[int, list[Peer]] = {}
    for row in rows:
        found.setdefault(row.practice_id, []).append(Peer(
            schools[row.school_id], level_at(levels, row.level_rank, row.level_key), rounds[row.round_id],
            heads.get(row.school_id, [])))
    return found


def principals_of(school_ids: list[int]) -> dict[int, list[User]]:
    if not school_ids:
        return {}
    stmt = (select(Membership.school_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.role == "principal", Membership.school_id.in_(school_ids)).order_by(User.name))
    found: dict[int, list[User]] = {}
    for school_id, user in db.session.execute(stmt):
        found.setdefault(school_id, []).append(user)
    return found


# --- "Start a discussion with that school" ---------------------------------------------------

def discussion_channel(membership) -> Channel:
    """Where peer conversations go: a channel everyone in the network reads ("general" if
    there is one), so both schools' people and the facilitators can follow. A network
    without an open channel gets one for the purpose, with its own conversation."""
    open_channels = select(Channel).where(Channel.roles == "")
    channel = db.session.scalar(open_channels.order_by(
        (func.lower(Channel.name) != PREFERRED_CHANNEL), Channel.name, Channel.id).limit(1))
    if channel is not None:
        return channel
    channel = Channel(name=CHANNEL_NAME, roles="", created_by_id=membership.user_id,
                      description="Schools learning from each other's leadership practice.")
    db.session.add(channel)
    db.session.flush()
    db.session.add(Thread(subject="channel", subject_id=channel.id, title=channel.name,
                          created_by_id=membership.user_id))
    db.session.flush()
    return channel


def thread_title(school: School, peer: School, practice: FrameworkPractice) -> str:
    return f"{school.name} ↔ {peer.name}: {practice.name}"[:200]


def _latest_level(school_id: int, practice: FrameworkPractice) -> tuple[Level, AssessmentRound] | None:
    C, R = AssessmentConsensus, AssessmentRound
    row = db.session.execute(
        select(C.level_rank, C.level_key, R).join(R, R.id == C.round_id)
        .where(C.school_id == school_id, C.practice_id == practice.id)
        .order_by(R.opened_at.desc(), R.id.desc()).limit(1)).first()
    if row is None:
        return None
    return level_at(levels_of(practice.framework), row[0], row[1]), row[2]


def opening_message(school: School, peer: School, practice: FrameworkPractice, principals: list[User]) -> str:
    greeting = " ".join(f"@{user.name}" for user in principals) or f"Hello, {peer.name} team"
    peer_level, own_level = _latest_level(peer.id, practice), _latest_level(school.id, practice)
    where = ""
    if peer_level is not None:
        where = f" Your team agreed on “{peer_level[0].name}” for this practice in {peer_level[1].name}"
        where += f", and ours is at “{own_level[0].name}”." if own_level is not None else "."
    return (f"{greeting}: {school.name} would like to learn from {peer.name} about **{practice.name}**.{where} "
            f"What made the difference for you? Could we talk, or visit, and hear how you got there?")


def start_discussion(membership, school_id, peer_id, practice_id) -> tuple[Thread, bool]:
    """A thread between a school and a peer about one practice, opened with a message that
    mentions the peer's principals (who are notified). Returns (thread, started): asking
    again for the same school, peer and practice returns the thread already started."""
    school, peer = get_school(school_id), get_school(peer_id)
    practice = get_practice(practice_id)
    if peer.id == school.id:
        raise ValidationFailed({"peer_id": "must be another school"})
    channel = discussion_channel(membership)
    title = thread_title(school, peer, practice)
    existing = db.session.scalar(select(Thread).where(
        Thread.subject == "channel", Thread.subject_id == channel.id, Thread.title == title).order_by(Thread.id).limit(1))
    if existing is not None:
        return existing, False
    thread = Thread(subject="channel", subject_id=channel.id, title=title, created_by_id=membership.user_id)
    db.session.add(thread)
    db.session.flush()
    body = opening_message(school, peer, practice, principals_of([peer.id]).get(peer.id, []))
    # post_message commits (the thread with it), then broadcasts and queues the mention
    # notifications: the path every message takes.
    discussion.post_message(membership, thread.id, body, thread=thread)
    return thread, True
