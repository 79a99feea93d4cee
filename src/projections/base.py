"""What a projection is.

A projection has a name, the tables it owns (created per generation, with
their indexes), a `fold` that makes a page of stored rows into what its
tables get (reading them, writing nothing) and a `write` that stores that
inside the caller's transaction. The two are apart so that a rebuild's
workers fold at the same time and queue only to write (SQLite has one
writer at a time). The runner owns transactions and positions; a
projection never commits. The one projection the read side
registers by default is the per-case read model (`read_model.Cases`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from projections.rows import CaseRows
from projections.store import Tx, table_name


class Projection(Protocol):
    @property
    def name(self) -> str: ...

    def tables(self) -> dict[str, str]:
        """Base table name -> column definitions (with its primary key)."""
        ...

    def indexes(self) -> dict[str, str]:
        """Base index name -> `base_table (columns)`."""
        ...

    def statistics(self) -> dict[str, tuple[str, ...]]:
        """Base table -> the columns whose planner statistics are gathered
        once a generation is loaded, on a store that keeps them
        (PostgreSQL): those the queries compare, which the planner's
        estimates of how many rows match come from."""
        ...

    def fold(self, tx: Tx, generation: int, cases: Sequence[CaseRows]) -> Any:
        """A page's stored rows, by case (`rows.CaseRows`: each case's rows
        in version order), folded into what the tables of `generation` get;
        reads them only."""
        ...

    def write(self, tx: Tx, generation: int, folded: Any) -> None:
        """Store what `fold` made of a page in the tables of `generation`."""
        ...


def create_tables(tx: Tx, projection: Projection, generation: int, indexed: bool = True) -> None:
    """The tables of a generation, and their indexes unless `indexed` is
    False (a generation being built from scratch gets them once it is
    folded, `create_indexes`: one sort instead of an insert into each index
    per row)."""
    for base, columns in projection.tables().items():
        keyed = tx.dialect.keyed_table if "PRIMARY KEY (" in columns else ""
        tx.execute(f"CREATE TABLE IF NOT EXISTS {table_name(base, generation)} ({columns})"
                   f"{keyed}")
    if indexed:
        create_indexes(tx, projection, generation)


def create_indexes(tx: Tx, projection: Projection, generation: int) -> None:
    """The indexes of a generation, and where the store needs it the
    planner's statistics of the columns the projection names
    (`Projection.statistics`), now that the tables are loaded. Of those
    columns only: on PostgreSQL, ANALYZE of the whole cases table reads its
    wide steps (0.31 s at 20,000 cases), and of every indexed column it
    still took 0.28 s (docs/performance.md, "Tenth round")."""
    for base, spec in projection.indexes().items():
        table, cols = spec.split(" ", 1)
        tx.execute(f"CREATE INDEX IF NOT EXISTS {table_name(base, generation)}"
                   f" ON {table_name(table, generation)} {cols}")
    if tx.dialect.analyze_after_load:
        for table, names in projection.statistics().items():
            tx.execute(f"ANALYZE {table_name(table, generation)} ({', '.join(names)})")


def layout_matches(tx: Tx, projection: Projection, generation: int) -> bool:
    """Whether the tables of `generation` have the columns the projection
    defines now (a store upgraded past a change of columns has not)."""
    for base, columns in projection.tables().items():
        want = [d.split()[0] for d in columns.split(", PRIMARY KEY (")[0].split(", ")]
        if tx.columns(table_name(base, generation)) != want:
            return False
    return True


def drop_tables(tx: Tx, projection: Projection, generation: int) -> None:
    for base in projection.tables():
        tx.execute(f"DROP TABLE IF EXISTS {table_name(base, generation)}")


def dump(tx: Tx, projection: Projection, generation: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order (for --check and tests)."""
    return {
        base: tx.query(f"SELECT * FROM {table_name(base, generation)} ORDER BY 1, 2")
        for base in projection.tables()
    }
