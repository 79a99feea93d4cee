"""Read the stored events of many cases in one query (the bulk import's path).

eventsourcing's recorders read one aggregate per query; an import batch
touches hundreds of cases, most of them new, so asking for each one costs a
round trip per line. `select_streams` asks once per chunk of ids, for the
two recorders the engine ships with, and returns None for any other
recorder (the caller then falls back to the repository, one case at a time).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

CHUNK = 500  # ids per statement: well inside SQLite's bound-variable limit


def select_streams(recorder: Any, ids: Collection[UUID]) -> dict[UUID, list[StoredEvent]] | None:
    """Each id's stored events in version order (absent ids: no entry)."""
    select = _sqlite_select(recorder) or _postgres_select(recorder)
    if select is None:
        return None
    ordered = list(ids)
    streams: dict[UUID, list[StoredEvent]] = {}
    for start in range(0, len(ordered), CHUNK):
        for event in select(ordered[start:start + CHUNK]):
            streams.setdefault(UUID(str(event.originator_id)), []).append(event)
    return streams


def _sqlite_select(recorder: Any) -> Any:
    from eventsourcing.sqlite import SQLiteAggregateRecorder

    if not isinstance(recorder, SQLiteAggregateRecorder):
        return None

    def select(ids: list[UUID]) -> list[StoredEvent]:
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT * FROM {recorder.events_table_name} WHERE originator_id IN ({marks}) "
            "ORDER BY originator_id, originator_version"
        )
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(sql, [i.hex for i in ids])
            return [
                StoredEvent(
                    originator_id=recorder.convert_originator_id(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in c.fetchall()
            ]

    return select


def _postgres_select(recorder: Any) -> Any:
    try:
        from eventsourcing.postgres import PostgresAggregateRecorder
        from psycopg.sql import SQL, Identifier
    except ImportError:  # the PostgreSQL driver is optional
        return None
    if not isinstance(recorder, PostgresAggregateRecorder):
        return None
    sql = SQL(
        "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) "
        "ORDER BY originator_id, originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )

    def select(ids: list[UUID]) -> list[StoredEvent]:
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, [ids])
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    return select
