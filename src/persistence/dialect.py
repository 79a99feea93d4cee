"""What differs between SQLite and PostgreSQL in the engine's own SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    """Placeholders and the few type names that differ."""

    name: str
    param: str
    blob: str
    # What follows the columns of a table keyed by a composite primary key:
    # on SQLite the rows are then stored in key order (no rowid, no second
    # B-tree for the key), so a lookup by key reads the row with it.
    keyed_table: str = ""
    # Whether a table loaded in bulk needs ANALYZE before the planner can
    # estimate it: PostgreSQL plans a fresh table's queries blind (it
    # guessed 33 of the 20,000 rows of a cohort) until autovacuum gets to it.
    analyze_after_load: bool = False
    # Whether a table loaded in bulk needs VACUUM before an index can answer
    # alone: PostgreSQL reads the rows behind an index-only scan until its
    # visibility map says their pages are all visible, which only VACUUM
    # sets (autovacuum may be off, or not there yet). A report of a quarter
    # of a 250,000-case store: 1.62-1.80 s before, 1.10-1.21 s after.
    # (SQLite's VACUUM is another thing: it rewrites the whole file.)
    vacuum_after_load: bool = False

    def sql(self, text: str) -> str:
        # Our statements are written with `?`; none contains a literal `?`.
        return text if self.param == "?" else text.replace("?", self.param)


SQLITE = Dialect("sqlite", "?", "BLOB", " WITHOUT ROWID")
POSTGRES = Dialect("postgresql", "%s", "BYTEA", analyze_after_load=True,
                   vacuum_after_load=True)


def dialect_of(datastore: Any) -> Dialect:
    """The dialect of one of eventsourcing's datastores."""
    from eventsourcing.sqlite import SQLiteDatastore

    if isinstance(datastore, SQLiteDatastore):
        return SQLITE
    try:
        from eventsourcing.postgres import PostgresDatastore
    except ImportError:  # pragma: no cover - the driver is a dependency
        PostgresDatastore = None  # type: ignore[assignment,misc]  # noqa: N806
    if PostgresDatastore is not None and isinstance(datastore, PostgresDatastore):
        return POSTGRES
    raise TypeError(f"no SQL dialect for {type(datastore).__name__}")


def qualified_table(datastore: Any, table: str) -> str:
    """`table` as written in a statement: schema-qualified on PostgreSQL."""
    if dialect_of(datastore) is POSTGRES:
        return f'"{datastore.schema}"."{table}"'
    return table
