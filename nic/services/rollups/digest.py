"""The weekly digest: every Monday (Celery beat, `rollups.weekly_digest`) each network's
facilitators and principals get one email (HTML with a plain-text part) about the week
that just ended (Monday to Sunday, UTC): cycles started and completed, the decisions made
(adopt, adapt, abandon), measures whose run charts show a signal, stalled cycles and new
artifacts, with links; a principal also gets their own school's figures.

The figures come from the roll-up snapshot (RollupNetworkPeriod, RollupSchoolPeriod,
RollupMeasure, RollupStalledCycle); two things the snapshot does not keep per week are
read live, set-based and bounded: the decisions of the cycles completed that week (one
GROUP BY) and the titles of the week's new artifacts and stalled cycles the reader may
see (permissions.visible_*_clause, at most LIST_LIMIT each).

Sent once per (network, person, week): the outbox row carries a key (an HTML comment,
`digest_key`) that is looked for before queuing, and one network's digests are built in
one transaction under an advisory lock keyed on (network, week). A task that runs twice,
or two at once, queues each email once; a run that dies before its commit queued nothing.
The outbox has no column for such a key and issue 7 adds no migration, hence the comment.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, text
from werkzeug.routing import BuildError

from nic import links
from nic.clock import utcnow
from nic.config import DEFAULT_STALLED_DAYS
from nic.extensions import db
from nic.models import (
    Artifact, Cycle, Measure, Membership, Network, OutboxMessage, RollupMeasure, RollupNetworkPeriod, RollupSchool,
    RollupSchoolPeriod, RollupStalledCycle, RollupState, School, User,
)
from nic.permissions import visible_artifacts_clause, visible_cycles_clause
from nic.services.notifications import mail
from nic.services.rollups import rollups
from nic.transaction import commit
from nic.tenancy import current_network_id

logger = logging.getLogger(__name__)

RECIPIENT_ROLES = ("facilitator", "principal")
LIST_LIMIT = 10
# The facilitators' dashboard, if the app has one; the network's home page otherwise.
DASHBOARD_ENDPOINTS = ("dashboard.network", "dashboard.index", "networks.home")
# A snapshot older than this is refreshed (in the task) before the digest reads it.
FRESH_ENOUGH = timedelta(hours=26)


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def last_week(today: date | None = None) -> date:
    """The Monday of the last complete week before `today`."""
    return week_of(today or utcnow().date()) - timedelta(days=7)


def digest_key(network_id: int, user_id: int, week: date) -> str:
    return f"weekly-digest:{network_id}:{user_id}:{week.isoformat()}"


def _marker(key: str) -> str:
    return f"<!-- nic-digest-key: {key} -->"


# --- what the week was -----------------------------------------------------------------------

@dataclass
class Week:
    start: date
    end: date  # the Sunday
    started: int = 0
    completed: int = 0
    messages: int = 0
    artifacts: int = 0
    active_members: int = 0
    decisions: dict = field(default_factory=lambda: {"adopt": 0, "adapt": 0, "abandon": 0})
    signals: list = field(default_factory=list)  # (Measure name, schools_with_signal, schools_reporting, url)
    stalled_total: int = 0
    stalled_days: int = DEFAULT_STALLED_DAYS
    computed_at: datetime | None = None


def network_week(week: date) -> Week:
    """The network's figures for the week starting on `week` (the same for every reader)."""
    summary = Week(start=week, end=week + timedelta(days=6))
    row = db.session.scalar(select(RollupNetworkPeriod).where(
        RollupNetworkPeriod.period_kind == "week", RollupNetworkPeriod.period_start == week))
    if row is not None:
        summary.started, summary.completed = row.started, row.completed
        summary.messages, summary.artifacts, summary.active_members = row.messages, row.artifacts, row.active_members
    start, end = _bounds(week)
    decisions = db.session.execute(
        select(Cycle.act_decision, func.count()).where(
            Cycle.deleted_at.is_(None), Cycle.phase == "done", Cycle.act_decision.is_not(None),
            Cycle.phase_changed_at >= start, Cycle.phase_changed_at < end)
        .group_by(Cycle.act_decision))
    for decision, count in decisions:
        if decision in summary.decisions:
            summary.decisions[decision] = count
    summary.signals = [
        (name, row.schools_with_signal, row.schools_reporting, measure_id)
        for row, name, measure_id in db.session.execute(
            select(RollupMeasure, Measure.name, Measure.id).join(Measure, Measure.id == RollupMeasure.measure_id)
            .where(RollupMeasure.schools_with_signal > 0).order_by(Measure.name))
    ]
    summary.stalled_total = db.session.scalar(select(func.count()).select_from(RollupStalledCycle)) or 0
    state = db.session.scalar(select(RollupState))
    if state is not None:
        summary.stalled_days, summary.computed_at = state.stalled_days, state.computed_at
    return summary


def _bounds(week: date) -> tuple[datetime, datetime]:
    start = datetime.combine(week, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=7)


