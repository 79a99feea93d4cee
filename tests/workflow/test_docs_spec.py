"""docs/spec.md carries everything the code accepts: every action, every
field of every command, every channel, category, urgency and callback result,
read from the code itself (so a value added to the code without its spec text
fails here), and the section numbers that "spec §N" points at."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from workflow import commands, lifecycle

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "spec.md"


def text() -> str:
    return SPEC.read_text("utf-8")


def section(number: str) -> str:
    """The text of `## N.` (or `### N.`) up to the next section of that level."""
    page = text()
    match = re.search(rf"^(#+) {re.escape(number)}\.? .*$", page, flags=re.M)
    assert match, f"docs/spec.md has no section {number}"
    level = match.group(1)
    rest = page[match.end():]
    end = re.search(rf"^{level} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def code_span(name: str, where: str) -> bool:
    return f"`{name}`" in where or re.search(rf"`{re.escape(name)}[ `:]", where) is not None


def literal_values(annotation: object) -> set[str]:
    found: set[str] = set()
    if typing.get_origin(annotation) is typing.Literal:
        found |= {str(a) for a in typing.get_args(annotation)}
    for arg in typing.get_args(annotation):
        found |= literal_values(arg)
    return found


def fields_of(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_the_sections_that_code_and_docs_cite_exist() -> None:
    for number in ("1", "2", "3", "4", "5", "5.2", "6"):
        assert section(number).strip(), number
    cited: set[str] = set()
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "src").rglob("*.py")]:
        cited |= set(re.findall(r"spec §(\d+(?:\.\d+)?)", path.read_text("utf-8")))
    for number in sorted(cited):
        assert section(number), f"spec §{number} is cited but docs/spec.md has no such section"


def test_every_action_the_code_accepts_is_in_the_lifecycle_table() -> None:
    table = section("2")
    actions = set(commands.COMMANDS) | {row.action for row in lifecycle.TABLE}
    missing = {a for a in actions if f"| `{a}`" not in table}
    assert missing == set(), f"actions missing from docs/spec.md §2: {sorted(missing)}"
    import_format = section("4")
    assert all(a in import_format or a in table for a in actions)


def test_every_state_of_the_table_is_named() -> None:
    lifecycle_text = section("2")
    states = {s for row in lifecycle.TABLE for s in row.sources if s != lifecycle.NEW}
    states |= {row.dest for row in lifecycle.TABLE if row.dest}
    assert {s for s in states if f"`{s}`" not in lifecycle_text} == set()


@pytest.mark.parametrize("action", sorted(commands.COMMANDS))
def test_every_field_of_every_command_is_in_the_import_format(action: str) -> None:
    import_format = section("4")
    model = commands.COMMANDS[action]
    missing = {f for f in fields_of(model) if not code_span(f, import_format)}
    assert missing == set(), f"{action}: fields missing from docs/spec.md §4: {sorted(missing)}"
    # each field is listed on a row that names the action (or "every action")
    rows = [line for line in import_format.splitlines() if line.startswith("| `")]
    for field in fields_of(model) - {"action"}:
        on = [r.split("|")[2] for r in rows if code_span(field, r.split("|")[1])]
        assert any(action in o or "every action" in o for o in on), (action, field)


def test_the_citizen_object_is_described() -> None:
    import_format = section("4")
    for field in fields_of(commands.Citizen):
        assert code_span(field, import_format), field


def test_every_value_the_code_accepts_is_in_the_vocabulary() -> None:
    vocabulary = section("1")
    values: set[str] = set()
    for model in commands.COMMANDS.values():
        for info in model.model_fields.values():
            if info.annotation is not None:
                values |= literal_values(info.annotation)
    values -= set(commands.COMMANDS)  # the `action` tags: checked against §2
    assert set(commands.CHANNELS) | set(commands.CATEGORIES) | set(commands.CALLBACK_RESULTS) \
        <= values
    missing = {v for v in values if f"`{v}`" not in vocabulary}
    assert missing == set(), f"values missing from docs/spec.md §1: {sorted(missing)}"


def test_no_file_in_the_repository_points_outside_it_for_the_spec() -> None:
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "src").rglob("*.py")]:
        assert "HOTLINE-SPEC.md" not in path.read_text("utf-8"), path
