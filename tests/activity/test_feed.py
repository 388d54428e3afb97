"""The activity feed service: one query over every kind, each filtered by what the member
may see; newest first with exact ties broken by kind then id; keyset pages that neither
repeat nor skip; filters by kind and school."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from nic.extensions import db
from nic.models import Artifact, Cycle, Message
from nic.services.discussion import activity
from nic.services.errors import ValidationFailed
from nic.tenancy import use_network
from tests.activity.helpers import T0, at, later, one_of_each, phase_move
from tests.factories import (
    make_channel,
    make_cycle,
    make_member,
    make_message,
    make_network,
    make_school,
    make_thread,
)


def keys(page_or_items):
    items = page_or_items.items if isinstance(page_or_items, activity.Page) else page_or_items
    return [(i.kind, i.id) for i in items]


def feed_of(tenant, membership, **kwargs):
    with use_network(tenant.network if hasattr(tenant, "network") else tenant):
        return activity.feed(membership, **kwargs)


@pytest.fixture
def private_activity(tenants):
    """On alpha's private cycle (school 0 only): a phase move, a thread and a message."""
    a = tenants.a
    with use_network(a.network):
        move = phase_move(a.private_cycle, a.teacher_leader.user)
        thread = make_thread(a.network, "cycle", a.private_cycle.id, "Alphaville private talk", a.teacher_leader.user)
        message = make_message(thread, a.principal.user, "Alphaville private words")
    db.session.commit()
    return {"move": move, "thread": thread, "message": message}


def test_every_kind_appears_with_its_summary(tenants):
    a = tenants.a
    with use_network(a.network):
        move = phase_move(a.cycle, a.teacher_leader.user, "plan", "do")
    items = {i.kind: i for i in feed_of(a, a.member, limit=50).items}
    assert set(items) == set(activity.KINDS)
    assert items["cycle_created"].summary == "Alphaville Teacher started the cycle “Alphaville huddle test one”"
    assert items["phase_changed"].id == move.id
    assert items["phase_changed"].summary == "Alphaville Teacher moved “Alphaville huddle test one” from Plan to Do"
    assert items["artifact_version"].summary == "Alphaville Teacher uploaded version 2 of “Alphaville huddle protocol”"
    assert items["message_posted"].summary == (
        "Alphaville Teacher in “Alphaville huddle questions”: Alphaville asks: how did the huddle go?"
    )
    assert (items["message_posted"].subject_type, items["message_posted"].subject_id) == ("thread", a.thread.id)
    assert items["cycle_created"].school_id == a.schools[0].id


def test_a_private_cycle_its_moves_and_its_thread_stay_in_its_school(tenants, private_activity):
    a = tenants.a
    hidden = {
        ("cycle_created", a.private_cycle.id),
        ("phase_changed", private_activity["move"].id),
        ("thread_started", private_activity["thread"].id),
        ("message_posted", private_activity["message"].id),
    }
    for outsider in (a.member, a.facilitator):  # another school; the network's facilitator (no school)
        shown = set(keys(feed_of(a, outsider, limit=200)))
        assert not hidden & shown
        assert ("cycle_created", a.cycle.id) in shown
    for insider in (a.principal, a.teacher_leader):
        assert hidden <= set(keys(feed_of(a, insider, limit=200)))


def test_another_network_sees_nothing_of_this_one(tenants, private_activity):
    b = tenants.b
    items = feed_of(b, b.principal, limit=200).items
    assert items and all("Alphaville" not in i.summary for i in items)
    with use_network(tenants.a.network):
        assert all("Betatown" not in i.summary for i in activity.feed(tenants.a.principal, limit=200).items)


def test_deleted_cycles_artifacts_and_messages_leave_the_feed(tenants):
    a = tenants.a
    with use_network(a.network):
        move = phase_move(a.cycle, a.teacher_leader.user)
        gone = make_message(a.thread, a.principal.user, "to be deleted")
        db.session.execute(update(Message).where(Message.id == gone.id).values(deleted_at=T0, body=""))
        assert ("message_posted", gone.id) not in keys(activity.feed(a.principal, limit=200))
        db.session.execute(update(Cycle).where(Cycle.id == a.cycle.id).values(deleted_at=T0))
        db.session.execute(update(Artifact).where(Artifact.id == a.artifact.id).values(deleted_at=T0))
        shown = set(keys(activity.feed(a.principal, limit=200)))
    for key in [
        ("cycle_created", a.cycle.id),
        ("phase_changed", move.id),
        ("message_posted", a.message.id),
        ("thread_started", a.thread.id),
        ("artifact_created", a.artifact.id),
        ("artifact_version", a.artifact.versions[-1].id),
    ]:
        assert key not in shown


