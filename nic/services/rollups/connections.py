"""The roll-up's use of the database beyond its SQL: read-only work on a second
connection in a thread (so a full run uses two cores) and the tables' housekeeping after
a full run.
See nic.services.rollups.rollups.compute and docs/DECISIONS.md ("Roll-up speed")."""
from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from nic.extensions import db

logger = logging.getLogger(__name__)
VACUUM_LOCK_TIMEOUT = "5s"

# The snapshot tables a full run rewrites whole (every row deleted and written again).
SNAPSHOT_TABLES = ("rollup_schools", "rollup_school_periods", "rollup_change_idea_schools", "rollup_measure_schools",
                   "rollup_stalled_cycles", "rollup_network_periods", "rollup_active_members", "rollup_measures",
                   "rollup_measure_periods", "rollup_assessment_schools", "rollup_assessment_practices")


def vacuum_snapshot() -> float:
    """After a full run on PostgreSQL (committed): VACUUM ANALYZE the snapshot tables.

    A full run leaves every old row of these tables dead. Autovacuum clears them on a
    normal server, but not before the next runs if it is slow or switched off (it is off
    on some managed and test servers), and then each run and each incremental delete
    wades through the dead rows of all the earlier ones; fresh statistics also keep the
    incremental run's plans right after a big rewrite. VACUUM cannot run inside a
    transaction: it gets a connection of its own, in autocommit. Answers the seconds."""
    if db.engine.dialect.name != "postgresql" or not current_app.config["ROLLUP_VACUUM"]:
        return 0.0
    started = time.perf_counter()
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # Housekeeping must never hold up the worker: if a table is locked, skip it
            # this time (autovacuum or the next full run does it).
            connection.execute(text(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'"))
            try:
                connection.execute(text("VACUUM (ANALYZE) " + ", ".join(SNAPSHOT_TABLES)))
            finally:
                connection.execute(text("RESET lock_timeout"))  # the pooled connection goes back as it came
    except OperationalError as exc:
        logger.warning("VACUUM of the roll-up tables skipped: %s", exc.orig or exc)
    return time.perf_counter() - started


class SideWork:
    """`work(connection)` on a connection of its own, in a thread; result() waits for it
    and raises what it raised. On PostgreSQL the connection reads one snapshot
    (REPEATABLE READ, read only), so the several statements of `work` agree with each
    other. It sees only committed data: see nic.services.rollups.rollups.compute."""

    def __init__(self, work):
        engine = db.engine
        self._result = None
        self._error: BaseException | None = None

        def run():
            try:
                with engine.connect() as connection:
                    if connection.dialect.name == "postgresql":
                        connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                                  postgresql_readonly=True)
                    self._result = work(connection)
            except BaseException as exc:  # handed to the caller's thread by result()
                self._error = exc

        self._thread = threading.Thread(target=run, name="rollup-side-work", daemon=True)
        self._thread.start()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result
