"""Helpers for the audit tests: histories, raw SQL on the stored events table
(as a forger with database access would do it) and running `hotline audit`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from workflow import Hotline
from workflow.audit.rows import StoredRow, decode_state, payload_of
from workflow.case import case_id
from workflow.chain import canonical, link
from workflow.store_url import persistence_env


def example(ref: str) -> list[dict[str, Any]]:
    """The spec §4 example history (6 events) under another reference."""
    at = "2016-08-0{}T{}+08:00"
    return [
        {"case": ref, "action": "receive", "at": at.format(1, "09:12:00"),
         "channel": "county_hotline", "category": "complaint", "township": "易俗河镇",
         "content": "香堤雅郡工地超出红线施工",
         "citizen": {"name": "张三", "phone": "13800000000"}},
        {"case": ref, "action": "assign", "at": at.format(1, "10:05:00"),
         "lead": "县住建局", "co_units": ["县公安局"]},
        {"case": ref, "action": "contribute", "at": at.format(3, "16:00:00"),
         "unit": "县公安局", "text": "建议双方依法协商"},
        {"case": ref, "action": "reply", "at": at.format(5, "11:00:00"),
         "unit": "县住建局", "text": "已下发停工通知"},
        {"case": ref, "action": "callback", "at": at.format(8, "15:30:00"), "result": "satisfied"},
        {"case": ref, "action": "close", "at": at.format(8, "15:40:00")},
    ]


def fill(url: str, refs: Sequence[str], upto: int = 6) -> None:
    app = Hotline.open(url)
    try:
        for ref in refs:
            for line in example(ref)[:upto]:
                app.execute(line)
    finally:
        app.close()


def audit(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", *args, "--store", url], catch_exceptions=False)


class RawStore:
    """Direct SQL on the events table, bypassing the engine."""

    def __init__(self, url: str) -> None:
        env = persistence_env(url)
        self.pg = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
        if self.pg:
            schema = env.get("POSTGRES_SCHEMA", "public")
            self.table, self.pos = f"{schema}.hotline_events", "notification_id"
            self.conn: Any = psycopg.connect(dbname=env["POSTGRES_DBNAME"],
                                             host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                                             user=env["POSTGRES_USER"], autocommit=True)
        else:
            self.table, self.pos = "stored_events", "rowid"
            self.conn = sqlite3.connect(env["SQLITE_DBNAME"], isolation_level=None)

    def oid(self, ref: str) -> Any:
        return case_id(ref) if self.pg else case_id(ref).hex

    def sql(self, statement: str, *params: Any) -> list[Any]:
        statement = statement.format(table=self.table, pos=self.pos)
        if self.pg:
            statement = statement.replace("?", "%s")
        cursor = self.conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []

    def state(self, ref: str, version: int) -> bytes:
        rows = self.sql("SELECT state FROM {table} WHERE originator_id=? AND originator_version=?",
                        self.oid(ref), version)
        return bytes(rows[0][0])

    def set_state(self, ref: str, version: int, state: bytes) -> None:
        self.sql("UPDATE {table} SET state=? WHERE originator_id=? AND originator_version=?",
                 state, self.oid(ref), version)

    def delete(self, ref: str, version: int) -> None:
        self.sql("DELETE FROM {table} WHERE originator_id=? AND originator_version=?",
                 self.oid(ref), version)

    def insert(self, ref: str, version: int, topic: str, state: bytes) -> None:
        self.sql("INSERT INTO {table} (originator_id, originator_version, topic, state) "
                 "VALUES (?, ?, ?, ?)", self.oid(ref), version, topic, state)

    def shift_up(self, ref: str, from_version: int) -> None:
        """Renumber versions >= from_version to make room for one more."""
        top = self.sql("SELECT MAX(originator_version) FROM {table} WHERE originator_id=?",
                       self.oid(ref))[0][0]
        for v in range(top, from_version - 1, -1):
            self.sql("UPDATE {table} SET originator_version=? WHERE originator_id=? "
                     "AND originator_version=?", v + 1, self.oid(ref), v)

    def forge(self, ref: str, version: int, topic: str, template: bytes, prev_chain: str,
              **changes: Any) -> bytes:
        """A state built from `template` with `changes`, whose chain the forger
        recomputed from `prev_chain` (so it passes the chain check itself)."""
        data = json.loads(template)
        data.update(changes)
        row = StoredRow(0, UUID(str(case_id(ref))), version, topic, json.dumps(data).encode())
        state = decode_state(row)
        # the forger follows the engine's current chain format (2)
        reading = (state.get("class_version", 1), state.get("originator_topic"))
        content = canonical(topic, case_id(ref), version, state["timestamp"], payload_of(state),
                            reading=reading)
        data["chain"] = link(prev_chain, content)
        return json.dumps(data, ensure_ascii=False).encode()

    def chain(self, ref: str, version: int) -> str:
        return str(json.loads(self.state(ref, version))["chain"])

    def count(self) -> int:
        return int(self.sql("SELECT COUNT(*) FROM {table}")[0][0])

    def close(self) -> None:
        self.conn.close()
