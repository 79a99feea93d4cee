"""Small deployment data files (policies, calendars): reading and locating keys.

`tomllib` and `json` say where a *syntax* error is but not where a key is,
and a validation error must name both the key and its line. So the text is
scanned once more for the line of every key path: TOML by its table headers
and `key =` lines, JSON with a tiny position-tracking walk.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.errors import WorkflowError

KeyPath = tuple[str | int, ...]


def dotted(path: KeyPath) -> str:
    """('holidays', 2, 'end') -> 'holidays[2].end'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}key '{self.key}': {self.message}"


class DataFileError(WorkflowError):
    """A data file that cannot be loaded; nothing of it was used."""

    def __init__(self, kind: str, path: Path | str, problems: list[Problem] | str) -> None:
        self.kind, self.path = kind, str(path)
        self.problems = problems if isinstance(problems, list) else []
        if isinstance(problems, str):
            detail = problems
        elif len(problems) == 1:
            detail = str(problems[0])
        else:
            detail = f"{len(problems)} problems:\n  " + "\n  ".join(str(p) for p in problems)
        super().__init__(f"{kind} file {path}: {detail}")


def read_data(kind: str, path: Path) -> tuple[dict[str, Any], KeyLines]:
    """The file's top-level table (TOML, or JSON by the .json suffix) and the
    line of each of its keys. Syntax errors name their line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(kind, path, f"cannot read: {e}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise DataFileError(kind, path, f"line {e.lineno}: invalid JSON: {e.msg}") from None
        lines = _json_lines(text)
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise DataFileError(kind, path, f"invalid TOML: {e}") from None
        lines = _toml_lines(text)
    if not isinstance(data, dict):
        raise DataFileError(kind, path, "expected a table (object) at the top level")
    return data, KeyLines(lines)


class KeyLines:
    """The line of each key path; a missing key is reported at its parent."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self._lines = lines

    def line(self, path: KeyPath) -> int | None:
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(dotted(path), self.line(path), message)


# -- TOML: headers and `key =` lines ------------------------------------------------

class Checker:
    """Collects every problem of a data file (not just the first), each
    naming its key and line; subclasses check one kind of file."""

    def __init__(self, lines: KeyLines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def bad(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.lines.problem(path, message))

    def unknown(self, path: KeyPath, table: dict[str, Any], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.bad((*path, key), f"unknown key (known: {', '.join(known)})")


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_DOT_OUTSIDE_QUOTES = re.compile(r"""\.(?=(?:[^"']|"[^"]*"|'[^']*')*$)""")


def _parts(dotted_key: str) -> list[str]:
    return [p.strip().strip("\"'") for p in _DOT_OUTSIDE_QUOTES.split(dotted_key)]


def _toml_lines(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        if in_multiline:
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            path: KeyPath = tuple(_parts(header.group(2)))
            if header.group(1) == "[[":
                index = arrays.get(path, -1) + 1
                arrays[path] = index
                path = (*path, index)
            table = path
            lines.setdefault(table, number)
            for i in range(1, len(table)):
                lines.setdefault(table[:i], number)
            continue
        key = _KEY.match(line)
        if key:
            full = (*table, *_parts(key.group(1)))
            for i in range(len(table) + 1, len(full) + 1):
                lines.setdefault(full[:i], number)
    return lines


# -- JSON: a walk that remembers where each value starts -------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _json_lines(text: str) -> dict[KeyPath, int]:
    lines: dict[KeyPath, int] = {}

    def line_at(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def skip(pos: int) -> int:
        match = _WS.match(text, pos)
        return match.end() if match else pos

    def value(pos: int, path: KeyPath) -> int:
        pos = skip(pos)
        if text.startswith("{", pos):
            pos = skip(pos + 1)
            if text.startswith("}", pos):
                return pos + 1
            while True:
                key, end = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                lines.setdefault((*path, key), line_at(pos))
                pos = value(skip(end) + 1, (*path, key))
                pos = skip(pos)
                if text.startswith("}", pos):
                    return pos + 1
                pos = skip(pos + 1)  # the comma
        if text.startswith("[", pos):
            pos = skip(pos + 1)
            index = 0
            if text.startswith("]", pos):
                return pos + 1
            while True:
                lines.setdefault((*path, index), line_at(pos))
                pos = skip(value(pos, (*path, index)))
                index += 1
                if text.startswith("]", pos):
                    return pos + 1
                pos = skip(pos + 1)
        _, end = _DECODER.raw_decode(text, pos)
        return int(end)

    value(0, ())
    return lines
