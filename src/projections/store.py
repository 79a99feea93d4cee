"""Where the views live: a connection to the event store's own database, a
tiny SQL dialect layer, the positions table, and blue/green generations.

Views sit beside the events (the same SQLite file, or the same PostgreSQL
database and schema) so one backup holds both. Each projection owns tables
named `<table>_g<N>`: generation N. The `projection_positions` table says,
per projection, which generation is `live` (what readers use), which one is
being built `next` (--from-scratch) and which one is a throw-away `check`,
and how far in the log each has got. A page of events and the position it
reaches are written in ONE transaction: exactly once, resumable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from persistence.dialect import POSTGRES, SQLITE, Dialect
from persistence.views import connect_views
from workflow import Hotline

__all__ = ["POSTGRES", "POSITIONS", "SQLITE", "Conflict", "Dialect", "Tx", "ViewStore",
           "table_name"]

POSITIONS = "projection_positions"
STATES = ("live", "next", "check", "retired")


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

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(self.dialect.sql(sql), tuple(params))
        return [tuple(r) for r in self.cursor.fetchall()]

    # -- positions -------------------------------------------------------------

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


class Conflict(Exception):
    """Another process advanced the same projection: this page was rolled back."""


def table_name(base: str, generation: int) -> str:
    return f"{base}_g{generation}"


class ViewStore:
    """A connection to the views of one event store."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self.connection, self.dialect = connection, dialect
        with self.write() as tx:
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {POSITIONS} (name TEXT NOT NULL,"
                " generation INTEGER NOT NULL, state TEXT NOT NULL,"
                " position BIGINT NOT NULL, PRIMARY KEY (name, generation))"
            )

    @classmethod
    def for_hotline(cls, hotline: Hotline) -> ViewStore:
        """The views beside `hotline`'s events (same file, database, schema)."""
        return cls(*connect_views(hotline.env))

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

    def close(self) -> None:
        self.connection.close()
