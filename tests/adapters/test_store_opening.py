"""Opening a store (issue 11, items 2 and 3): a command that only reads never
creates one, and a PostgreSQL store that cannot be opened says why at once,
in the server's own words. Checked once where stores are opened
(`workflow.store_url.prepare_store`), and here through every command."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from adapters.cli.main import cli
from projections import ReadSide
from tests.conftest import PG_DSN
from workflow import Hotline
from workflow.store_url import StoreUnavailable, persistence_env, prepare_store

REF = "XT20160801-0031"
RECEIVE = ('{"case": "XT20160801-0031", "action": "receive", "at": "2016-08-01T09:12:00+08:00", '
           '"channel": "county_hotline", "category": "complaint", "content": "施工噪音"}\n')

# Every command that only reads (or changes existing cases only), with its arguments.
READERS = [
    ["report", "--period", "2016Q3", "--as-of", "2016-12-31", "--format", "markdown"],
    ["report", "--period", "2016Q3", "--as-of", "2016-12-31"],
    ["at-risk", "--as-of", "2016-08-15"],
    ["projections"],
    ["rebuild"],
    ["rebuild", "--check"],
    ["rebuild", "--from-scratch"],
    ["audit", "digest"],
    ["audit", "verify", "--all"],
    ["audit", "history", REF],
    ["audit", "show", REF],
    ["audit", "deadlines", REF],
    ["audit", "diff", REF, "1", "2"],
    ["audit", "export", REF, "--out", "x.jsonl"],
    ["citizen", "show", REF],
    ["citizen", "forget", REF, "--yes"],
    ["deadlines", "recompute"],
]


def hotline(*args: str, env: dict[str, str | None] | None = None) -> Result:
    runner = CliRunner(env={"HOTLINE_STORE": None, "HOTLINE_CONFIG": None, **(env or {})})
    return runner.invoke(cli, list(args))


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_reader_on_a_missing_sqlite_file_creates_nothing(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = hotline(*args, "--store", "sqlite:///typo.db")
    assert result.exit_code == 1, result.output
    assert result.stderr == "Error: no SQLite store at typo.db\n"
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_default_store_is_not_created_by_a_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = hotline("at-risk")
    assert (result.exit_code, result.stderr) == (1, "Error: no SQLite store at hotline.db\n")
    assert not (tmp_path / "hotline.db").exists()


def test_a_reader_on_an_existing_store_reads_it(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(RECEIVE, encoding="utf-8")
    store = f"sqlite:///{tmp_path}/h.db"
    assert hotline("import", str(tmp_path / "in.jsonl"), "--store", store, "-q").exit_code == 0
    result = hotline("projections", "--store", store)
    assert result.exit_code == 0, result.output
    assert "cases" in result.stdout  # the one read model (issue 10)


def test_a_writer_creates_the_store(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(RECEIVE, encoding="utf-8")
    result = hotline("import", str(tmp_path / "in.jsonl"), "--store",
                     f"sqlite:///{tmp_path}/new.db", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new.db").is_file()


def test_the_library_opens_for_reading_without_creating(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    with pytest.raises(StoreUnavailable, match="no SQLite store at"):
        ReadSide.open(url)
    with pytest.raises(StoreUnavailable):
        Hotline.open(url, create=False)
    assert list(tmp_path.iterdir()) == []
    Hotline.open(url).close()  # the embedded default still creates
    assert (tmp_path / "none.db").is_file()


def test_memory_stores_need_no_file() -> None:
    assert prepare_store("sqlite:///:memory:", create=False)["PERSISTENCE_MODULE"] == (
        "eventsourcing.sqlite")


# -- PostgreSQL ---------------------------------------------------------------


def test_the_connect_timeout_comes_from_the_url() -> None:
    assert persistence_env("postgresql://u@h/db")["POSTGRES_CONNECT_TIMEOUT"] == "5"
    env = persistence_env("postgresql://u@h/db?schema=s&connect_timeout=2")
    assert (env["POSTGRES_CONNECT_TIMEOUT"], env["POSTGRES_SCHEMA"]) == ("2", "s")
    result = hotline("projections", "--store", "postgresql://u@h/db?connect_timeout=soon")
    assert result.exit_code == 1
    assert result.stderr == ("Error: store URL 'postgresql://u@h/db?connect_timeout=soon': "
                             "connect_timeout must be a whole number of seconds >= 1, "
                             "not 'soon'\n")


def test_the_pool_size_comes_from_the_url() -> None:
    assert persistence_env("postgresql://u@h/db")["POSTGRES_POOL_SIZE"] == "1"
    assert persistence_env("postgresql://u@h/db?pool_size=8")["POSTGRES_POOL_SIZE"] == "8"
    result = hotline("projections", "--store", "postgresql://u@h/db?pool_size=0")
    assert result.exit_code == 1
    assert result.stderr == ("Error: store URL 'postgresql://u@h/db?pool_size=0': "
                             "pool_size must be a whole number of connections >= 1, not '0'\n")


@pytest.mark.postgres
def test_an_engine_keeps_the_pool_size_of_its_url_open() -> None:
    from tests.conftest import pg_schema_url

    urls = pg_schema_url()
    url = next(urls)
    try:
        for given, kept in (("", 1), ("&pool_size=3", 3)):
            app = Hotline.open(url + given)
            try:
                pool = app.factory.datastore.pool  # type: ignore[attr-defined]
                assert (pool.min_size, pool.max_size) == (kept, kept + 10)
            finally:
                app.close()
    finally:
        next(urls, None)


@pytest.mark.postgres
@pytest.mark.parametrize(("url", "reason"), [
    ("postgresql://nosuchrole@127.0.0.1:5432/test", 'role "nosuchrole" does not exist'),
    ("postgresql://postgres@127.0.0.1:1/test", "Connection refused"),
    ("postgresql://postgres@127.0.0.1:5432/nosuchdb", 'database "nosuchdb" does not exist'),
], ids=["role", "port", "database"])
@pytest.mark.parametrize("command", [["import", "IN"], ["report", "--period", "2016Q3"],
                                     ["audit", "digest"]], ids=lambda c: c[0])
def test_a_refused_connection_is_one_fast_line_with_the_servers_reason(
    url: str, reason: str, command: list[str], tmp_path: Path
) -> None:
    (tmp_path / "in.jsonl").write_text(RECEIVE, encoding="utf-8")
    args = [str(tmp_path / "in.jsonl") if a == "IN" else a for a in command]
    start = time.monotonic()
    result = hotline(*args, "--store", url)
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert reason in lines[0], lines
    assert "couldn't get a connection" not in lines[0]


@pytest.fixture
def absent_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def schema_exists(schema: str) -> bool:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        return found.fetchone() is not None


@pytest.mark.postgres
@pytest.mark.parametrize("args", READERS[:6], ids=lambda a: " ".join(a[:2]))
def test_a_reader_names_the_missing_schema_and_creates_nothing(
    args: list[str], absent_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = hotline(*args, "--store", f"{PG_DSN}?schema={absent_schema}")
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: no schema '{absent_schema}' in PostgreSQL database "
                             f"'test' (create it with: CREATE SCHEMA {absent_schema}; "
                             "or import into it first)\n")
    assert not schema_exists(absent_schema)


@pytest.mark.postgres
def test_a_reader_on_an_empty_schema_says_there_is_no_store(
    absent_schema: str, tmp_path: Path
) -> None:
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {absent_schema}")
    result = hotline("at-risk", "--store", f"{PG_DSN}?schema={absent_schema}")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no hotline store in schema '{absent_schema}' of "
                             "PostgreSQL database 'test' (no hotline_events table)\n")
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s",
                              (absent_schema,)).fetchone()
    assert tables == (0,)


@pytest.mark.postgres
def test_a_writer_creates_the_schema_named_in_the_url(absent_schema: str, tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(RECEIVE, encoding="utf-8")
    url = f"{PG_DSN}?schema={absent_schema}"
    result = hotline("import", str(tmp_path / "in.jsonl"), "--store", url, "-q")
    assert result.exit_code == 0, result.output
    assert schema_exists(absent_schema)
    result = hotline("at-risk", "--store", url, "--as-of", "2016-09-30", "--json")
    assert result.exit_code == 0, result.output
    assert REF in result.stdout
