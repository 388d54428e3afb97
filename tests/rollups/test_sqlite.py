"""The same hand-checked roll-up on the embedded default (SQLite): the dialect-specific
pieces (dates, weeks, months, day differences) give the same figures as PostgreSQL, and
each school's signal is its chart's there too (the points are grouped in Python)."""
from flask import g

from nic.demo.seed import seed_demo
from nic.extensions import db
from tests import factories
from tests.rollups.test_compute import build_counted_school, check_counts_by_hand
from tests.rollups.test_signals_match_charts import check_an_i_chart_outlier, check_the_demo


def test_roll_up_on_sqlite_matches_the_hand_counts(sqlite_app):
    app = sqlite_app
    assert db.engine.dialect.name == "sqlite" and app
    tenants = factories.two_networks()
    db.session.commit()
    check_counts_by_hand(*build_counted_school(tenants))


def signed_in(app):
    client = app.test_client()

    def login(user):
        # The app context stays pushed around the requests, so they share `g`: forget the
        # user Flask-Login loaded for the last one (tests/conftest.py does it per request).
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client

    return login


def test_roll_up_signals_on_sqlite_are_the_charts(sqlite_app):
    app = sqlite_app
    tenants = factories.two_networks()
    db.session.commit()
    check_an_i_chart_outlier(tenants, signed_in(app))
    seed_demo()
    check_the_demo(signed_in(app))
