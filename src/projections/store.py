"""Where the views live: a connection to the event store's own database, a
tiny SQL dialect layer, the positions table, and blue/green generations.

Views sit beside the events (the same SQLite file, or the same PostgreSQL
database and schema) so one backup holds both. Each projection owns tables
named `<table>_g<N>`: generation N. The `projection_positions` table says,
per projection, which generation is `live` (what readers use), which one is
being built `next` (--from-scratch) and which one is a throw-away `check`,
and how far in the log each has got. A page of events and the position it
reaches are written in ONE transaction: exactly once, resumable.

`projection_digests` keeps, per projection generation, the log digest
(hotline-digest/1, see docs/audit.md) at the position the generation had
reached when it was last caught up: a report or bulletin that carries the
digest reads it here instead of hashing the whole log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter
from typing import Any

from persistence.dialect import POSTGRES, SQLITE, Dialect
from persistence.views import connect_views, insert_rows, vacuum
from projections.rows import CaseRows, Row, by_case, case_text
from workflow import Hotline

__all__ = ["BINARY", "CURSORS", "DIGESTS", "POSTGRES", "POSITIONS", "SQLITE", "Conflict",
           "Dialect", "EventRows", "Tx", "ViewStore", "table_name"]

POSITIONS = "projection_positions"
DIGESTS = "projection_digests"
CURSORS = "rebuild_cursors"
STATES = ("live", "next", "check", "retired")


# The collation that orders text by its bytes, as Python sorts it.
BINARY = {SQLITE.name: "", POSTGRES.name: ' COLLATE "C"'}


class Tx:
    """One open transaction: statements in the store's dialect."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self.cursor, self.dialect = cursor, dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cursor.execute(self.dialect.sql(sql), tuple(params))
        return int(self.cursor.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self.dialect.sql(sql), [tuple(r) for r in rows])

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows (values in `columns` order): the store's bulk path."""
        insert_rows(self.cursor, self.dialect, table, columns, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self.dialect.sql(sql), tuple(params))
        return [tuple(r) for r in self.cursor.fetchall()]

    def columns(self, table: str) -> list[str]:
        """The column names of `table`, in order (a query of no rows)."""
        self.cursor.execute(f"SELECT * FROM {table} WHERE 1 = 0")
        names = [d[0] for d in self.cursor.description]
        self.cursor.fetchall()
        return names

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 10_000
               ) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched `size` at a time (memory stays flat)."""
        self.cursor.execute(self.dialect.sql(sql), tuple(params))
        while batch := self.cursor.fetchmany(size):
            yield from batch

    # -- positions -------------------------------------------------------------

    def lock_generations(self) -> None:
        """Hold the generations (their creation, swap and drop) until this
        transaction ends, so two runs building or swapping the same
        generation take turns: on SQLite the write transaction already holds
        the one write lock; on PostgreSQL the positions table is locked
        against other such transactions (pages advancing a position wait
        for it too, briefly)."""
        if self.dialect is POSTGRES:
            self.execute(f"LOCK TABLE {POSITIONS} IN SHARE ROW EXCLUSIVE MODE")

    def generations(self, name: str) -> dict[str, tuple[int, int]]:
        """state -> (generation, position) of projection `name`."""
        rows = self.query(
            f"SELECT state, generation, position FROM {POSITIONS} WHERE name = ?", (name,)
        )
        return {state: (int(gen), int(pos)) for state, gen, pos in rows}

    def advance(self, name: str, generation: int, old: int, new: int) -> bool:
        """Move the position from `old` to `new`; False if someone else moved it
        (a concurrent catch-up): the caller must roll back."""
        count = self.execute(
            f"UPDATE {POSITIONS} SET position = ? WHERE name = ? AND generation = ?"
            " AND position = ?",
            (new, name, generation, old),
        )
        return count == 1

    # -- digests -----------------------------------------------------------------

    def digest(self, name: str, generation: int) -> tuple[int, str] | None:
        """(position, digest) stored for a generation, if any."""
        rows = self.query(f"SELECT position, digest FROM {DIGESTS} WHERE name = ?"
                          " AND generation = ?", (name, generation))
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def save_digest(self, name: str, generation: int, position: int, digest: str) -> None:
        self.execute(f"DELETE FROM {DIGESTS} WHERE name = ? AND generation = ?",
                     (name, generation))
        self.execute(f"INSERT INTO {DIGESTS} (name, generation, position, digest)"
                     " VALUES (?, ?, ?, ?)", (name, generation, position, digest))


class Conflict(Exception):
    """Another process advanced the same projection: this page was rolled back."""


def table_name(base: str, generation: int) -> str:
    return f"{base}_g{generation}"


class ViewStore:
    """A connection to the views of one event store."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self.connection, self.dialect = connection, dialect
        with self.write() as tx:
            if dialect is POSTGRES:
                # Two processes opening a new schema's views at once would
                # race on CREATE TABLE IF NOT EXISTS (a unique violation in
                # the catalogue): the second waits for the first's commit.
                tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()"
                           " || '.projection_positions'))")
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {POSITIONS} (name TEXT NOT NULL,"
                " generation INTEGER NOT NULL, state TEXT NOT NULL,"
                " position BIGINT NOT NULL, PRIMARY KEY (name, generation))"
            )
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {DIGESTS} (name TEXT NOT NULL,"
                " generation INTEGER NOT NULL, position BIGINT NOT NULL,"
                " digest TEXT NOT NULL, PRIMARY KEY (name, generation))"
            )
            # A rebuild from scratch in case order: per part of the case-id
            # space, the last (case, version) folded, committed with the rows.
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {CURSORS} (name TEXT NOT NULL,"
                " generation INTEGER NOT NULL, part INTEGER NOT NULL, parts INTEGER NOT NULL,"
                " until BIGINT NOT NULL, case_id TEXT NOT NULL, version BIGINT NOT NULL,"
                " done INTEGER NOT NULL, PRIMARY KEY (name, generation, part))"
            )

    @classmethod
    def for_hotline(cls, hotline: Hotline) -> ViewStore:
        """The views beside `hotline`'s events (same file, database, schema)."""
        return cls.for_env(hotline.env)

    @classmethod
    def for_env(cls, env: Any) -> ViewStore:
        """The views of the store that persistence settings `env` name."""
        return cls(*connect_views(env))

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction; SQLite takes the write lock up front so two
        writers queue instead of failing half-way."""
        with self._transaction("BEGIN IMMEDIATE") as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction: one consistent snapshot of positions and rows."""
        with self._transaction("BEGIN") as tx:
            yield tx

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Tx]:
        if self.dialect is SQLITE:
            cur = self.connection.cursor()
            cur.execute(begin)
            try:
                yield Tx(cur, self.dialect)
            except BaseException:
                self.connection.rollback()
                raise
            self.connection.commit()
        else:
            with self.connection.transaction(), self.connection.cursor() as cur:
                if begin == "BEGIN":  # a reader: one snapshot for every statement
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield Tx(cur, self.dialect)

    def vacuum(self, tables: Iterable[str]) -> None:
        """Mark the pages of freshly loaded `tables` all visible where the
        store keeps a visibility map (`persistence.views.vacuum`), so that
        a report reads the covering indexes alone."""
        vacuum(self.connection, self.dialect, tables)

    def close(self) -> None:
        self.connection.close()


