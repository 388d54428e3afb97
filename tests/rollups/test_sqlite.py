"""The same hand-checked roll-up on the embedded default (SQLite): the dialect-specific
pieces (dates, weeks, months, day differences) give the same figures as PostgreSQL."""
from nic.extensions import db
from tests import factories
from tests.rollups.test_compute import build_counted_school, check_counts_by_hand
from tests.support import migrated_sqlite_app


def test_roll_up_on_sqlite_matches_the_hand_counts(tmp_path):
    with migrated_sqlite_app(tmp_path) as app:
        assert db.engine.dialect.name == "sqlite" and app
        tenants = factories.two_networks()
        db.session.commit()
        check_counts_by_hand(*build_counted_school(tenants))
