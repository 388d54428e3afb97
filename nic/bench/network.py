"""The network half of `nic bench seed` (nic/bench/seed.py): find or create the network,
and give it what every school's data hangs on if it lacks it: two facilitators, an aim
with a small driver diagram and twenty change ideas (with one diagram revision, as the
theory pages expect), and the demo's four weekly measures, one per chart type.
Written with the seed's Writer, in the seed's transaction, network_id set on each row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from nic.bench import data
from nic.demo.measures import MEASURES
from nic.models import Aim, ChangeIdea, DiagramRevision, Driver, Measure, Membership, Network, User
from nic.models.measure import measure_change_ideas
from nic.models.theory import change_idea_drivers, driver_parents


def network_name(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-")) + " Network"


def ensure_network(writer, slug: str, now: datetime, password_hash: str) -> tuple[int, bool]:
    """(network id, whether it was created now)."""
    conn = writer.connection
    network_id = conn.scalar(select(Network.id).where(Network.slug == slug))
    created = network_id is None
    since = now - timedelta(days=300)
    if created:
        network_id = conn.execute(
            insert(Network.__table__)
            .values(slug=slug, name=network_name(slug), created_at=since)
            .returning(Network.__table__.c.id)
        ).scalar_one()
        writer.counts["networks"] += 1
        user_ids = writer.reserve_ids(User.__table__, 2)
        names = ["Ada Mensah", "Tom Lindqvist"]
        writer.write(
            User.__table__,
            ("id", "email", "name", "password_hash", "created_at"),
            [
                (uid, data.facilitator_email(slug, network_id, i + 1), names[i], password_hash, since)
                for i, uid in enumerate(user_ids)
            ],
        )
        writer.write(
            Membership.__table__,
            ("network_id", "user_id", "school_id", "role", "created_at"),
            [(network_id, uid, None, "facilitator", since) for uid in user_ids],
        )
    facilitator = conn.scalar(
        select(Membership.user_id)
        .where(Membership.network_id == network_id, Membership.role == "facilitator")
        .order_by(Membership.id)
        .limit(1)
    )
    if not conn.scalar(select(func.count()).select_from(ChangeIdea).where(ChangeIdea.network_id == network_id)):
        _theory(writer, network_id, facilitator, since)
    if not conn.scalar(
        select(func.count()).select_from(Measure).where(Measure.network_id == network_id, Measure.frequency == "weekly")
    ):
        _measures(writer, network_id, since)
    return network_id, created


def _theory(writer, network_id: int, facilitator: int | None, since: datetime) -> None:
    aim_id = writer.reserve_ids(Aim.__table__, 1)[0]
    aim = {**data.AIM, "due_date": date.fromisoformat(data.AIM["due_date"])}
    writer.write(
        Aim.__table__,
        ("id", "network_id", *aim, "created_at", "updated_at"),
        [(aim_id, network_id, *aim.values(), since, since)],
    )

    secondary = list(data.SECONDARY)
    driver_ids = writer.reserve_ids(Driver.__table__, len(data.PRIMARY) + len(secondary))
    primary_ids, secondary_ids = driver_ids[: len(data.PRIMARY)], dict(zip(secondary, driver_ids[len(data.PRIMARY) :]))
    drivers = [(did, "primary", title, i) for i, (did, title) in enumerate(zip(primary_ids, data.PRIMARY))]
    drivers += [(secondary_ids[title], "secondary", title, i) for i, title in enumerate(secondary)]
    writer.write(
        Driver.__table__,
        ("id", "network_id", "aim_id", "kind", "title", "description", "position", "created_at"),
        [(did, network_id, aim_id, kind, title, "", position, since) for did, kind, title, position in drivers],
    )
    parents = [(secondary_ids[title], primary_ids[i]) for title, indices in data.SECONDARY.items() for i in indices]
    writer.write(driver_parents, ("child_id", "parent_id"), parents)

    idea_ids = writer.reserve_ids(ChangeIdea.__table__, len(data.ALL_IDEAS))
    ideas, links = [], []
    for idea_id, (title, description, status, under) in zip(idea_ids, data.ALL_IDEAS):
        decided = status in ("declined", "retired")
        ideas.append(
            (
                idea_id,
                network_id,
                aim_id,
                title,
                description,
                status,
                facilitator,
                facilitator if decided else None,
                since + timedelta(days=40) if decided else None,
                "Not possible with this year's staffing." if decided else "",
                since,
                since,
            )
        )
        links += [(idea_id, secondary_ids[name]) for name in under]
    writer.write(
        ChangeIdea.__table__,
        (
            "id",
            "network_id",
            "aim_id",
            "title",
            "description",
            "status",
            "proposed_by_id",
            "decided_by_id",
            "decided_at",
            "decision_note",
            "created_at",
            "updated_at",
        ),
        ideas,
    )
    writer.write(change_idea_drivers, ("change_idea_id", "driver_id"), links)

    snapshot = {
        "aim": {"id": aim_id, **data.AIM},
        "drivers": [
            {
                "id": did,
                "kind": kind,
                "title": title,
                "position": position,
                "parent_ids": [p for c, p in parents if c == did],
            }
            for did, kind, title, position in drivers
        ],
        "change_ideas": [
            {"id": row[0], "title": row[3], "status": row[5], "driver_ids": [d for i, d in links if i == row[0]]}
            for row in ideas
        ],
    }
    writer.write(
        DiagramRevision.__table__,
        ("network_id", "aim_id", "author_id", "summary", "snapshot", "created_at"),
        [(network_id, aim_id, facilitator, "Bench network: aim, drivers and change ideas", snapshot, since)],
    )


def _measures(writer, network_id: int, since: datetime) -> None:
    conn = writer.connection
    aim_id = conn.scalar(select(Aim.id).where(Aim.network_id == network_id).order_by(Aim.id).limit(1))
    taken = set(conn.scalars(select(Measure.name).where(Measure.network_id == network_id)))
    ideas = dict(conn.execute(select(ChangeIdea.title, ChangeIdea.id).where(ChangeIdea.network_id == network_id)).all())
    specs = list(MEASURES.values())
    measure_ids = writer.reserve_ids(Measure.__table__, len(specs))
    rows, links = [], []
    for measure_id, spec in zip(measure_ids, specs):
        name = spec["name"] if spec["name"] not in taken else f"{spec['name']} (weekly)"
        rows.append(
            (
                measure_id,
                network_id,
                name,
                spec["definition"],
                spec["kind"],
                spec["chart"],
                spec["unit"],
                spec["direction"],
                spec["goal"],
                "weekly",
                aim_id,
                since,
                since,
            )
        )
        links += [(measure_id, ideas[title]) for title in spec["ideas"] if title in ideas]
    writer.write(
        Measure.__table__,
        (
            "id",
            "network_id",
            "name",
            "definition",
            "kind",
            "chart",
            "unit",
            "direction",
            "goal",
            "frequency",
            "aim_id",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    writer.write(measure_change_ideas, ("measure_id", "change_idea_id"), links)
