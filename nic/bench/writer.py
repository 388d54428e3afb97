"""Bulk writing for `nic bench seed`: ids reserved up front, then each table written in
one go, by binary COPY on PostgreSQL with psycopg 3 (through the session's own
connection, so inside its transaction) or by executemany batches of Core inserts
elsewhere (SQLite). Rows are tuples in the order of the columns named; nothing goes
through the ORM, so callers set every tenant row's `network_id` themselves."""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

logger = logging.getLogger(__name__)

BATCH = 5_000  # rows per executemany where there is no COPY
LOCK_WAIT = "3s"  # how long to wait for the bulk tables before checking keys row by row


class Writer:
    """Reserves ids and writes rows (tuples in `columns` order) to one table at a time."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.copy = self.postgres and connection.dialect.driver == "psycopg"
        self.counts: Counter = Counter()
        self.keys_set_aside = 0

    def reserve_ids(self, table, count: int) -> list[int]:
        if count <= 0:
            return []
        if self.postgres:
            stmt = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
            return list(self.connection.execute(stmt, {"t": table.name, "n": count}).scalars())
        # SQLite: the run is one transaction holding the write lock from its first insert
        first = self.connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar() + 1
        return list(range(first, first + count))

    @contextmanager
    def foreign_keys_set_aside(self, tables):
        """PostgreSQL checks a foreign key with one query per inserted row, which is most
        of the cost of a million-row COPY. So, as its manual advises for bulk loads
        ("Populating a Database"), drop the foreign keys of `tables`, load, and add them
        back with the same names and definitions: one set-based check each. All inside
        the seed's transaction, so a failure restores them with everything else; the
        price is that these tables stay locked to other sessions until the commit.
        Skipped (slower, not wrong) when this role does not own the tables, or when
        another session holds them for more than LOCK_WAIT: better a slower seed than
        one that queues behind a live app and blocks everything queued after it."""
        names = [table.name for table in tables]
        owned = self.postgres and self.connection.scalar(
            text(
                "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid::regclass::text = ANY(:names)"
            ),
            {"names": names},
        )
        keys = (
            self.connection.execute(
                text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contype = 'f' AND conrelid::regclass::text = ANY(:names) ORDER BY 1, 2"
                ),
                {"names": names},
            ).all()
            if owned
            else []
        )
        if keys:
            keys = self._drop(keys)
        self.keys_set_aside = len(keys)
        yield
        for table in sorted({table for table, _, _ in keys}):
            clauses = ", ".join(f'ADD CONSTRAINT "{name}" {definition}' for t, name, definition in keys if t == table)
            self.connection.exec_driver_sql(f'ALTER TABLE "{table}" {clauses}')

    def _drop(self, keys: list) -> list:
        """Drop `keys`, all or none; answer the ones dropped."""
        previous = self.connection.scalar(text("SELECT current_setting('lock_timeout')"))
        try:
            with self.connection.begin_nested():
                self.connection.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": LOCK_WAIT})
                for table, name, _ in keys:
                    self.connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            logger.warning("bench seed: tables in use, foreign keys checked row by row (slower)")
            keys = []
        self.connection.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": previous})
        return keys

    def write(self, table, columns: tuple[str, ...], rows) -> int:
        count = self._copy(table, columns, rows) if self.copy else self._insert(table, columns, rows)
        self.counts[table.name] += count
        return count

    def _copy(self, table, columns, rows) -> int:
        from psycopg import sql

        raw = self.connection.connection.driver_connection  # the session's own connection and transaction
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        count = 0
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", (table.name,)
            )
            oids = dict(cursor.fetchall())
            with cursor.copy(statement) as copy:
                copy.set_types([oids[name] for name in columns])
                for count, row in enumerate(rows, 1):  # noqa: B007 (the count after the loop is the result)
                    copy.write_row(row)
        return count

    def _insert(self, table, columns, rows) -> int:
        count, batch, stmt = 0, [], insert(table)
        for row in rows:
            batch.append(dict(zip(columns, row)))
            if len(batch) == BATCH:
                self.connection.execute(stmt, batch)
                count, batch = count + len(batch), []
        if batch:
            self.connection.execute(stmt, batch)
            count += len(batch)
        return count
