"""The per-case key table, in the same store as the events (SQLite or PostgreSQL).

One row per case whose citizen data was encrypted: the case's data key,
wrapped (encrypted) by the deployment's master key, and the master key's id.
Forgetting a case empties its row (wrapped key gone, time of forgetting
kept) with the store's secure-delete settings, so the old key bytes do not
linger in the SQLite file; see docs/operations.md for backups and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from persistence.dialect import SQLITE, dialect_of, qualified_table

TABLE = "hotline_citizen_keys"


@dataclass(frozen=True)
class KeyRow:
    case: str
    master_id: str | None
    wrapped: bytes | None
    forgotten: str | None  # ISO time of forgetting, when forgotten


class KeyTable:
    """Reads and writes the key table through the application's own datastore
    (its connection pool, its in-memory database, its PostgreSQL schema)."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.dialect = dialect_of(self.datastore)
        self.table = qualified_table(self.datastore, TABLE)
        self._exists = False

    def exists(self) -> bool:
        """Whether the table is there (it is created by the first key stored,
        so opening a store without a key never writes to it)."""
        if not self._exists:
            with self._cursor() as cur:
                if self.dialect is SQLITE:
                    cur.execute("SELECT name FROM sqlite_master WHERE name = ?", (TABLE,))
                else:
                    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (self.table,))
                rows = self._rows(cur)
            self._exists = bool(rows) and rows[0][0] not in (None, False)
        return self._exists

    def ensure(self) -> None:
        if self.exists():
            return
        with self._cursor() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (case_ref TEXT PRIMARY KEY, "
                f"master_id TEXT, wrapped {self.dialect.blob}, created TEXT NOT NULL, "
                "forgotten TEXT)"
            )
        self._exists = True

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as cur:
            yield cur

    def _sql(self, text: str) -> str:
        return self.dialect.sql(text).replace("TABLE", self.table)

    def _rows(self, cur: Any) -> list[tuple[Any, ...]]:
        rows = cur.fetchall()
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]

    def get(self, case: str) -> KeyRow | None:
        if not self.exists():
            return None
        with self._cursor() as cur:
            cur.execute(self._sql(
                "SELECT case_ref, master_id, wrapped, forgotten FROM TABLE WHERE case_ref = ?"
            ), (case,))
            rows = self._rows(cur)
        if not rows:
            return None
        ref, master_id, wrapped, forgotten = rows[0]
        return KeyRow(ref, master_id, bytes(wrapped) if wrapped is not None else None, forgotten)

    def count(self) -> int:
        if not self.exists():
            return 0
        with self._cursor() as cur:
            cur.execute(self._sql("SELECT COUNT(*) FROM TABLE"))
            return int(self._rows(cur)[0][0])

    def insert_new(self, rows: Sequence[tuple[str, str, bytes]]) -> list[str]:
        """Store (case, master id, wrapped key) rows whose case has no row yet;
        returns the cases that already had a different row (a lost race)."""
        self.ensure()
        now = datetime.now(UTC).isoformat()
        clashes = []
        with self._cursor() as cur:
            for case, master_id, wrapped in rows:
                cur.execute(self._sql(
                    "INSERT INTO TABLE (case_ref, master_id, wrapped, created) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (case_ref) DO NOTHING"
                ), (case, master_id, wrapped, now))
                cur.execute(self._sql("SELECT wrapped FROM TABLE WHERE case_ref = ?"), (case,))
                stored = self._rows(cur)[0][0]
                if stored is None or bytes(stored) != wrapped:
                    clashes.append(case)
        return clashes

    def all_wrapped(self) -> list[tuple[str, str, bytes]]:
        if not self.exists():
            return []
        with self._cursor() as cur:
            cur.execute(self._sql(
                "SELECT case_ref, master_id, wrapped FROM TABLE WHERE wrapped IS NOT NULL "
                "ORDER BY case_ref"
            ))
            return [(r[0], r[1], bytes(r[2])) for r in self._rows(cur)]

    def rewrap(self, rows: Sequence[tuple[str, str, bytes]]) -> None:
        """Replace wrapped keys (case, new master id, new wrapped) in one transaction."""
        with self._cursor() as cur:
            self._secure(cur)
            for case, master_id, wrapped in rows:
                cur.execute(self._sql(
                    "UPDATE TABLE SET master_id = ?, wrapped = ? WHERE case_ref = ?"
                ), (master_id, wrapped, case))
        self._purge()

    def forget(self, case: str) -> str:
        """Empty the case's row for good; returns the time of forgetting."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._cursor() as cur:
            self._secure(cur)
            cur.execute(self._sql(
                "UPDATE TABLE SET wrapped = NULL, master_id = NULL, forgotten = ? "
                "WHERE case_ref = ?"
            ), (now, case))
        self._purge()
        return now

    def _secure(self, cur: Any) -> None:
        if self.dialect is SQLITE:  # freed bytes are overwritten with zeros
            cur.execute("PRAGMA secure_delete = ON")

    def _purge(self) -> None:
        """Leave no copy of replaced key bytes in the store's own files: the
        SQLite write-ahead log is checkpointed and truncated; PostgreSQL's
        dead row versions are vacuumed away. Both run outside a transaction,
        on a connection of the datastore's pool (its public `cursor()`)."""
        if self.dialect is SQLITE:
            with self.datastore.get_connection(commit=True) as conn:
                cursor = conn.cursor()  # autocommit: no BEGIN around the checkpoint
                try:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    cursor.sqlite_cursor.close()
            return
        with self.datastore.get_connection() as pg:
            pg.autocommit = True  # VACUUM cannot run inside a transaction
            pg.execute(f"VACUUM {self.table}")
