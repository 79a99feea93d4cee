"""The example of docs/embedding.md runs as written, against sqlite:///:memory:."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"


def python_blocks() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_the_page_has_one_python_example_on_an_in_memory_store() -> None:
    [example] = python_blocks()
    assert 'Hotline.open("sqlite:///:memory:")' in example
    assert example.count("assert ") >= 10  # the example checks itself


def test_the_example_runs() -> None:
    [example] = python_blocks()
    namespace: dict[str, Any] = {"__name__": "embedding_example"}
    exec(compile(example, str(DOC), "exec"), namespace)  # our own docs
    assert namespace["view"].state == "assigned"


def test_the_example_fails_when_it_is_wrong() -> None:
    [example] = python_blocks()
    broken = example.replace("date(2016, 8, 22)", "date(2016, 8, 23)")
    assert broken != example
    try:
        exec(compile(broken, str(DOC), "exec"), {"__name__": "embedding_example"})
    except AssertionError:
        return
    raise AssertionError("a wrong date in the example went unnoticed")
