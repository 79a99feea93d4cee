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
from collections.abc import Mapping
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
    schema = env.get("POSTGRES_SCHEMA")
    if schema:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn
