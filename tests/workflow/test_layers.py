"""The layering of docs/architecture.md, checked on the source: the domain
imports neither the read side nor the adapters, and the read side does not
import the adapters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
FORBIDDEN = {
    "workflow": {"projections", "adapters", "persistence"},  # storage reached through ports
    "persistence": {"projections", "adapters"},
    "projections": {"adapters"},
}


def imported_packages(path: Path) -> set[tuple[int, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, a.name.split(".")[0]) for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.lineno, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package: str) -> None:
    files = sorted((SRC / package).rglob("*.py"))
    assert files, f"src/{package} has no modules"
    offending = [
        f"{path.relative_to(SRC)}:{line} imports {name}"
        for path in files
        for line, name in sorted(imported_packages(path))
        if name in FORBIDDEN[package]
    ]
    assert offending == []


def test_the_check_sees_an_offending_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom adapters.cli import main\n", encoding="utf-8")
    assert (2, "adapters") in imported_packages(module)
