"""The composition root: a deployment's configuration, and everything built
from it (the application, the read side, the audit's read-only store).

Settings: the store URL, policy files, calendar files, the master key of
personal data and the topic taxonomy. Each comes from, in order of
precedence:

1. command-line options (`--store`, `--policy`, `--calendar`, `--key-file`),
2. environment variables: `HOTLINE_STORE`, `HOTLINE_POLICIES` and
   `HOTLINE_CALENDARS` (lists separated by the OS path separator, `:`),
   `HOTLINE_KEY` (the key itself) or `HOTLINE_KEY_FILE`, `HOTLINE_TAXONOMY`,
3. the config file: `--config FILE`, else `HOTLINE_CONFIG`, else
   `./hotline.toml` when present, with keys `store`, `policies`,
   `calendars`, `key_file`, `taxonomy` (relative paths are relative to the
   file),
4. defaults: `sqlite:///hotline.db`, no policy file (`default/1`), the
   maintained calendar package, no key (personal data stored in clear), the
   package's taxonomy.

`describe()` tells where each value came from, with secrets masked.
Every `hotline` command opens what it needs with `open_hotline`,
`open_read_side` or `open_audit` here; an embedding program does the same
(docs/embedding.md). `Hotline.open` and `ReadSide(...)` are the layers'
own constructors these call, taking explicit values only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.personal_data import MasterKeyError, install_vault, master_id, parse_master_key
from persistence import streams_for
from workflow import Hotline, WorkflowError
from workflow.calendar import default_calendar
from workflow.calendar_file import calendar_with_files
from workflow.datafile import DataFileError, read_data
from workflow.store_url import DEFAULT_STORE, describe

CONFIG_KEYS = ("store", "policies", "calendars", "key_file", "taxonomy")
TAXONOMY_ENV = "HOTLINE_TAXONOMY"
DEFAULT_CONFIG = Path("hotline.toml")


class ConfigError(WorkflowError):
    pass


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str  # "option --store", "env HOTLINE_STORE", "config /etc/hotline.toml", "default"


@dataclass(frozen=True)
class Config:
    store: Setting
    policies: Setting  # tuple[Path, ...]
    calendars: Setting  # tuple[Path, ...]
    key: Setting  # the key's text, or None
    taxonomy: Setting = Setting(None, "default")  # Path of a taxonomy file, or None
    config_file: Path | None = None
    notes: list[str] = field(default_factory=list)

    def master_key(self) -> bytes | None:
        if self.key.value is None:
            return None
        try:
            return parse_master_key(self.key.value)
        except MasterKeyError as e:
            raise ConfigError(f"key from {self.key.source}: {e}") from None

    def describe(self) -> list[tuple[str, str, str]]:
        """(setting, value with secrets masked, where it came from)."""
        master = self.master_key()
        key = f"****** (id {master_id(master)})" if master else "(none: personal data in clear)"
        return [
            ("config file", str(self.config_file) if self.config_file else "(none)", ""),
            ("store", describe(self.store.value), self.store.source),
            ("policies", _paths(self.policies.value) or "(none: default/1)", self.policies.source),
            ("calendars", _paths(self.calendars.value) or "(none: package only)",
             self.calendars.source),
            ("key", key, self.key.source),
            ("taxonomy", f"{self.taxonomy.value} ({self.taxonomy_id()})" if self.taxonomy.value
             else f"(package: {self.taxonomy_id()})", self.taxonomy.source),
        ]

    def taxonomy_id(self) -> str:
        return taxonomy_of(self).id

    def policy_book(self) -> Any:
        from workflow.policy_file import load_policy_book

        return load_policy_book(self.policies.value)

    def calendar(self) -> Any:
        if self.calendars.value:
            return calendar_with_files(self.calendars.value)
        return default_calendar()


def _paths(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def load_config(
    *,
    store: str | None = None,
    policies: Sequence[str | Path] = (),
    calendars: Sequence[str | Path] = (),
    key_file: str | Path | None = None,
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """The effective configuration (arguments are the command-line options)."""
    env = os.environ if environ is None else environ
    here = cwd or Path.cwd()
    path, file = _config_file(config_file, env, here)
    where = f"config {path}"

    def listed(option: Sequence[str | Path], var: str, key: str) -> Setting:
        if option:
            flag = {"policies": "--policy", "calendars": "--calendar"}[key]
            return Setting(tuple(Path(p) for p in option), f"option {flag}")
        if env.get(var):
            return Setting(tuple(Path(p) for p in env[var].split(os.pathsep) if p), f"env {var}")
        if key in file:
            return Setting(tuple(_relative(path, p) for p in file[key]), where)
        return Setting((), "default")

    if store:
        store_setting = Setting(store, "option --store")
    elif env.get("HOTLINE_STORE"):
        store_setting = Setting(env["HOTLINE_STORE"], "env HOTLINE_STORE")
    elif "store" in file:
        store_setting = Setting(file["store"], where)
    else:
        store_setting = Setting(DEFAULT_STORE, "default")
    return Config(
        store=store_setting,
        policies=listed(policies, "HOTLINE_POLICIES", "policies"),
        calendars=listed(calendars, "HOTLINE_CALENDARS", "calendars"),
        key=_key(key_file, env, file, path),
        taxonomy=_taxonomy(env, file, path),
        config_file=path,
    )


def _taxonomy(env: Mapping[str, str], file: dict[str, Any], path: Path | None) -> Setting:
    if env.get(TAXONOMY_ENV):
        return Setting(Path(env[TAXONOMY_ENV]), f"env {TAXONOMY_ENV}")
    if "taxonomy" in file:
        return Setting(_relative(path, file["taxonomy"]), f"config {path}")
    return Setting(None, "default")


def _config_file(
    option: str | Path | None, env: Mapping[str, str], here: Path
) -> tuple[Path | None, dict[str, Any]]:
    if option is not None:
        path: Path | None = Path(option)
    elif env.get("HOTLINE_CONFIG"):
        path = Path(env["HOTLINE_CONFIG"])
    else:
        path = here / DEFAULT_CONFIG if (here / DEFAULT_CONFIG).exists() else None
    if path is None:
        return None, {}
    data, lines = read_data("config", path)
    problems = [lines.problem((k,), f"unknown key (known: {', '.join(CONFIG_KEYS)})")
                for k in data if k not in CONFIG_KEYS]
    for key in ("policies", "calendars"):
        if key in data and not (
            isinstance(data[key], list) and all(isinstance(p, str) for p in data[key])
        ):
            problems.append(lines.problem((key,), "must be a list of file paths"))
    for key in ("store", "key_file", "taxonomy"):
        if key in data and not isinstance(data[key], str):
            problems.append(lines.problem((key,), "must be a string"))
    if problems:
        raise DataFileError("config", path, problems)
    return path, data


def _relative(config: Path | None, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() or config is None else config.parent / p


def _key(
    option: str | Path | None, env: Mapping[str, str], file: dict[str, Any], path: Path | None
) -> Setting:
    if option is not None:
        return Setting(_read_key(Path(option)), f"option --key-file {option}")
    if env.get("HOTLINE_KEY"):
        return Setting(env["HOTLINE_KEY"], "env HOTLINE_KEY")
    if env.get("HOTLINE_KEY_FILE"):
        return Setting(_read_key(Path(env["HOTLINE_KEY_FILE"])), "env HOTLINE_KEY_FILE")
    if "key_file" in file:
        key_path = _relative(path, file["key_file"])
        return Setting(_read_key(key_path), f"config {path} key_file {key_path}")
    return Setting(None, "default")


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"key file {path}: cannot read: {e}") from None


def open_hotline(config: Config | None = None, *, create: bool = True,
                 decides: bool = True, **options: Any) -> Hotline:
    """The engine on the configured store, with the configured policies,
    calendar and personal-data key, and the store's bulk read/write
    (`options` as for `load_config`); `create=False` for a command that only
    reads: a missing store is an error, never created; `decides=False` (the
    read side) loads the policy files only if a command is ever decided."""
    config = config or load_config(**options)
    # An engine that decides loads the policy files now (a bad file fails
    # before anything is read or recorded); the read side's engine loads them
    # only if it is ever asked to decide, and starts without pydantic.
    book = config.policy_book() if decides else config.policy_book
    calendar, master = config.calendar(), config.master_key()
    hotline = Hotline.open(config.store.value, create=create, policies=book, calendar=calendar)
    hotline.streams = streams_for(hotline.recorder)
    try:
        install_vault(hotline, master)
    except BaseException:
        hotline.close()
        raise
    return hotline


open_configured = open_hotline  # the name before the composition root had three entries


def taxonomy_of(config: Config) -> Any:
    from projections import taxonomy

    return taxonomy.load(config.taxonomy.value)


def open_read_side(
    config: Config | None = None, hotline: Hotline | None = None,
    owns_hotline: bool | None = None, **runner_options: Any,
) -> Any:
    """The read side over `hotline` (else the configured engine), with the
    configured taxonomy; its `close()` releases the engine when it opened it
    (or when `owns_hotline`)."""
    from projections import ReadSide
    from projections.registry import default_projections

    config = config or load_config()
    owned = hotline is None if owns_hotline is None else owns_hotline
    hotline = hotline or open_hotline(config, decides=False)
    try:
        return ReadSide(hotline, default_projections(taxonomy_of(config)),
                        owns_hotline=owned, **runner_options)
    except BaseException:
        if owned:
            hotline.close()
        raise


def open_audit(config: Config | None = None) -> Any:
    """The configured store opened read-only, for the audit."""
    from persistence.readonly import open_read_only

    config = config or load_config()
    return open_read_only(config.store.value)
