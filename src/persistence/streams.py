"""Many cases' streams in one statement, and a batch of stored events in one
transaction: the bulk import's read and write (`workflow.ports.EventStreams`).

eventsourcing's recorders read one aggregate per query; an import batch
touches hundreds of cases, most of them new, so asking for each one costs a
round trip per line. `select` asks once per chunk of ids, in the recorder's
own table through its datastore's transaction. `insert` hands the already
encoded events to the recorder's `insert_events` (one transaction, the
library's own statement, lock and notification ids).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from workflow.ports import StreamRow

CHUNK = 500  # ids per statement: well inside SQLite's bound-variable limit


class RecorderStreams:
    """The bulk read and write of one of eventsourcing's SQL recorders."""

    def __init__(
        self, recorder: Any,
        select_chunk: Callable[[list[UUID]], Iterable[tuple[UUID, list[StreamRow]]]],
        insert: Callable[[Sequence[StoredEvent]], Any] | None = None,
    ):
        self.recorder = recorder
        self._select_chunk = select_chunk
        self._insert = insert or recorder.insert_events

    def select(self, ids: Collection[UUID]) -> Iterator[tuple[UUID, list[StreamRow]]]:
        """Each stored id with its events' rows in version order (absent ids
        are left out), read a chunk of ids per statement and handed on chunk
        by chunk: a batch's read-back holds one chunk's rows at a time, not
        the whole batch's."""
        ordered = list(ids)
        for start in range(0, len(ordered), CHUNK):
            yield from self._select_chunk(ordered[start:start + CHUNK])

    def insert(self, events: Sequence[StoredEvent]) -> None:
        """Store `events` in one transaction (IntegrityError if any of their
        (case, version) is already taken: nothing is stored then)."""
        if events:
            self._insert(events)


def streams_for(recorder: Any) -> RecorderStreams | None:
    """The bulk access of `recorder`, or None for a recorder without SQL
    (eventsourcing's in-memory POPO recorder: the caller then goes one case
    at a time through the repository)."""
    select = _sqlite_select(recorder)
    if select is not None:  # psycopg is not imported for a SQLite store
        return RecorderStreams(recorder, select)
    select = _postgres_select(recorder)
    return None if select is None else RecorderStreams(recorder, select,
                                                       _postgres_insert(recorder))


Chunk = Callable[[list[UUID]], Iterable[tuple[UUID, list[StreamRow]]]]


def _sqlite_select(recorder: Any) -> Chunk | None:
    from eventsourcing.sqlite import SQLiteAggregateRecorder

    if not isinstance(recorder, SQLiteAggregateRecorder):
        return None

    def select(ids: list[UUID]) -> Iterable[tuple[UUID, list[StreamRow]]]:
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT originator_id, originator_version, topic, state"
            f" FROM {recorder.events_table_name} WHERE originator_id IN ({marks})"
            " ORDER BY originator_id, originator_version"
        )
        # the ids as the recorder stores them (`UUID.hex`); each row's own
        # id is looked up, not parsed (a UUID made per row cost a read-back
        # about a fifth of its CPU)
        by_hex = {i.hex: i for i in ids}
        with recorder.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor  # this transaction's own sqlite3 cursor
            cursor.row_factory = None  # plain tuples, not the datastore's sqlite3.Row
            cursor.execute(sql, list(by_hex))
            return _grouped(cursor.fetchall(), by_hex)

    return select


def _postgres_select(recorder: Any) -> Chunk | None:
    try:
        from eventsourcing.postgres import PostgresAggregateRecorder
        from psycopg.rows import tuple_row
        from psycopg.sql import SQL, Identifier
    except ImportError:  # pragma: no cover - the driver is a dependency
        return None
    if not isinstance(recorder, PostgresAggregateRecorder):
        return None
    sql = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table}"
        " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )

    def select(ids: list[UUID]) -> Iterable[tuple[UUID, list[StreamRow]]]:
        with recorder.datastore.get_connection() as conn, \
                conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(sql, [ids])
            return _grouped(curs.fetchall(), {i: i for i in ids}, as_bytes=True)

    return select


def _grouped(found: list[tuple[Any, int, str, Any]], ids: dict[Any, UUID],
             as_bytes: bool = False) -> Iterable[tuple[UUID, list[StreamRow]]]:
    """(id, rows) per case of `found` (rows in case and version order; the
    case's stored id is looked up in `ids`)."""
    streams: dict[UUID, list[StreamRow]] = {}
    seen: Any = None
    rows: list[StreamRow] = []
    for stored_id, version, topic, state in found:
        if stored_id != seen:
            seen = stored_id
            rows = streams[ids[stored_id]] = []
        rows.append((version, topic, bytes(state) if as_bytes else state))
    return streams.items()


def _postgres_insert(recorder: Any) -> Callable[[Sequence[StoredEvent]], None] | None:
    """The rows of a batch inserted as four plain arrays (ids, versions,
    topics, states) instead of eventsourcing's one array of its composite
    type: psycopg adapts a composite value per row in Python (about a
    quarter of the import's client CPU on PostgreSQL, issue 9), plain arrays
    in its C adapters. Otherwise what the application recorder's
    `insert_events` does, in the same order: one transaction, its lock
    statements (lock timeout, `LOCK TABLE ... IN EXCLUSIVE MODE`: commit
    order is notification order), its `NOTIFY`, the same rows and columns,
    the same retries on a lost connection. None for other recorders, or with
    the library's database functions enabled (its insert is then a stored
    function)."""
    try:
        from eventsourcing.persistence import InterfaceError, OperationalError
        from eventsourcing.postgres import PostgresApplicationRecorder
        from eventsourcing.utils import retry
        from psycopg.sql import SQL, Identifier
    except ImportError:  # pragma: no cover - the driver is a dependency
        return None
    if not isinstance(recorder, PostgresApplicationRecorder):
        return None
    if recorder.datastore.enable_db_functions:
        return None
    datastore = recorder.datastore
    sql = SQL(
        "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
        "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
    ).format(schema=Identifier(datastore.schema), table=Identifier(recorder.events_table_name),
             id_type=Identifier(datastore.originator_id_type))
    notify = SQL("NOTIFY {0}").format(Identifier(recorder.channel_name))
    locks = list(recorder.lock_table_statements)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert(events: Sequence[StoredEvent]) -> None:
        columns = (
            [e.originator_id for e in events], [e.originator_version for e in events],
            [e.topic for e in events], [e.state for e in events],
        )
        with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            for statement in locks:
                curs.execute(statement, prepare=True)
            curs.execute(notify)
            curs.execute(sql, columns, prepare=True)

    return insert
