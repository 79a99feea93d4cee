"""Read-only access to the stored events table, for the audit.

The auditor reads the raw rows (SQLite `stored_events`, PostgreSQL
`<schema>.hotline_events`) rather than going through the application, so
that it sees rows that no longer decode, gaps and reordering, and so that it
never writes: SQLite is opened with `mode=ro`, PostgreSQL sessions are
`default_transaction_read_only`. `digest_at` is the entry point for the
bulletin: the digest of the log at the position its figures were computed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote
from uuid import UUID

from psycopg import sql

from workflow import Hotline
from workflow.audit.digest import compute_digest
from workflow.audit.rows import StoredRow, Undecodable, decode_state
from workflow.case import case_id
from workflow.store_url import StoreUnavailable, persistence_env, postgres_connect

SQLITE_TABLE = "stored_events"
POSTGRES_TABLE = "hotline_events"
PAGE = 5_000


def _uuid(value: Any) -> UUID:
    """A row's case id; a damaged one is a nil id (the chain check then fails there)."""
    try:
        return UUID(str(value))
    except ValueError:
        return UUID(int=0)


class AuditStore(Protocol):
    def rows(self, case: UUID | None = None, stop: int | None = None) -> Iterator[StoredRow]:
        """Rows in log order, of one case or all, up to position `stop`."""
        ...

    def max_position(self) -> int: ...

    def close(self) -> None: ...


class SQLiteAuditStore:
    def __init__(self, path: str) -> None:
        if not Path(path).is_file():
            raise StoreUnavailable(f"no SQLite store at {path}")
        self.path = path
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        self.conn = sqlite3.connect(uri, uri=True)
        try:
            found = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (SQLITE_TABLE,)
            ).fetchone()
            columns = {r[1] for r in self.conn.execute(f"PRAGMA table_info({SQLITE_TABLE})")}
        except sqlite3.DatabaseError as e:
            self.conn.close()
            raise self._unreadable(e) from None
        if not found or not {"originator_id", "originator_version", "topic",
                             "state"} <= columns:
            self.conn.close()
            raise StoreUnavailable(f"{path} is not a hotline store (no {SQLITE_TABLE} table "
                                   "with the columns of an event store)")

    def _unreadable(self, error: sqlite3.DatabaseError) -> StoreUnavailable:
        return StoreUnavailable(f"{self.path} cannot be read as a hotline store: {error} "
                                "(not an SQLite database, or damaged or truncated)")

    def rows(self, case: UUID | None = None, stop: int | None = None) -> Iterator[StoredRow]:
        where, params = _where(case.hex if case else None, stop, "rowid", "?")
        try:
            cursor = self.conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {SQLITE_TABLE}{where} ORDER BY rowid", params)
            for pos, oid, version, topic, state in cursor:
                yield StoredRow(pos, _uuid(oid), version, topic, bytes(state or b""))
        except sqlite3.DatabaseError as e:
            raise self._unreadable(e) from None

    def max_position(self) -> int:
        query = f"SELECT COALESCE(MAX(rowid), 0) FROM {SQLITE_TABLE}"
        try:
            return int(self.conn.execute(query).fetchone()[0])
        except sqlite3.DatabaseError as e:
            raise self._unreadable(e) from None

    def close(self) -> None:
        self.conn.close()


class PostgresAuditStore:
    def __init__(self, env: dict[str, str]) -> None:
        self.table = sql.Identifier(env.get("POSTGRES_SCHEMA", "public"), POSTGRES_TABLE)
        # Every transaction of this session is read-only: the server itself
        # refuses any write the audit might attempt.
        self.conn = postgres_connect(env, options="-c default_transaction_read_only=on")
        exists = self.conn.execute("SELECT to_regclass(%s)", (self.table.as_string(self.conn),))
        if (exists.fetchone() or (None,))[0] is None:
            self.conn.close()
            raise StoreUnavailable(f"no {self.table.as_string()} table in this database")
        self.conn.rollback()

    def rows(self, case: UUID | None = None, stop: int | None = None) -> Iterator[StoredRow]:
        where, params = _where(case, stop, "notification_id", "%s")
        query = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}" + where + " ORDER BY notification_id").format(self.table)
        with self.conn.transaction(), self.conn.cursor(name="audit_rows") as cursor:
            cursor.itersize = PAGE
            cursor.execute(query, params)
            for pos, oid, version, topic, state in cursor:
                yield StoredRow(pos, oid, version, topic, bytes(state))

    def max_position(self) -> int:
        query = sql.SQL("SELECT COALESCE(MAX(notification_id), 0) FROM {}").format(self.table)
        with self.conn.transaction():
            return int(self.conn.execute(query).fetchone()[0])  # type: ignore[index]

    def close(self) -> None:
        self.conn.close()


def _where(case: Any, stop: int | None, pos: str, mark: str) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if case is not None:
        clauses.append(f"originator_id = {mark}")
        params.append(case)
    if stop is not None:
        clauses.append(f"{pos} <= {mark}")
        params.append(stop)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def open_audit_store(url: str) -> AuditStore:
    """A read-only view of the events table of the store at `url`."""
    env = persistence_env(url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        name = env["SQLITE_DBNAME"]
        if name.startswith("file:") and "mode=memory" in name:
            raise StoreUnavailable("an in-memory store lives only inside its own process: "
                                   "audit a file or PostgreSQL store")
        return SQLiteAuditStore(name)
    return PostgresAuditStore(env)


def case_rows(store: AuditStore, ref: str) -> list[StoredRow]:
    return list(store.rows(case=case_id(ref)))


def refs_of(rows: list[StoredRow]) -> dict[UUID, str]:
    """Case references read from the Received rows (when they decode)."""
    refs = {}
    for row in rows:
        if row.version == 1:
            try:
                ref = decode_state(row).get("ref")
            except Undecodable:
                continue
            if isinstance(ref, str):
                refs[row.case_id] = ref
    return refs


def _recorder_rows(hotline: Hotline, stop: int) -> Iterator[StoredRow]:
    start = 1
    while True:
        page = hotline.recorder.select_notifications(start, PAGE, stop=stop)
        for n in page:
            yield StoredRow(n.id, UUID(str(n.originator_id)), n.originator_version, n.topic,
                            bytes(n.state))
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def digest_at(store: str | Hotline, position: int | None = None) -> str:
    """`POS:HASH` of the log at `position` (default: its end), from a store URL
    (opened read-only) or an open `Hotline` (read through its recorder)."""
    if isinstance(store, Hotline):
        stop = hotline_position(store) if position is None else position
        return str(compute_digest(_recorder_rows(store, stop), stop))
    audit = open_audit_store(store)
    try:
        stop = audit.max_position() if position is None else position
        return str(compute_digest(audit.rows(stop=stop), stop))
    finally:
        audit.close()


def hotline_position(hotline: Hotline) -> int:
    return int(hotline.recorder.max_notification_id() or 0)
