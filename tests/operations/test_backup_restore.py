"""Back up and restore as docs/operations.md says (sqlite3 .backup; pg_dump /
pg_restore): the restored store verifies and, with the master key, still
shows its citizens (the key table travels with the events)."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import psycopg

from adapters.config import open_configured
from adapters.personal_data import new_master_key
from tests.conftest import PG_DSN
from tests.operations.stored import broken_links


@contextmanager
def restored_copy(store_url: str, tmp_path: Path) -> Iterator[str]:
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        backup = tmp_path / "backup.db"
        subprocess.run(["sqlite3", parsed.path[1:], f".backup {backup}"], check=True)
        yield f"sqlite:///{backup}"
        return
    schema = parse_qs(parsed.query)["schema"][0]
    dump = tmp_path / "hotline.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}",
                    PG_DSN], check=True, timeout=120)
    database = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    target = PG_DSN.rsplit("/", 1)[0] + f"/{database}"
    try:
        subprocess.run(["pg_restore", f"--dbname={target}", str(dump)], check=True, timeout=120)
        yield f"{target}?schema={schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {database} WITH (FORCE)")


def test_a_backup_restores_with_its_keys(store_url: str, tmp_path: Path) -> None:
    env = {"HOTLINE_KEY": new_master_key()}
    app = open_configured(store=store_url, environ=env)
    app.receive("B-1", at="2026-11-02T09:00:00", channel="mayor_hotline", category="help",
                content="路灯不亮", citizen={"name": "张三", "phone": "13800000000"})
    app.assign("B-1", at="2026-11-02T10:00:00", lead="市城管局")
    app.close()
    with restored_copy(store_url, tmp_path) as copy:
        restored = open_configured(store=copy, environ=env)
        try:
            assert restored.case("B-1").lead == "市城管局"
            assert restored.citizen("B-1") == {"name": "张三", "phone": "13800000000"}
            assert broken_links(restored) == []
        finally:
            restored.close()
