"""Store URLs (`sqlite:///path.db`, `sqlite:///:memory:`,
`postgresql://user@host:port/dbname[?schema=name&connect_timeout=seconds&pool_size=n]`)
as eventsourcing's persistence settings (`persistence_env`: pure parsing), and
the check made once before any store is opened (`prepare_store`): a command
that only reads never creates a store, and a PostgreSQL server that cannot be
reached says why at once, in the server's own words."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlparse

from workflow.errors import WorkflowError

if TYPE_CHECKING:
    from psycopg import Connection

DEFAULT_STORE = "sqlite:///hotline.db"
# Seconds to wait for a PostgreSQL connection (eventsourcing's own default is
# 30, and a wrong host or port would hold every command that long).
DEFAULT_CONNECT_TIMEOUT = 5
# Connections a PostgreSQL engine opens at once and keeps (eventsourcing's
# default is 5, each a server process started for nothing by a command that
# uses one); more are opened on demand up to 10 beyond it (its max_overflow)
# and closed again when idle. An embedding server with many threads raises it
# with `?pool_size=N`.
DEFAULT_POOL_SIZE = 1
POSTGRES_TABLE = "hotline_events"  # eventsourcing's `<application name>_events`
PG_RECORDER = "persistence.schema_lock:SerialisedPostgresApplicationRecorder"


class InvalidStoreURL(WorkflowError):
    def __init__(self, url: str, why: str) -> None:
        self.url = url
        super().__init__(f"store URL {url!r}: {why}")


class StoreUnavailable(WorkflowError):
    """The store cannot be opened: missing (for a command that only reads),
    unreachable, or refused by the server."""


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
    query = parse_qs(parsed.query)
    schema = query.get("schema")
    if schema:
        env["POSTGRES_SCHEMA"] = schema[0]
    timeout = query.get("connect_timeout", [str(DEFAULT_CONNECT_TIMEOUT)])[0]
    if not timeout.isdigit() or int(timeout) < 1:
        raise InvalidStoreURL(url, f"connect_timeout must be a whole number of seconds >= 1, "
                                   f"not {timeout!r}")
    env["POSTGRES_CONNECT_TIMEOUT"] = str(int(timeout))
    pool_size = query.get("pool_size", [str(DEFAULT_POOL_SIZE)])[0]
    if not pool_size.isdigit() or int(pool_size) < 1:
        raise InvalidStoreURL(url, f"pool_size must be a whole number of connections >= 1, "
                                   f"not {pool_size!r}")
    env["POSTGRES_POOL_SIZE"] = str(int(pool_size))
    return env


def prepare_store(url: str, *, create: bool = True) -> dict[str, str]:
    """The persistence settings of `url`, after checking that the store can
    be opened. With `create=False` (a command that only reads) a missing
    store is an error: no SQLite file, PostgreSQL schema or table is created.
    With `create=True` a schema named in a PostgreSQL URL is created if absent.
    A PostgreSQL server that refuses or cannot be reached raises
    `StoreUnavailable` with the server's own reason, within the URL's
    `connect_timeout`."""
    env = persistence_env(url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        name = env["SQLITE_DBNAME"]
        in_memory = name.startswith("file:") and "mode=memory" in name
        if not create and not in_memory and not Path(name).is_file():
            raise StoreUnavailable(f"no SQLite store at {name}")
        return env
    conn = postgres_connect(env)
    try:
        _postgres_schema(conn, env, create)
    finally:
        conn.close()
    return env


def postgres_connect(env: dict[str, str], **options: Any) -> Connection[Any]:
    """A psycopg connection with the settings of `env`; a failure is
    `StoreUnavailable` with the server's reason on one line."""
    import psycopg

    try:
        return psycopg.connect(
            dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)),
            **options,
        )
    except psycopg.OperationalError as e:
        where = f"{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
        raise StoreUnavailable(
            f"cannot connect to PostgreSQL {where}/{env['POSTGRES_DBNAME']}: {server_reason(e)}"
        ) from None


def server_reason(error: Exception) -> str:
    """psycopg's message, which repeats `connection to server at ... failed:`
    for every address tried, as the server's (or the socket's) reason alone."""
    text = " ".join(str(error).split())
    parts = re.split(r"connection to server (?:at|on) ", text)[1:]
    reasons = []
    for part in parts:
        if " failed: " in part:
            reason = part.split(" failed: ", 1)[1].split(" - host: ")[0]
            reasons.append(re.sub(r"^FATAL: ", "", reason.strip()))
    unique = list(dict.fromkeys(r for r in reasons if r))
    return "; ".join(unique) if unique else text


def _postgres_schema(conn: Connection[Any], env: dict[str, str], create: bool) -> None:
    from psycopg import sql

    schema = env.get("POSTGRES_SCHEMA") or "public"
    with conn.transaction():
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        if found.fetchone() is None:
            if not create:
                raise StoreUnavailable(
                    f"no schema {schema!r} in PostgreSQL database {env['POSTGRES_DBNAME']!r} "
                    f"(create it with: CREATE SCHEMA {schema}; or import into it first)")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            return
        if not create:
            table = sql.Identifier(schema, POSTGRES_TABLE).as_string(conn)
            exists = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
            if exists is None or exists[0] is None:
                raise StoreUnavailable(
                    f"no hotline store in schema {schema!r} of PostgreSQL database "
                    f"{env['POSTGRES_DBNAME']!r} (no {POSTGRES_TABLE} table)")


def describe(url: str) -> str:
    """The URL with any password masked, for logs and `hotline config`."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
