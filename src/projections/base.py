"""What a projection is, and the per-case view most of ours are.

A projection has a name, the tables it owns (created per generation) and a
`handle` that folds a page of events into them inside the caller's
transaction. The runner owns transactions and positions; a projection never
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from projections.asof import CaseAt, evaluate
from projections.steps import Batch, CaseRecord, load_steps
from projections.store import Tx, table_name
from workflow import Case

IN_CHUNK = 400  # keys per `IN (...)`: far below SQLite's and PostgreSQL's limits


class Projection(Protocol):
    @property
    def name(self) -> str: ...

    def tables(self) -> dict[str, str]:
        """Base table name -> column definitions (with its primary key)."""
        ...

    def handle(self, tx: Tx, generation: int, batch: Batch) -> None:
        """Fold the page's events (`batch.events`, in log order; grouped by
        case in `batch.by_case`) into the tables of `generation`."""
        ...


def create_tables(tx: Tx, projection: Projection, generation: int) -> None:
    for base, columns in projection.tables().items():
        tx.execute(f"CREATE TABLE IF NOT EXISTS {table_name(base, generation)} ({columns})")


def drop_tables(tx: Tx, projection: Projection, generation: int) -> None:
    for base in projection.tables():
        tx.execute(f"DROP TABLE IF EXISTS {table_name(base, generation)}")


def dump(tx: Tx, projection: Projection, generation: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order (for --check and tests)."""
    return {
        base: tx.query(f"SELECT * FROM {table_name(base, generation)} ORDER BY 1")
        for base in projection.tables()
    }


class CaseRowProjection:
    """One row per case: intake columns, derived columns and the case's steps.

    A page is handled with one SELECT of the rows it touches, the fold in
    memory, one DELETE and one INSERT batch: no statement per event.
    Subclasses name the intake fields they keep and derive their columns
    from the case as it stands after the page (`derive`).
    """

    name: ClassVar[str]
    table: ClassVar[str]
    intake: ClassVar[tuple[str, ...]]  # CaseRecord fields stored as columns
    derived: ClassVar[tuple[tuple[str, str], ...]]  # (column, SQL type)

    def tables(self) -> dict[str, str]:
        cols = ["case_id TEXT PRIMARY KEY"]
        cols += [f"{c} {'INTEGER' if c == 'version' else 'TEXT'}" for c in self.intake]
        cols += [f"{c} {t}" for c, t in self.derived]
        cols += ["steps TEXT NOT NULL"]
        return {self.table: ", ".join(cols)}

    def derive(self, record: CaseRecord, case: CaseAt) -> tuple[Any, ...]:
        raise NotImplementedError

    def columns(self) -> list[str]:
        return ["case_id", *self.intake, *(c for c, _ in self.derived), "steps"]

    def handle(self, tx: Tx, generation: int, batch: Batch) -> None:
        table = table_name(self.table, generation)
        touched = batch.by_case
        if not touched:
            return
        # A case whose first event here is its Received has no row yet: only
        # the others are loaded and deleted (a fresh rebuild loads nothing).
        known = [k for k, evs in touched.items() if not isinstance(evs[0][0], Case.Received)]
        records = self._load(tx, table, known)
        rows = []
        for case_id, case_events in touched.items():
            record = records.get(case_id) or CaseRecord(case_id)
            for event, step in case_events:
                record.apply(event, step)
            if case_id not in batch.folded:
                batch.folded[case_id] = (evaluate(record.steps), record.steps_json())
            rows.append(self._row(record, *batch.folded[case_id]))
        keys = known
        for i in range(0, len(keys), IN_CHUNK):
            chunk = keys[i : i + IN_CHUNK]
            tx.execute(f"DELETE FROM {table} WHERE case_id IN ({_marks(chunk)})", chunk)
        cols = self.columns()
        tx.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(cols)})", rows)

    def _load(self, tx: Tx, table: str, keys: list[str]) -> dict[str, CaseRecord]:
        out: dict[str, CaseRecord] = {}
        derived = [c for c, _ in self.derived]
        select = ", ".join(["case_id", *self.intake, *derived, "steps"])
        n = len(self.intake)
        for i in range(0, len(keys), IN_CHUNK):
            chunk = keys[i : i + IN_CHUNK]
            for row in tx.query(f"SELECT {select} FROM {table} WHERE case_id IN ({_marks(chunk)})",
                                chunk):
                fields = dict(zip(self.intake, row[1 : 1 + n], strict=True))
                previous = dict(zip(derived, row[1 + n : -1], strict=True))
                out[row[0]] = CaseRecord(row[0], **fields, steps=load_steps(row[-1]),
                                         previous=previous)
        return out

    def _row(self, record: CaseRecord, case: CaseAt, steps_json: str) -> tuple[Any, ...]:
        intake = tuple(getattr(record, f) for f in self.intake)
        return (record.case_id, *intake, *self.derive(record, case), steps_json)


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" for _ in items)


def iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def flag(value: bool | None) -> int | None:
    return None if value is None else int(value)
