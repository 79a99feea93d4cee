"""The worked examples of docs/deadlines.md, read from the page and run.

Each example table is found by its header; a missing table or an empty one
fails, so the page cannot silently lose its examples.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from workflow import Hotline
from workflow.calendar import Calendar
from workflow.policy import DEFAULT_POLICY

DOC = Path(__file__).resolve().parents[2] / "docs" / "deadlines.md"
Row = dict[str, str]


def tables(text: str) -> dict[tuple[str, ...], list[Row]]:
    """Every markdown table of `text`, keyed by its header cells."""
    found: dict[tuple[str, ...], list[Row]] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        if not (line.startswith("|") and lines[i + 1].startswith("|---")):
            continue
        header = tuple(cell.strip() for cell in line.strip("|").split("|"))
        rows = []
        for body in lines[i + 2:]:
            if not body.startswith("|"):
                break
            rows.append(dict(zip(header, (c.strip() for c in body.strip("|").split("|")),
                                 strict=True)))
        found[header] = rows
    return found


TABLES = tables(DOC.read_text(encoding="utf-8"))


def table(*header: str) -> list[Row]:
    rows = TABLES.get(header)
    assert rows, f"docs/deadlines.md has no table with the header {header}"
    return rows


def day(text: str) -> date | None:
    return None if text == "—" else date.fromisoformat(text)


@pytest.mark.parametrize("row", table("start", "n", "result", "provisional", "how"),
                         ids=lambda r: f"{r['start']}+{r['n']}")
def test_add_workdays_examples(row: Row) -> None:
    result = Calendar().add_workdays(date.fromisoformat(row["start"]), int(row["n"]))
    assert (result.day.isoformat(), result.provisional) == (
        row["result"], row["provisional"] == "yes")


def test_the_headline_example_is_on_the_page() -> None:
    rows = table("start", "n", "result", "provisional", "how")
    assert {"start": "2016-09-30", "n": "5", "result": "2016-10-12"}.items() <= rows[0].items()


@pytest.mark.parametrize(
    "row", table("received at", "category", "urgency", "reply_due", "close_due"),
    ids=lambda r: f"{r['received at']}-{r['category']}-{r['urgency']}")
def test_receive_examples(memory_hotline: Hotline, row: Row) -> None:
    memory_hotline.receive("DOC-1", at=row["received at"], channel="mayor_hotline",
                           category=row["category"], urgency=row["urgency"], content="例")
    view = memory_hotline.case("DOC-1")
    assert (view.reply_due, view.close_due) == (day(row["reply_due"]), day(row["close_due"]))


def test_the_step_by_step_case(hotline: Hotline) -> None:
    rows = table("at", "action", "fields", "reply_due", "close_due", "return_due")
    for row in rows:
        fields = json.loads(row["fields"].strip("`"))
        hotline.execute({"case": "DOC-2", "action": row["action"], "at": row["at"], **fields})
        view = hotline.case("DOC-2")
        assert (view.reply_due, view.close_due, view.return_due) == (
            day(row["reply_due"]), day(row["close_due"]), day(row["return_due"])), row["action"]
    assert [h.event for h in hotline.case("DOC-2").history][-1] == "Reopened"


def test_the_re_routing_case(hotline: Hotline) -> None:
    rows = table("at", "action", "fields", "reply_due", "close_due", "return_due", "contact_due")
    for row in rows:
        fields = json.loads(row["fields"].strip("`"))
        hotline.execute({"case": "DOC-4", "action": row["action"], "at": row["at"], **fields})
        view = hotline.case("DOC-4")
        assert (view.reply_due, view.close_due, view.return_due, view.contact_due) == (
            day(row["reply_due"]), day(row["close_due"]), day(row["return_due"]),
            day(row["contact_due"])), row["action"]
    assert [h.event for h in hotline.case("DOC-4").history][2] == "Reassigned"


@pytest.mark.parametrize("row", table("today", "workdays_left", "light"),
                         ids=lambda r: r["today"])
def test_light_examples(memory_hotline: Hotline, row: Row) -> None:
    memory_hotline.receive("DOC-3", at="2016-08-01T09:12:00", channel="county_hotline",
                           category="complaint", content="例")
    view = memory_hotline.case("DOC-3", today=date.fromisoformat(row["today"]))
    reply = next(d for d in view.deadlines if d.clock == "reply_due")
    assert reply.due == date(2016, 8, 22)
    assert (reply.workdays_left, reply.light) == (int(row["workdays_left"]), row["light"])


def test_the_policy_table_is_the_default_policy() -> None:
    [reply, urgent, callback, ret, per_extension, extensions, contact] = table("setting", "days")
    counts = [int(n) for n in reply["days"].split(" / ")]
    order = reply["setting"].removeprefix("reply_days: ").split(" / ")
    p = DEFAULT_POLICY
    assert dict(zip(order, counts, strict=True)) == p.reply_days
    assert int(urgent["days"]) == p.urgent_reply_days
    assert (int(callback["days"]), int(ret["days"])) == (p.callback_days, p.return_days)
    assert per_extension["days"] == f"1..{p.extension_days_max}"
    assert extensions["days"] == f"at most {p.max_extensions}"
    assert int(contact["days"]) == p.contact_days
