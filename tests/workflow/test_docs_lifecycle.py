"""docs/lifecycle.md shows the engine's own table: the Mermaid diagram and
the rules table are the verbatim output of `workflow.lifecycle`."""

from __future__ import annotations

import re
from pathlib import Path

from workflow.lifecycle import TABLE, mermaid, rules_markdown
from workflow.policy import DEFAULT_POLICY

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", text, flags=re.S | re.M)


def test_the_diagram_is_generated_from_the_table() -> None:
    blocks = mermaid_blocks(DOC.read_text(encoding="utf-8"))
    assert blocks == [mermaid()], (
        "docs/lifecycle.md is out of date: regenerate the diagram (see the end of the page)")


def test_the_rules_table_is_generated_from_the_table() -> None:
    assert rules_markdown(DEFAULT_POLICY) in DOC.read_text(encoding="utf-8"), (
        "docs/lifecycle.md is out of date: regenerate the rules table (see the end of the page)")


def test_the_diagram_has_one_arrow_per_row_and_source() -> None:
    # GraphMachine draws one arrow per pair of states, the labels of the
    # actions between them joined by " | ": one label per row and source
    arrows = [ln.strip() for ln in mermaid().splitlines() if "-->" in ln and "[*]" not in ln]
    labels = [(a.split(" --> ")[0], label) for a in arrows
              for label in a.split(": ", 1)[1].split(" | ")]
    assert len(labels) == sum(len(row.sources) for row in TABLE)
    assert sorted(labels) == sorted(
        (s, f"{row.action} {row.zh}") for row in TABLE for s in row.sources)


def test_the_check_notices_a_stale_diagram() -> None:
    text = DOC.read_text(encoding="utf-8")
    stale = text.replace("callback --> assigned: reopen 重办", "callback --> received: reopen 重办")
    assert stale != text and mermaid_blocks(stale) != [mermaid()]