def _school_figures(school_id: int, week: date) -> dict | None:
    status = db.session.scalar(select(RollupSchool).where(RollupSchool.school_id == school_id))
    period = db.session.scalar(select(RollupSchoolPeriod).where(
        RollupSchoolPeriod.school_id == school_id, RollupSchoolPeriod.period_kind == "week",
        RollupSchoolPeriod.period_start == week))
    school = db.session.scalar(select(School).where(School.id == school_id))
    if school is None:
        return None
    return {
        "name": school.name,
        "started": period.started if period else 0, "completed": period.completed if period else 0,
        "messages": period.messages if period else 0, "artifacts": period.artifacts if period else 0,
        "in_progress": (status.cycles_total - status.done) if status else 0,
        "stalled": status.stalled if status else 0,
    }


def _visible_stalled(membership, base: str, slug: str) -> list[dict]:
    rows = db.session.execute(
        select(Cycle.id, Cycle.title, Cycle.phase, School.name, User.name, RollupStalledCycle.idle_since)
        .join(RollupStalledCycle, RollupStalledCycle.cycle_id == Cycle.id)
        .join(School, School.id == Cycle.school_id)
        .outerjoin(User, User.id == Cycle.owner_id)
        .where(visible_cycles_clause(membership))
        .order_by(RollupStalledCycle.idle_since, Cycle.id).limit(LIST_LIMIT))
    return [{"title": title or "Untitled cycle", "phase": phase, "school": school, "owner": owner,
             "idle_since": idle_since.date(), "url": base + links.path("cycles.show", slug=slug, cycle_id=cycle_id)}
            for cycle_id, title, phase, school, owner, idle_since in rows]


def _visible_new_artifacts(membership, week: date, base: str, slug: str) -> list[dict]:
    start, end = _bounds(week)
    rows = db.session.execute(
        select(Artifact.id, Artifact.title, School.name)
        .join(School, School.id == Artifact.school_id)
        .where(visible_artifacts_clause(membership), Artifact.created_at >= start, Artifact.created_at < end)
        .order_by(Artifact.created_at, Artifact.id).limit(LIST_LIMIT))
    return [{"title": title, "school": school,
             "url": base + links.path("artifacts.show", slug=slug, artifact_id=artifact_id)}
            for artifact_id, title, school in rows]


# --- sending ---------------------------------------------------------------------------------

def send_weekly(week: date | None = None) -> int:
    """Queue the current network's digests for the week starting on `week` (default: the
    last complete week). Returns how many emails were queued by this call (0 when a
    previous run already queued them)."""
    week = week_of(week) if week else last_week()
    network_id = current_network_id()
    _ensure_fresh_snapshot()
    _lock(network_id, week)
    network = db.session.scalar(select(Network).where(Network.id == network_id))
    recipients = list(db.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.role.in_(RECIPIENT_ROLES)).order_by(User.id)))
    summary = network_week(week)
    base = links.base_url()
    pages = {
        "dashboard": base + _dashboard_path(network.slug),
        "measures": base + links.path("measures.index", slug=network.slug),
        "artifacts": base + links.path("artifacts.library", slug=network.slug),
    }
    summary.signals = [(name, signal, reporting, base + links.path("measures.show", slug=network.slug, measure_id=mid))
                       for name, signal, reporting, mid in summary.signals]
    queued = 0
    for membership, user in recipients:
        key = digest_key(network_id, user.id, week)
        if _already_queued(user.email, key, week):
            continue
        school = _school_figures(membership.school_id, week) if membership.school_id else None
        mail.send_mail(
            user.email, subject(network, week), "weekly_digest",
            user=user, network=network, week=summary, school=school, links=pages,
            stalled=_visible_stalled(membership, base, network.slug),
            new_artifacts=_visible_new_artifacts(membership, week, base, network.slug),
            marker=_marker(key),
        )
        queued += 1
    commit()  # the outbox rows; mail.send is enqueued after this commit
    logger.info("weekly digest of %s for the week of %s: %s queued", network.slug, week, queued)
    return queued


def subject(network: Network, week: date) -> str:
    end = week + timedelta(days=6)
    # A week that straddles New Year names both years ("28 Dec 2026 to 3 Jan 2027").
    first = f"{week.day} {week:%b}" + (f" {week.year}" if week.year != end.year else "")
    return f"{network.name}: the week of {first} to {end.day} {end:%b %Y}"


def _already_queued(address: str, key: str, week: date) -> bool:
    """An outbox row to this address with this key, written since the week began (the
    date bound keeps the search to a few rows per address)."""
    start, _ = _bounds(week)
    return db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.to_address == address, OutboxMessage.created_at >= start,
                                       OutboxMessage.body_html.contains(_marker(key), autoescape=True))
        .limit(1)) is not None


def _lock(network_id: int, week: date) -> None:
    """Two runs for one network and week take turns (released at commit); the second
    then finds the first one's outbox rows. SQLite writes one at a time anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:network, :week)"),
                           {"network": 7_300_000 + network_id, "week": week.toordinal()})


def _ensure_fresh_snapshot() -> None:
    """The nightly roll-up keeps the snapshot fresh; without one (a new network, the
    worker was down) compute it here first, in its own transaction."""
    state = db.session.scalar(select(RollupState))
    if state is None or state.full_computed_at is None or state.full_computed_at < utcnow() - FRESH_ENOUGH:
        rollups.compute()
        commit()


def _dashboard_path(slug: str) -> str:
    for endpoint in DASHBOARD_ENDPOINTS:
        try:
            return links.path(endpoint, slug=slug)
        except BuildError:
            continue
    return f"/n/{slug}/"
