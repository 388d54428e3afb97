"""The weekly digest: to each facilitator and principal, an HTML email with a plain-text
part summarising last week from the snapshot (completions, decisions, signals, stalled
cycles, new artifacts) with links; sent once per network, person and week however often
the task runs; only what the reader may open is listed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from nic.clock import utcnow
from nic.extensions import db
from nic.models import OutboxMessage, RollupState
from nic.services.rollups import digest as rollup_digest
from nic.services.rollups import rollups
from nic.tenancy import use_network
from tests.factories import make_artifact, make_cycle, make_measure, make_points
from tests.rollups.pipeline_support import broker, task  # noqa: F401  (fixture)

# Read at collection, under the suite's clock (tests/clock.py): the same day every test starts on.
TODAY = utcnow().date()
WEEK = TODAY - timedelta(days=TODAY.weekday() + 7)  # the Monday of last week


def _in_week(days: int, hour: int = 10) -> datetime:
    day = WEEK + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def week_of_work(tenants, app, monkeypatch):
    monkeypatch.setitem(app.config, "NIC_BASE_URL", "https://nic.example")
    a = tenants.a
    owner = a.teacher_leader.user
    for decision, days in (("adopt", 1), ("adapt", 2), ("abandon", 3)):
        make_cycle(
            a.schools[0],
            owner,
            f"Done {decision}",
            phase="done",
            act_decision=decision,
            start_date=WEEK - timedelta(days=20),
            created_at=_in_week(0) - timedelta(days=20),
            phase_changed_at=_in_week(days),
            updated_at=_in_week(days),
        )
    make_cycle(a.schools[0], owner, "Forgotten shared test", phase="do", updated_at=utcnow() - timedelta(days=40))
    make_cycle(
        a.schools[0],
        owner,
        "Forgotten private test",
        phase="study",
        visibility="school",
        updated_at=utcnow() - timedelta(days=40),
    )
    shared = make_artifact(a.schools[0], owner, "Shared exit ticket")
    private = make_artifact(a.schools[0], owner, "Private seating chart", visibility="school")
    with use_network(a.network):
        shared.created_at = private.created_at = _in_week(4)
    signal = make_measure(a.network, "Homework handed in", chart="run")
    make_points(signal, a.schools[0], [(WEEK - timedelta(weeks=11 - i), 1.0 if i < 6 else 5.0) for i in range(12)])
    db.session.commit()
    with use_network(a.network):
        rollups.compute()
        db.session.commit()
    return a


def _digests(tenant) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject.contains("the week of"))
            .order_by(OutboxMessage.to_address)
        )
    )


def test_every_link_is_the_sites_path_under_the_configured_base_url(week_of_work, broker):
    """nic.links builds them; for a configured base URL they are what they always were."""
    import re

    from nic.models import Artifact, Cycle, Measure

    a = week_of_work
    with use_network(a.network):
        rollup_digest.send_weekly(WEEK)
        stalled = db.session.scalars(select(Cycle.id).where(Cycle.title == "Forgotten shared test")).one()
        artifact = db.session.scalars(select(Artifact.id).where(Artifact.title == "Shared exit ticket")).one()
        measure = db.session.scalars(select(Measure.id).where(Measure.name == "Homework handed in")).one()
    [facilitators] = [d for d in _digests(a) if d.to_address == a.facilitator.user.email]
    found = set(re.findall(r"https?://[^\s\"<>]+", facilitators.body_text))
    assert {"https://nic.example/n/alpha/dashboard",
            f"https://nic.example/n/alpha/measures/{measure}", f"https://nic.example/n/alpha/cycles/{stalled}",
            f"https://nic.example/n/alpha/artifacts/{artifact}"} <= found
    assert all(url.startswith("https://nic.example/n/alpha/") for url in found)


def test_facilitators_and_principals_get_one_digest_each(week_of_work, broker):
    a = week_of_work
    with use_network(a.network):
        assert rollup_digest.send_weekly(WEEK) == 2
    digests = _digests(a)
    assert [d.to_address for d in digests] == sorted([a.facilitator.user.email, a.principal.user.email])
    # Delivery is queued after the commit, one mail.send per email.
    assert sorted(k["message_id"] for name, k, _ in broker.sent if name == "mail.send") == sorted(d.id for d in digests)

    end = WEEK + timedelta(days=6)
    first = f"{WEEK.day} {WEEK:%b}" + (f" {WEEK.year}" if WEEK.year != end.year else "")
    assert digests[0].subject == f"Alphaville Network: the week of {first} to {end.day} {end:%b %Y}"
    for digest in digests:
        text, html = digest.body_text, digest.body_html
        assert "Cycles completed: 3" in text
        assert "Decisions: 1 adopt, 1 adapt, 1 abandon" in text
        assert "Homework handed in: 1 of 1 school" in text
        assert "2 cycles unchanged for 21 days or more" in text
        assert "https://nic.example/n/alpha/measures/" in text
        assert "<html" in html and "Homework handed in</a>" in html and "https://nic.example/n/alpha/" in html


def test_each_reader_sees_only_what_they_may_open(week_of_work, broker):
    a = week_of_work
    with use_network(a.network):
        rollup_digest.send_weekly(WEEK)
    by_address = {d.to_address: d for d in _digests(a)}
    facilitator = by_address[a.facilitator.user.email].body_text
    principal = by_address[a.principal.user.email].body_text
    # The facilitator has no school: school-only cycles and artifacts are counted, not named.
    assert "Forgotten shared test" in facilitator and "Forgotten private test" not in facilitator
    assert "Shared exit ticket" in facilitator and "Private seating chart" not in facilitator
    # The principal's own school: named, with the school's own figures.
    assert "Forgotten private test" in principal and "Private seating chart" in principal
    assert "ALPHAVILLE HIGH SCHOOL" in principal and "3 completed and 0 started this week" in principal


def test_a_digest_is_sent_once_per_person_and_week(week_of_work, broker):
    a = week_of_work
    with use_network(a.network):
        assert rollup_digest.send_weekly(WEEK) == 2
        assert rollup_digest.send_weekly(WEEK) == 0  # a retried or duplicated task
        # Someone who joins later gets theirs; nobody else gets a second.
        from tests.factories import make_member, make_user

        make_member(a.network, "principal", a.schools[1], make_user("late@alpha.org", "Late Principal"))
        db.session.commit()
        assert rollup_digest.send_weekly(WEEK) == 1
        # The week after is another digest.
        assert rollup_digest.send_weekly(WEEK + timedelta(days=7)) == 3
    assert len(_digests(a)) == 6


def test_the_task_fans_out_per_network_for_the_same_week(tenants, broker, app):
    assert task(app, "rollups.weekly_digest").apply().get() == 2
    fanned = [k for name, k, _ in broker.sent if name == "rollups.weekly_digest"]
    assert {k["network_id"] for k in fanned} == {tenants.a.network.id, tenants.b.network.id}
    assert {k["week"] for k in fanned} == {WEEK.isoformat()}


def test_a_network_without_a_snapshot_is_rolled_up_first(tenants, broker):
    a = tenants.a
    with use_network(a.network):
        assert db.session.scalar(select(RollupState)) is None
        assert rollup_digest.send_weekly(WEEK) == 2
        assert db.session.scalar(select(RollupState)) is not None
    text = _digests(a)[0].body_text
    assert "Cycles completed: 0" in text and "No stalled cycles." in text
    assert "No measure shows a signal at any school yet." in text


def test_last_week_is_the_complete_week_before_today(clock):
    for today, monday in (
        ("2027-01-05", date(2026, 12, 28)),
        ("2027-01-04", date(2026, 12, 28)),
        ("2027-01-03", date(2026, 12, 21)),
        ("2028-02-29", date(2028, 2, 21)),
    ):
        clock.move_to(today)
        assert rollup_digest.last_week() == monday, today


def test_a_week_across_new_year_names_both_years(tenants):
    subject = rollup_digest.subject(tenants.a.network, date(2026, 12, 28))
    assert subject == "Alphaville Network: the week of 28 Dec 2026 to 3 Jan 2027"
    assert rollup_digest.subject(tenants.a.network, date(2027, 3, 15)).endswith("the week of 15 Mar to 21 Mar 2027")
