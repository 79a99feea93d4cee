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

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from workflow import Hotline

POSITIONS = "projection_positions"
DIGESTS = "projection_digests"
STATES = ("live", "next", "check", "retired")


@dataclass(frozen=True)
class Dialect:
    """What differs between SQLite and PostgreSQL in our SQL: placeholders."""

    name: str
    param: str
    binary: str  # the collation that orders text by its bytes (as Python does)

    def sql(self, text: str) -> str:
        # Our statements are written with `?`; none contains a literal `?`.
        return text if self.param == "?" else text.replace("?", self.param)


SQLITE = Dialect("sqlite", "?", "")
POSTGRES = Dialect("postgresql", "%s", ' COLLATE "C"')


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

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 10_000
               ) -> Iterator[tuple[Any, ...]]:
        """The rows of a query, fetched `size` at a time (memory stays flat)."""
        self.cursor.execute(self.dialect.sql(sql), tuple(params))
        while batch := self.cursor.fetchmany(size):
            yield from batch

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

    @classmethod
    def for_hotline(cls, hotline: Hotline) -> ViewStore:
        """The views beside `hotline`'s events (same file, database, schema)."""
        env = hotline.env
        module = env.get("PERSISTENCE_MODULE") or ""
        if module.endswith("sqlite"):
            name = env.get("SQLITE_DBNAME") or ""
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so DDL
            # (CREATE/DROP of generations) is transactional too.
            conn = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60,
                                   isolation_level=None, check_same_thread=False)
            return cls(conn, SQLITE)
        if module.endswith("postgres"):
            return cls(_pg_connect(env), POSTGRES)
        raise ValueError(f"views need a SQLite or PostgreSQL store, not {module!r}")

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


def _pg_connect(env: Any) -> Any:
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(
        dbname=env.get("POSTGRES_DBNAME"), host=env.get("POSTGRES_HOST"),
        port=env.get("POSTGRES_PORT"), user=env.get("POSTGRES_USER"),
        password=env.get("POSTGRES_PASSWORD") or None, autocommit=True,
    )
    schema = env.get("POSTGRES_SCHEMA")
    if schema:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn
