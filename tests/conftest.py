"""Shared fixtures: every store-backed test runs on SQLite and PostgreSQL.

PostgreSQL tests never skip: when the server at 127.0.0.1:5432 cannot be
reached they fail, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from workflow import Hotline

PG_DSN = os.environ.get("HOTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pg_schema_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards (with others,
    see `_drop_schemas`)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL at {PG_DSN} is not reachable (tests must not skip): {e}")
    with conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_DSN}?schema={schema}"
        finally:
            _USED.append(schema)
            if len(_USED) >= DROP_TOGETHER:
                _drop_schemas()


# Dropping a schema's tables makes the server scan all its shared buffers
# once per DROP (~65 ms of server CPU per schema here, a sixth of the
# suite's PostgreSQL time); one DROP of many schemas scans them once.
DROP_TOGETHER = 20
_USED: list[str] = []


def _drop_schemas() -> None:
    if not _USED:
        return
    with psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute("DROP SCHEMA IF EXISTS " + ", ".join(_USED) + " CASCADE")
    _USED.clear()


@pytest.fixture(scope="session", autouse=True)
def _drop_the_last_schemas() -> Iterator[None]:
    yield
    _drop_schemas()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/hotline.db"
    else:
        yield from pg_schema_url()


@pytest.fixture
def hotline(store_url: str) -> Iterator[Hotline]:
    app = Hotline.open(store_url)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def memory_hotline() -> Iterator[Hotline]:
    app = Hotline.open("sqlite:///:memory:")
    try:
        yield app
    finally:
        app.close()
