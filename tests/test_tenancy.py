"""The scoping mechanism itself: fails closed, filters reads, stamps and checks writes."""

import pytest
from sqlalchemy import func, select, update

from nic.extensions import db
from nic.models import Membership, School
from nic.tenancy import UNSCOPED, TenantScopeError, get_scoped, use_network


def test_reading_tenant_data_with_no_current_network_raises(tenants):
    with pytest.raises(TenantScopeError):
        db.session.scalars(select(School)).all()


def test_reads_see_only_the_current_network(tenants):
    with use_network(tenants.a.network):
        names = set(db.session.scalars(select(School.name)))
        count = db.session.scalar(select(func.count()).select_from(Membership))
    assert names == {"Alphaville High School", "Alphaville Middle School"}
    assert count == 4


def test_joins_and_aliases_are_scoped_too(tenants):
    with use_network(tenants.a.network):
        rows = db.session.execute(
            select(Membership.id, School.name).join(School, School.id == Membership.school_id)
        ).all()
    assert rows and all(name.startswith("Alphaville") for _, name in rows)


def test_get_scoped_does_not_find_another_networks_row(tenants):
    with use_network(tenants.a.network):
        assert get_scoped(School, tenants.b.schools[0].id) is None
        assert get_scoped(School, tenants.a.schools[0].id) is not None


def test_bulk_update_cannot_reach_another_network(tenants):
    with use_network(tenants.a.network):
        db.session.execute(update(School).values(name=School.name + " (renamed)"))
    with use_network(tenants.b.network):
        names = set(db.session.scalars(select(School.name)))
    assert names == {"Betatown High School", "Betatown Middle School"}


def test_insert_is_stamped_with_the_current_network(tenants):
    with use_network(tenants.b.network):
        school = School(name="Stamped")
        db.session.add(school)
        db.session.flush()
    assert school.network_id == tenants.b.network.id


def test_insert_into_another_network_is_refused(tenants):
    with use_network(tenants.a.network):
        db.session.add(School(name="Smuggled", network_id=tenants.b.network.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()


def test_insert_with_no_current_network_is_refused(tenants):
    db.session.add(School(name="Orphan", network_id=tenants.a.network.id))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()


def test_the_escape_hatch_is_explicit(tenants):
    stmt = select(func.count()).select_from(School).execution_options(**UNSCOPED)
    assert db.session.scalar(stmt) == 4


def test_tenant_tables_outside_the_selected_entities_are_scoped(tenants):
    """select_from, joins and subqueries: all_mappers misses these; the hook must not."""
    from nic.models import Network

    with use_network(tenants.a.network):
        count = db.session.scalar(select(func.count()).select_from(Membership))
        joined = db.session.scalar(
            select(func.count()).select_from(Network).join(Membership, Membership.network_id == Network.id)
        )
        in_subquery = db.session.scalar(
            select(func.count()).select_from(Network).where(Network.id.in_(select(School.network_id)))
        )
    assert (count, joined, in_subquery) == (4, 4, 1)


def test_tenant_table_only_in_a_join_still_fails_closed(tenants):
    from nic.models import Network

    with pytest.raises(TenantScopeError):
        db.session.scalar(select(func.count()).select_from(Network).join(School, School.network_id == Network.id))
