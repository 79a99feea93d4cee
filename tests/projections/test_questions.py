"""The registry of questions (projections.questions): one registration
reaches `ReadSide.ask`, `hotline query NAME` and its help; every built-in
question answers the same through the CLI as through the API (both stores);
bad names and values are errors naming them; docs/projections.md lists
every registered question."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli.main import cli
from projections import ReadSide
from projections.questions import QUESTIONS, BadQuestion, Param, Question, Views, register
from projections.report import cohort
from tests.adapters.cli_reference import commands, reference
from tests.projections.helpers import apply
from tests.projections.test_queries import HISTORY
from workflow import Hotline
from workflow.period import Period

BUILT_IN = ["at_risk", "compliance_by", "exemplary", "hot_topics", "ping_pong", "recorded"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "projections.md"


def received_in(views: Views, period: Period, as_of: date, channel: str) -> dict[str, Any]:
    rows = cohort(views.tx, views.cases, period, as_of, "channel")
    return {"channel": channel, "cases": sum(1 for (c,) in rows if c == channel)}


@pytest.fixture
def counting() -> Iterator[Question]:
    """A question registered by this test alone, no other file touched."""
    q = register(Question(
        "received_in", received_in, "How many cases of the cohort came in by a channel.",
        (Param("period", Period, "The cohort."),
         Param("as_of", date, "By the end of this date.", default=None),
         Param("channel", str, "The channel counted.", default="mayor_hotline"))))
    try:
        yield q
    finally:
        del QUESTIONS[q.name]


def test_the_built_in_questions_are_registered() -> None:
    assert sorted(QUESTIONS) == BUILT_IN


def test_a_registered_question_reaches_the_read_side_the_cli_and_its_help(
    hotline: Hotline, store_url: str, counting: Question,
) -> None:
    apply(hotline, HISTORY)
    with ReadSide(hotline) as read:
        assert read.ask("received_in", period="2016Q3", as_of=date(2016, 12, 31)) == {
            "channel": "mayor_hotline", "cases": 2}
    runner = CliRunner()
    out = runner.invoke(cli, ["query", "received-in", "--period", "2016Q3", "--as-of",
                              "2016-12-31", "--channel", "county_hotline", "--store", store_url])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"channel": "county_hotline", "cases": 1}
    listing = runner.invoke(cli, ["query", "--help"]).stdout
    assert "received-in" in listing and "came in by a channel" in listing
    helped = runner.invoke(cli, ["query", "received-in", "--help"]).stdout
    assert "--channel TEXT" in helped and "The channel counted." in helped
    assert "hotline query received-in" in dict(commands())
    assert "### `hotline query received-in`" in reference()  # docs/cli.md would list it


def arguments(name: str) -> dict[str, Any]:
    """Values for every parameter of a built-in question (ones that find cases)."""
    if name == "at_risk":
        return {"as_of": "2016-08-12", "within": 3}
    given: dict[str, Any] = {"period": "2016Q3", "as_of": "2016-12-31"}
    given.update({"compliance_by": {"by": "channel"}, "hot_topics": {"top": 2},
                  "exemplary": {"limit": 3, "pinned": ["O1", "O3"]}}.get(name, {}))
    return given


def command_line(name: str, given: dict[str, Any]) -> list[str]:
    out = ["query", name.replace("_", "-")]
    for key, value in given.items():
        for v in value if isinstance(value, list) else [value]:
            out += [f"--{key.replace('_', '-')}", str(v)]
    return out


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_built_in_question_answers_the_same_through_the_cli_and_the_api(
    hotline: Hotline, store_url: str, name: str,
) -> None:
    apply(hotline, HISTORY)
    given = arguments(name)
    out = CliRunner().invoke(cli, [*command_line(name, given), "--store", store_url])
    assert out.exit_code == 0, out.output
    api = {**given, "as_of": date.fromisoformat(given["as_of"])}
    with ReadSide(hotline) as read:
        answer = read.ask(name, **api)
        assert answer, "the history gives every question something to answer"
        assert json.loads(out.stdout) == QUESTIONS[name].to_json(answer)
        wrapper = getattr(read, name)  # the typed method answers the same
        assert wrapper(**api) == answer


def test_the_at_risk_question_prints_what_the_at_risk_command_prints(
    hotline: Hotline, store_url: str,
) -> None:
    apply(hotline, HISTORY)
    runner = CliRunner()
    lines = runner.invoke(cli, ["query", "at-risk", "--as-of", "2016-08-12", "--format",
                                "jsonl", "--store", store_url]).stdout
    command = runner.invoke(cli, ["at-risk", "--as-of", "2016-08-12", "--json",
                                  "--store", store_url]).stdout
    assert lines == command and len(lines.splitlines()) == 2


@pytest.mark.parametrize(("args", "said"), [
    (["compliance-by", "--period", "2016Q3", "--by", "town"], "'town' is not one of"),
    (["ping-pong", "--period", "2016-13"], "month 13 does not exist"),
    (["recorded", "--period", "2016Q3", "--as-of", "31/12/2016"],
     "--as-of '31/12/2016': expected YYYY-MM-DD"),
    (["at-risk", "--as-of", "1000-01-01"], "1000-01-01 is outside the supported range"),
    (["exemplary", "--period", "2016Q3", "--limit", "-1"], "-1 is not in the range x>=0"),
    (["hot-topics"], "Missing option '--period'"),
    (["nope"], "No such command 'nope'"),
])
def test_bad_values_exit_2_naming_the_value(tmp_path: Path, args: list[str], said: str) -> None:
    store = tmp_path / "none.db"
    out = CliRunner().invoke(cli, ["query", *args, "--store", f"sqlite:///{store}"])
    assert out.exit_code == 2 and said in out.output, out.output
    assert not store.exists()


def test_a_reader_never_creates_a_store(tmp_path: Path) -> None:
    store = tmp_path / "none.db"
    out = CliRunner().invoke(cli, ["query", "recorded", "--period", "2016Q3",
                                   "--store", f"sqlite:///{store}"])
    assert out.exit_code == 1 and "no SQLite store" in out.output, out.output
    assert not store.exists()


def test_ask_names_what_is_wrong(memory_hotline: Hotline) -> None:
    with ReadSide(memory_hotline) as read:
        with pytest.raises(BadQuestion, match=r"no question named 'nope' \(known: at_risk, "):
            read.ask("nope")
        with pytest.raises(BadQuestion, match="'ping_pong' needs the parameter 'period'"):
            read.ask("ping_pong")
        with pytest.raises(BadQuestion, match=r"takes no parameter 'top' \(it takes: period, "):
            read.ask("recorded", period="2016Q3", top=3)
        with pytest.raises(BadQuestion, match="by 'town' is not one of lead, channel, category"):
            read.ask("compliance_by", period="2016Q3", by="town")
        with pytest.raises(BadQuestion, match="within '2' is not a int"):
            read.ask("at_risk", within="2")
        with pytest.raises(BadQuestion, match="limit -1 is less than 0"):
            read.ask("exemplary", period="2016Q3", limit=-1)
        with pytest.raises(BadQuestion, match="pinned 'O3' is not a list of str"):
            read.ask("exemplary", period="2016Q3", pinned="O3")
        with pytest.raises(Exception, match="month 13 does not exist"):
            read.ask("recorded", period="2016-13")
        assert read.ask("recorded", period="2016Q3") == []  # as_of: today


def test_a_registration_must_match_its_function() -> None:
    with pytest.raises(ValueError, match=r"parameters \['period'\] do not match"):
        Question("bad", received_in, "Bad.", (Param("period", Period, "The cohort."),))
    with pytest.raises(ValueError, match="'channel' is a float, not one of Period"):
        Question("bad", received_in, "Bad.", (
            Param("period", Period, "p"), Param("as_of", date, "a", default=None),
            Param("channel", float, "c")))
    with pytest.raises(ValueError, match="'at_risk' is already registered"):
        register(QUESTIONS["at_risk"])


def test_docs_list_every_registered_question_and_its_parameters() -> None:
    text = DOCS.read_text("utf-8")
    section = text.split("## Questions")[1].split("\n## ")[0]
    rows = {m[0]: m[1] for m in re.findall(r"^\| `(\w+)` \| (.*) \|$", section, flags=re.M)}
    assert set(rows) == set(QUESTIONS), "docs/projections.md ## Questions"
    for name, q in QUESTIONS.items():
        assert f"`hotline query {q.command_name}`" in rows[name], name
        for p in q.params:
            assert f"`{p.name}`" in rows[name], (name, p.name)
