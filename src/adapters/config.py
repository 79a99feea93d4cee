"""One place for a deployment's configuration, and opening the engine with it.

Settings: the store URL, policy files, calendar files and the master key of
personal data. Each comes from, in order of precedence:

1. command-line options (`--store`, `--policy`, `--calendar`, `--key-file`),
2. environment variables: `HOTLINE_STORE`, `HOTLINE_POLICIES` and
   `HOTLINE_CALENDARS` (lists separated by the OS path separator, `:`),
   `HOTLINE_KEY` (the key itself) or `HOTLINE_KEY_FILE`,
3. the config file: `--config FILE`, else `HOTLINE_CONFIG`, else
   `./hotline.toml` when present, with keys `store`, `policies`,
   `calendars`, `key_file` (relative paths are relative to the file),
4. defaults: `sqlite:///hotline.db`, no policy file (`default/1`), the
   maintained calendar package, no key (personal data stored in clear).

`describe()` tells where each value came from, with secrets masked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.personal_data import MasterKeyError, install_vault, master_id, parse_master_key
from workflow import Hotline, WorkflowError
from workflow.calendar import default_calendar
from workflow.calendar_file import calendar_with_files
from workflow.datafile import DataFileError, read_data
from workflow.policy_file import load_policy_book
from workflow.store_url import DEFAULT_STORE, describe

CONFIG_KEYS = ("store", "policies", "calendars", "key_file")
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
        ]


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
        config_file=path,
    )


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
    for key in ("store", "key_file"):
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


def open_configured(config: Config | None = None, *, create: bool = True,
                    **options: Any) -> Hotline:
    """The engine on the configured store, with the configured policies,
    calendar and personal-data key (`options` as for `load_config`);
    `create=False` for a command that only reads: a missing store is an
    error, never created."""
    config = config or load_config(**options)
    book = load_policy_book(config.policies.value)
    calendar = (
        calendar_with_files(config.calendars.value) if config.calendars.value
        else default_calendar()
    )
    master = config.master_key()
    hotline = Hotline.open(config.store.value, create=create, policies=book, calendar=calendar)
    try:
        install_vault(hotline, master)
    except BaseException:
        hotline.close()
        raise
    return hotline
