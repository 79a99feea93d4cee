"""Reading the store as it is written: raw rows, raw bytes, chains recomputed.

Used by the operations tests to check what really lands in the store (no
personal data in clear) and that the hash chain still verifies over the
stored events (upcasting and crypto-shredding must not disturb it).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import psycopg

from workflow import Hotline
from workflow.chain import EXCLUDED, GENESIS, link_format


def stored_states(app: Hotline) -> list[tuple[UUID, int, str, dict[str, Any]]]:
    """(case id, version, topic, state as stored) in global order, not upcast."""
    rows = app.recorder.select_notifications(start=None, limit=1_000_000)
    out = []
    for n in rows:
        state = app.mapper.transcoder.decode(n.state)
        out.append((UUID(str(n.originator_id)), n.originator_version, n.topic, state))
    return out


def broken_links(app: Hotline) -> list[str]:
    """Every stored event whose chain hash does not follow from its stored
    content and its predecessor's hash (empty when the chains verify)."""
    previous: dict[UUID, str] = defaultdict(lambda: GENESIS)
    broken = []
    for case, version, topic, state in stored_states(app):
        payload = {k: v for k, v in state.items() if k not in EXCLUDED | {"class_version"}}
        # either chain format: 2 (covers class_version and originator_topic) or 1 (older)
        reading = (state.get("class_version", 1), state.get("originator_topic"))
        if link_format(previous[case], state["chain"], topic, case, version,
                       state["timestamp"], payload, reading) is None:
            broken.append(f"{case} v{version} {topic}")
        previous[case] = state["chain"]
    return broken


def raw_store_bytes(url: str) -> bytes:
    """Everything the store holds, as bytes: the SQLite files (database, WAL,
    journal) or, for PostgreSQL, every table of the schema dumped as text."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        db = Path(parsed.path[1:])
        files = [db, *(db.with_name(db.name + s) for s in ("-wal", "-journal", "-shm"))]
        return b"".join(f.read_bytes() for f in files if f.exists())
    schema = parse_qs(parsed.query)["schema"][0]
    dsn = url.split("?", 1)[0]
    out = bytearray()
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            with conn.cursor().copy(f'COPY "{schema}"."{table}" TO STDOUT') as copy:
                for chunk in copy:
                    out += bytes(chunk)
            # bytea columns come out hex-escaped: add the decoded bytes too
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        out += bytes(value)
    return bytes(out)