_CASE = itemgetter(1)  # a stored row's case id


class EventRows:
    """The stored event rows, read through the views' own connection (the
    read side's one bulk read of the log; see docs/projections.md).

    Pages come in log order (`page`, for catching up) or in case order
    (`case_page`, for a rebuild from scratch: each case's events arrive
    together, so its row is written once instead of once per page it
    appears in). `table` is the recorder's own events table name.
    """

    def __init__(self, store: ViewStore, table: str, plain: Any = None) -> None:
        self.store, self.table = store, table
        self.position = "rowid" if store.dialect is SQLITE else "notification_id"

        self.plain = plain  # undoes the store's cipher/compressor, when one is set

    def head(self) -> int:
        with self.store.read() as tx:
            return int(tx.query(f"SELECT COALESCE(MAX({self.position}), 0) FROM {self.table}")
                       [0][0])

    def page(self, after: int, until: int, size: int) -> list[Any]:
        with self.store.read() as tx:
            return self._rows(tx.query(
                f"SELECT {self.position}, originator_id, originator_version, topic, state"
                f" FROM {self.table} WHERE {self.position} > ? AND {self.position} <= ?"
                f" ORDER BY {self.position} LIMIT ?", (after, until, size)))

    def case_page(self, until: int, after: tuple[str, int], below: str | None,
                  size: int) -> list[CaseRows]:
        """Up to `size` rows at or before position `until` of the cases from
        (case, version) `after` (exclusive) up to case id `below`
        (exclusive; None: to the end), in case and version order, by case
        (`rows.CaseRows`)."""
        cast = "" if self.store.dialect is SQLITE else "::uuid"
        bound, params = "", [until, self._id(after[0]), after[1]]
        if below is not None:
            bound = f" AND originator_id < ?{cast}"
            params.append(self._id(below))
        with self.store.read() as tx:
            found = tx.query(
                f"SELECT {self.position}, originator_id, originator_version, topic, state"
                f" FROM {self.table} WHERE {self.position} <= ?"
                f" AND (originator_id, originator_version) > (?{cast}, ?){bound}"
                " ORDER BY originator_id, originator_version LIMIT ?", [*params, size])
        if self.plain is None and self.store.dialect is SQLITE:
            # the driver's tuples as they are, grouped in C: states are bytes
            return [(case_text(stored), list(rows)) for stored, rows in groupby(found, _CASE)]
        return by_case(self._rows(found))

    def _id(self, case: str) -> str:
        return case.replace("-", "") if self.store.dialect is SQLITE else case

    def _rows(self, found: list[tuple[Any, ...]]) -> list[Row]:
        plain = self.plain
        make = tuple.__new__  # rows.new_row without the call: once per stored event
        out: list[Any] = []
        append = out.append
        seen, text = None, ""
        for pos, oid, version, topic, state in found:
            if oid != seen:  # a case's rows come together in case order
                seen = oid
                text = case_text(oid)
            if type(state) is not bytes:
                state = bytes(state)  # a driver's buffer (memoryview)
            append(make(Row, (pos, text, version, topic, plain(state) if plain else state)))
        return out
