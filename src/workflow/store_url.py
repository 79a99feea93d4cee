"""Store URLs (`sqlite:///path.db`, `sqlite:///:memory:`,
`postgresql://user@host:port/dbname[?schema=name]`) as eventsourcing's
persistence settings. Pure parsing: no connection is made here."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, unquote, urlparse

from workflow.errors import WorkflowError

DEFAULT_STORE = "sqlite:///hotline.db"
PG_RECORDER = "adapters.pg_schema_lock:SerialisedPostgresApplicationRecorder"


class InvalidStoreURL(WorkflowError):
    def __init__(self, url: str, why: str) -> None:
        self.url = url
        super().__init__(f"store URL {url!r}: {why}")


def persistence_env(url: str) -> dict[str, str]:
    """The eventsourcing environment that opens the store at `url`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return _sqlite_env(url, parsed.path)
    if parsed.scheme in ("postgresql", "postgres"):
        return _postgres_env(url, parsed)
    raise InvalidStoreURL(url, "scheme must be sqlite:/// or postgresql://")


def _sqlite_env(url: str, path: str) -> dict[str, str]:
    if not path.startswith("/") or path == "/":
        raise InvalidStoreURL(url, "expected sqlite:///relative.db or sqlite:////abs/path.db")
    name = unquote(path[1:])
    if name == ":memory:":
        # A named shared-cache database, so the views' connections see the
        # same events as the application's (a bare :memory: is per connection).
        name = f"file:hotline-{uuid.uuid4().hex}?mode=memory&cache=shared"
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": name}


def _postgres_env(url: str, parsed: object) -> dict[str, str]:
    from urllib.parse import ParseResult

    assert isinstance(parsed, ParseResult)
    dbname = parsed.path.lstrip("/")
    if not dbname:
        raise InvalidStoreURL(url, "the database name is missing (postgresql://user@host:port/dbname)")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        # table creation under a per-schema advisory lock: concurrent opens queue
        "APPLICATION_RECORDER_TOPIC": PG_RECORDER,
    }
    schema = parse_qs(parsed.query).get("schema")
    if schema:
        env["POSTGRES_SCHEMA"] = schema[0]
    return env


def describe(url: str) -> str:
    """The URL with any password masked, for logs and `hotline config`."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
