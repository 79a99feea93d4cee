"""The connection of the read side's views, beside the events (the same
SQLite file, or the same PostgreSQL database and schema) so one backup
holds both.

Past the library, on purpose: the views get a connection of their own
rather than one of the event store's pool. A catch-up holds one write
transaction over a page of events and its position (taken up front on
SQLite, `BEGIN IMMEDIATE`, so two writers queue instead of failing half-way,
and with DDL inside it for blue/green generations), and a reader holds one
snapshot over several statements; eventsourcing's datastores open a plain
`BEGIN` per call and give the connection back after it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from typing import Any

from persistence.dialect import POSTGRES, SQLITE, Dialect


def connect_views(env: Mapping[str, str]) -> tuple[Any, Dialect]:
    """A connection for the views of the store that eventsourcing's `env`
    (an application's `env`) opens, and its dialect."""
    module = env.get("PERSISTENCE_MODULE") or ""
    if module.endswith("sqlite"):
        name = env.get("SQLITE_DBNAME") or ""
        # isolation_level=None: the view store issues BEGIN/COMMIT itself, so
        # DDL (CREATE/DROP of generations) is transactional too.
        conn = sqlite3.connect(name, uri=name.startswith("file:"), timeout=60,
                               isolation_level=None, check_same_thread=False)
        # Debian's SQLite (and others built with SQLITE_SECURE_DELETE) zeroes
        # every page it frees, so dropping a retired generation wrote the
        # whole table out again, to the write-ahead log, the statement
        # journal and then the file. The views hold no secret to wipe: no
        # citizen is folded into them, and the key table, on the event
        # store's connections, turns secure delete on for itself
        # (persistence/keys.py). Measured: docs/performance.md, "Eighth round".
        conn.execute("PRAGMA secure_delete = OFF")
        # The views are derived from the events and commit each page with
        # its position, so a commit need not wait for the disk: in WAL mode
        # NORMAL syncs at checkpoints only. A killed process loses nothing
        # (the WAL is written before the commit returns); a power cut can
        # roll back the last pages and their positions together, which the
        # next catch-up folds again. The events' own connections keep
        # eventsourcing's FULL. A rebuild of 20,000 cases: 19 fdatasyncs
        # instead of 50 (docs/performance.md, "Tenth round"); what that saves
        # is the disk's sync latency, small on this machine's (0.5-0.9 ms).
        # (Only in WAL mode, which eventsourcing sets on the file: with a
        # rollback journal NORMAL could leave a file damaged by a power cut.)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn, SQLITE
    if module.endswith("postgres"):
        return _pg_connect(env), POSTGRES
    raise ValueError(f"views need a SQLite or PostgreSQL store, not {module!r}")


def _pg_connect(env: Mapping[str, str]) -> Any:
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(
        dbname=env.get("POSTGRES_DBNAME"), host=env.get("POSTGRES_HOST"),
        port=env.get("POSTGRES_PORT"), user=env.get("POSTGRES_USER"),
        password=env.get("POSTGRES_PASSWORD") or None, autocommit=True,
        connect_timeout=int(float(env.get("POSTGRES_CONNECT_TIMEOUT") or 30)),
    )
    # The views' connection reads uuid columns (the events' originator_id)
    # as their text: the read side keys cases by text, and a uuid.UUID made
    # per stored row and turned back into text cost a rebuild ~5% of its
    # CPU. (Casting in the SELECT instead, `originator_id::text`, made the
    # planner give up the primary key's order for a sort: 10x slower pages.)
    from psycopg.types.string import TextLoader

    conn.adapters.register_loader("uuid", TextLoader)
    schema = env.get("POSTGRES_SCHEMA")
    if schema:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn


def insert_rows(cursor: Any, dialect: Dialect, table: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in `columns` order) into one of the views'
    tables inside the cursor's transaction.

    Past the DB-API on PostgreSQL, on purpose: `executemany` of an INSERT
    goes through psycopg's pipeline one statement per row, adapting each
    row's parameters in Python (about half the client CPU of a rebuild);
    `COPY ... FROM STDIN` streams the rows with psycopg's C row formatter
    in one statement. Measured: docs/performance.md, "The read path".
    SQLite's `executemany` is already one prepared statement stepped in C.
    """
    if not rows:
        return
    if dialect is POSTGRES:
        from psycopg import sql

        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
        with cursor.copy(copy) as out:
            for row in rows:
                out.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def vacuum(connection: Any, dialect: Dialect, tables: Iterable[str]) -> None:
    """Set the visibility map of freshly loaded `tables` where the store
    keeps one (`Dialect.vacuum_after_load`: PostgreSQL's VACUUM, which
    runs outside any transaction; the views' connection is in autocommit
    between them). A table another run has dropped meanwhile is passed
    over. Nothing on SQLite."""
    if not dialect.vacuum_after_load:
        return
    from psycopg import errors

    for table in tables:
        with suppress(errors.UndefinedTable):
            connection.execute(f"VACUUM {table}")
