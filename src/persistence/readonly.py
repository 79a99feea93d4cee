"""A store opened read-only, for the auditor: the raw rows of the events table.

Opened through eventsourcing's own datastore and recorder classes (so the
table name and the PostgreSQL schema are the recorder's), but so that the
store itself refuses any write: SQLite through a `mode=ro` URI, PostgreSQL
with every session `default_transaction_read_only`. The auditor reads rows,
not domain events, so that it sees rows that no longer decode, gaps and
reordering.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, PersistenceError
from eventsourcing.utils import Environment

from workflow.audit.rows import StoredRow
from workflow.store_url import StoreUnavailable, prepare_store

PAGE = 5_000
APPLICATION_NAME = "Hotline"  # eventsourcing names the PostgreSQL table after the application


class ReadOnlyStore:
    """The events table of one store, read-only, in log order."""

    def __init__(self, recorder: Any, close: Callable[[], None], where: str) -> None:
        self.recorder = recorder
        self.table = recorder.events_table_name
        self.where = where  # the file or database, for messages
        self.sqlite = not where.startswith("postgres")
        self._close = close

    def rows(self, case: UUID | None = None, stop: int | None = None) -> Iterator[StoredRow]:
        """Rows in log order, of one case or all, up to position `stop`."""
        start = 0
        while True:
            with self._reading():
                page = self._page(case, start, stop)
            yield from page
            if len(page) < PAGE:
                return
            start = page[-1].position

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A store that cannot be read (damaged, truncated, not a database)
        is one `StoreUnavailable` naming it, whenever it shows."""
        try:
            yield
        except (PersistenceError, sqlite3.DatabaseError) as e:
            why = " (not an SQLite database, or damaged or truncated)" if self.sqlite else ""
            raise StoreUnavailable(
                f"{self.where} cannot be read as a hotline store: {e}{why}") from None

    def _page(self, case: UUID | None, after: int, stop: int | None) -> list[StoredRow]:
        from persistence.dialect import POSTGRES, dialect_of

        dialect = dialect_of(self.recorder.datastore)
        pos = "notification_id" if dialect is POSTGRES else "rowid"
        table = (f'"{self.recorder.datastore.schema}"."{self.table}"' if dialect is POSTGRES
                 else self.table)
        clauses, params = [f"{pos} > ?"], [after]
        if case is not None:
            clauses.append("originator_id = ?")
            params.append(case if dialect is POSTGRES else case.hex)  # type: ignore[arg-type]
        if stop is not None:
            clauses.append(f"{pos} <= ?")
            params.append(stop)
        statement = dialect.sql(
            f"SELECT {pos} AS position, originator_id, originator_version, topic, state "
            f"FROM {table} WHERE {' AND '.join(clauses)} ORDER BY {pos} LIMIT {PAGE}")
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return [
                StoredRow(int(r["position"]), _uuid(r["originator_id"]),
                          int(r["originator_version"]), r["topic"], bytes(r["state"] or b""))
                for r in cursor.fetchall()
            ]

    def max_position(self) -> int:
        with self._reading():
            return int(self.recorder.max_notification_id() or 0)

    def close(self) -> None:
        self._close()


def _uuid(value: Any) -> UUID:
    """A row's case id; a damaged one is the nil id (the chain check then fails there)."""
    try:
        return UUID(str(value))
    except ValueError:
        return UUID(int=0)


def open_read_only(url: str) -> ReadOnlyStore:
    """The events table of the store at `url`, opened read-only;
    `StoreUnavailable` when there is no such store or table."""
    env = prepare_store(url, create=False)  # the one check before opening (store_url.py)
    env["CREATE_TABLE"] = "n"
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        name = env["SQLITE_DBNAME"]
        if name.startswith("file:") and "mode=memory" in name:
            raise StoreUnavailable("an in-memory store lives only inside its own process: "
                                   "audit a file or PostgreSQL store")
        env["SQLITE_DBNAME"] = f"file:{quote(str(Path(name).resolve()))}?mode=ro"
    factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
    datastore = factory.datastore  # type: ignore[attr-defined]
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        # A read-only connection cannot switch the journal to WAL; the pool
        # would try on the first connection of a store not in WAL mode.
        datastore.pool.is_journal_mode_wal = True
    else:
        _read_only_sessions(datastore)
    recorder = factory.application_recorder()
    sqlite = env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    store = ReadOnlyStore(recorder, factory.close, name if sqlite else url)
    try:
        with store._reading():
            found = _has_table(store)
    except BaseException:
        factory.close()
        raise
    if not found:
        factory.close()
        raise StoreUnavailable(f"{store.where} is not a hotline store (no {store.table} table "
                               "with the columns of an event store)")
    return store


def _read_only_sessions(datastore: Any) -> None:
    """Every session of the pool is read-only: the server itself refuses any
    write. (The pool is opened lazily, at the first connection, with these
    connection arguments: psycopg_pool's public `kwargs`.)"""
    datastore.pool.kwargs["options"] = "-c default_transaction_read_only=on"


def _has_table(store: ReadOnlyStore) -> bool:
    datastore = store.recorder.datastore
    from persistence.dialect import POSTGRES, dialect_of

    with datastore.transaction(commit=False) as cursor:
        if dialect_of(datastore) is POSTGRES:
            cursor.execute("SELECT to_regclass(%s) AS t",
                           (f'"{datastore.schema}"."{store.table}"',))
            return cursor.fetchone()["t"] is not None
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                       (store.table,))
        if cursor.fetchone() is None:
            return False
        cursor.execute(f"PRAGMA table_info({store.table})")
        columns = {row[1] for row in cursor.fetchall()}
        return {"originator_id", "originator_version", "topic", "state"} <= columns