def test_a_role_limited_channel_is_read_only_by_its_roles(tenants):
    a = tenants.a
    with use_network(a.network):
        circle = make_channel(a.network, "circle", roles="facilitator,principal")
        thread = make_thread(a.network, "channel", circle.id, "circle", a.facilitator.user)
        message = make_message(thread, a.facilitator.user, "Principals only")
    key = ("message_posted", message.id)
    assert key in keys(feed_of(a, a.principal, limit=200))
    assert key in keys(feed_of(a, a.facilitator, limit=200))
    assert key not in keys(feed_of(a, a.teacher_leader, limit=200))
    channel_item = next(
        i for i in feed_of(a, a.principal, limit=200).items if i.id == message.id and i.kind == "message_posted"
    )
    assert channel_item.summary == "Alphaville Facilitator in # circle: Principals only"


@pytest.fixture
def quiet(db_session):
    """A network of its own whose every row has a chosen time: two of each kind at T0
    (exact ties across and within kinds), one of each a minute later."""
    network = make_network("quiet", "Quiet NIC")
    school = make_school(network, "Quiet High")
    principal = make_member(network, "principal", school)
    with use_network(network):
        rows = [
            one_of_each(network, school, principal.user, T0, "tie A"),
            one_of_each(network, school, principal.user, T0, "tie B"),
            one_of_each(network, school, principal.user, later(1), "newer"),
        ]
    db_session.commit()
    return network, principal, rows


def test_newest_first_and_ties_by_kind_then_id(quiet):
    network, principal, _rows = quiet
    items = feed_of(network, principal, limit=200).items
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    assert len(items) == 18
    newest = keys(items[:6])
    assert [k for k, _ in newest] == list(reversed(activity.KINDS))
    tied = items[6:]
    expected = sorted(((i.kind, i.id) for i in tied), key=lambda k: (activity.RANK[k[0]], k[1]), reverse=True)
    assert keys(tied) == expected


@pytest.mark.parametrize("size", [1, 2, 5, 7])
def test_keyset_pages_cover_everything_once(quiet, size):
    network, principal, _ = quiet
    everything = keys(feed_of(network, principal, limit=200))
    seen, before = [], None
    for _ in range(50):
        page = feed_of(network, principal, limit=size, before=before)
        seen += keys(page)
        if page.next is None:
            break
        before = activity.Cursor.decode(page.next.encode())  # through its text form, as links carry it
    assert seen == everything


def test_filters_by_kind_and_school(tenants):
    a = tenants.a
    with use_network(a.network):
        other_school_cycle = at(make_cycle(a.schools[1], a.member.user, "Second school's cycle"), later(5))
    discussion = feed_of(a, a.principal, kinds=activity.parse_kinds("discussion"), limit=200).items
    assert discussion and {i.kind for i in discussion} <= {"thread_started", "message_posted"}
    moves_and_versions = activity.parse_kinds("phase_changed,artifact_version")
    assert moves_and_versions == ("phase_changed", "artifact_version")
    by_school = feed_of(a, a.principal, school_id=a.schools[1].id, limit=200).items
    assert ("cycle_created", other_school_cycle.id) in keys(by_school)
    assert all(i.school_id == a.schools[1].id for i in by_school)
    # discussion counts for the author's school: the teacher's message is school 0's
    school0 = keys(feed_of(a, a.principal, school_id=a.schools[0].id, limit=200))
    assert ("message_posted", a.message.id) in school0 and ("cycle_created", other_school_cycle.id) not in school0


def test_bad_filters_and_cursors_name_their_field():
    with pytest.raises(ValidationFailed) as bad_kind:
        activity.parse_kinds("cycles,dances")
    assert set(bad_kind.value.fields) == {"kind"}
    with pytest.raises(ValidationFailed) as bad_school:
        activity.parse_school("abc")
    assert set(bad_school.value.fields) == {"school_id"}
    for token in ("nope", "e30", activity.Cursor(T0, "cycle_created", 1).encode()[:-3]):
        with pytest.raises(ValidationFailed) as bad_cursor:
            activity.Cursor.decode(token)
        assert set(bad_cursor.value.fields) == {"cursor"}
    cursor = activity.Cursor(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "message_posted", 42)
    assert activity.Cursor.decode(cursor.encode()) == cursor
