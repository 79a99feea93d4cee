"""The read model: one row per case (`cases_gN`).

Each row holds the case's intake columns, the few facts readers select
or filter on in SQL (the local receive date of the cohort, the closure
date the at-risk list filters on, the date of the latest step, the
topic), the case's head in the log (version and chain hash, for the log
digest) and its **steps** once (`steps.py`), from which any as-of date is
evaluated (`asof.evaluate`). Every report, query and the bulletin read
this one table; no other table repeats the steps. A fact column is read
off the steps. Each case's *settled* figures (`settled.py`: its judgement
and linkage counts from the day the as-of date can no longer change them,
and one `case_units` row per unit it involved) are computed when the case
is folded, once per case in a rebuild (which folds in case order), so a
report counts them in SQL.

A page of stored rows is folded with one SELECT of the cases it touches
that already have a row, the fold in memory, one DELETE and one INSERT
batch: no statement per event. Rows are decoded straight from their state
JSON (`rows.decode`), never into domain event objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from projections.rows import (
    RECEIVED,
    SKIPPED,
    STEP_OF_TOPIC,
    VERSION_OF_TOPIC,
    CaseRows,
    RawRow,
    UnreadableRow,
    chain_of,
    decode,
    local_at,
    upcast,
)
from projections.settled import COLUMNS as SETTLED
from projections.settled import UNIT_COLUMNS, UNITS, settle
from projections.steps import Step, load_steps
from projections.store import BINARY, Tx, table_name
from projections.taxonomy import Taxonomy, load
from workflow.audit.digest import digest_of_sorted

IN_CHUNK = 400  # keys per `IN (...)`: far below SQLite's and PostgreSQL's limits
TABLE = "cases"
INTAKE = ("ref", "channel", "category", "urgency", "township", "topic", "content",
          "received_at")
# (column, SQL type) of the facts readers query in SQL, read off the steps.
# Columns no reader selected (state, leads, units, due dates, ...: the
# case as it stands now, which no as-of figure can use) were dropped: each
# cost a fold of the case and JSON encodings per row of a rebuild.
FACTS: tuple[tuple[str, str], ...] = (
    ("received_date", "TEXT"), ("hot_topic", "TEXT"), ("topic_source", "TEXT"),
    ("closed_date", "TEXT"), ("last_date", "TEXT"),
)
_STATED = tuple(f for f in INTAKE if f != "received_at")  # as stored in a Received
HEAD = (("version", "INTEGER"), ("chain", "TEXT"))
COLUMNS = ("case_id", *INTAKE, *(c for c, _ in FACTS), *(c for c, _ in SETTLED),
           *(c for c, _ in HEAD), "steps")
UNIT_NAMES = tuple(c for c, _ in UNIT_COLUMNS)


@dataclass
class Record:
    """One case while a page is folded: its stored columns and steps."""

    case_id: str
    intake: dict[str, Any] = field(default_factory=dict)
    hot_topic: str | None = None
    topic_source: str | None = None
    version: int = 0
    chain: str = ""
    steps: list[Step] = field(default_factory=list)


@dataclass
class Folded:
    """A page folded (`Cases.fold`): the cases it continues (whose stored
    rows it replaces), their new rows and their unit rows."""

    known: list[str]
    cases: list[tuple[Any, ...]]
    units: list[tuple[Any, ...]]


class Cases:
    """The one per-case projection (registered as `cases`)."""

    name = "cases"

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load()

    def tables(self) -> dict[str, str]:
        cols = ["case_id TEXT PRIMARY KEY", *(f"{c} TEXT" for c in INTAKE),
                *(f"{c} {t}" for c, t in FACTS), *(f"{c} {t}" for c, t in SETTLED),
                *(f"{c} {t}" for c, t in HEAD), "steps TEXT NOT NULL"]
        units = [*(f"{c} {t}" for c, t in UNIT_COLUMNS), "PRIMARY KEY (case_id, unit)"]
        return {TABLE: ", ".join(cols), UNITS: ", ".join(units)}

    def indexes(self) -> dict[str, str]:
        """Index name (base) -> `table (columns)`. A report reads the cases
        of its cohort (a range of received dates) settled by its as-of date
        off these indexes alone, never the rows, which are wide with their
        steps: the cases' index holds every column the report counts
        (`report.figures`, `report.topics_section`), the units' one every
        column of a unit row (on SQLite the key columns come with it).
        Measured on a 250,000-case store, a quarter of 30,931 cases: each
        count 0.09-0.19 s over the rows, 0.01-0.08 s off the index.
        `cases_open` finds the cases still open at the end of a date (the
        at-risk list, `queries.OPEN_AS_OF`) without reading every case
        received by then: on the 1,000,000-case PostgreSQL store the list
        took 1.01-1.43 s without it and 0.76-0.93 s with it; on SQLite its
        query went from a scan of the cohort index to two lookups."""
        return {"cases_cohort": f"{TABLE} (received_date, settled_from, hot_topic, township,"
                                " channel, category, judged_1, judged_2, joint, returns,"
                                " reassignments, closed_date)",
                "cases_open": f"{TABLE} (closed_date)",
                "case_units_cohort": f"{UNITS} (received_date, settled_from, unit, lead, co,"
                                     " returns, replies, replies_on_time, case_id)"}

    def statistics(self) -> dict[str, tuple[str, ...]]:
        """The columns a report's WHERE and JOIN compare (`report.py`: the
        cohort's received dates, the as-of date against `settled_from`,
        closures, the units' roles and the pairs' join on the case): the
        planner's row estimates, which choose between the cohort index and
        a scan, come from them. Before the first ANALYZE it guessed 33 of a
        cohort's 20,000 rows. The columns the indexes only carry for a
        report to count are not analysed."""
        return {TABLE: ("received_date", "settled_from", "closed_date"),
                UNITS: ("received_date", "settled_from", "lead", "co", "case_id")}

    def fold(self, tx: Tx, generation: int, cases: Sequence[CaseRows]) -> Folded:
        """The page folded into rows of `generation` (reading only the rows
        of the cases it continues; nothing is written: `write`)."""
        table = table_name(TABLE, generation)
        # A case whose first row here is its Received has no stored row yet:
        # only the others are loaded and deleted (a fresh rebuild loads none).
        known = [k for k, rs in cases if rs[0][2] != 1]
        records = self._load(tx, table, known) if known else {}
        out: list[tuple[Any, ...]] = []
        units: list[tuple[Any, ...]] = []
        for case_id, case_rows in cases:
            record = records.get(case_id) or Record(case_id)
            self._fold(record, case_rows)
            out.append(self._row(record, units))
        return Folded(known, out, units)

    def write(self, tx: Tx, generation: int, folded: Folded) -> None:
        """Replace the folded cases' rows in `generation`."""
        table, units_table = table_name(TABLE, generation), table_name(UNITS, generation)
        known = folded.known
        for i in range(0, len(known), IN_CHUNK):
            chunk = known[i : i + IN_CHUNK]
            tx.execute(f"DELETE FROM {table} WHERE case_id IN ({_marks(chunk)})", chunk)
            tx.execute(f"DELETE FROM {units_table} WHERE case_id IN ({_marks(chunk)})", chunk)
        tx.insert(table, COLUMNS, folded.cases)
        tx.insert(units_table, UNIT_NAMES, folded.units)

    def digest(self, tx: Tx, generation: int, position: int) -> str:
        """The log digest at `position` from the heads of a generation that
        has reached exactly `position` (each case's version and chain there)."""
        heads = tx.stream(f"SELECT case_id, version, chain FROM {table_name(TABLE, generation)}"
                          f" ORDER BY case_id{BINARY[tx.dialect.name]}")
        return str(digest_of_sorted(((c, int(v), h) for c, v, h in heads), position))

    def _fold(self, record: Record, rows: Sequence[RawRow]) -> None:
        """Fold one case's stored rows, in version order, into its record.
        The hot loop of a rebuild (once per stored event): each row is
        unpacked once and the common state (its class's current version,
        stored in the office's offset) is read without a helper call;
        `decode` and `local_at` handle the rest. Rows of topics that make no
        step are not decoded, only searched for their chain hash."""
        append = record.steps.append
        step_of, version_of, loads_ = STEP_OF_TOPIC.get, VERSION_OF_TOPIC, orjson.loads
        chain = record.chain
        for row in rows:
            topic, data = row[3], row[4]
            entry = step_of(topic)
            if entry is None:
                if topic not in SKIPPED:
                    decode(row)  # says what is wrong with the row (an unknown topic)
                    raise UnreadableRow(row, "unknown topic")
                chain = chain_of(row)
                continue
            try:
                state = loads_(data)
            except ValueError:
                state = decode(row)  # what orjson refuses, or says why it does not decode
            else:
                version = state.pop("class_version", 1)
                if version < version_of[topic]:
                    state = upcast(row, state, version)
            chain = state["chain"]
            text = state["at"]["_data_"]
            # local_at's common case inline: stored in the office's own offset
            at = text if text.endswith("+08:00") and text[:4] >= "1992" else local_at(state)
            if topic == RECEIVED:
                record.intake = intake = {f: state.get(f) for f in _STATED}
                intake["received_at"] = at
                given = state.get("topic")
                record.hot_topic, record.topic_source = (
                    (given, "given") if given else
                    (self.taxonomy.classify(state.get("content") or ""), "keywords"))
            # steps.step_from, with `at` already local text
            append([at, entry[0], *entry[1](state)])
        if rows:
            record.version, record.chain = rows[-1][2], chain

    def _load(self, tx: Tx, table: str, keys: list[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        select = ", ".join(["case_id", *INTAKE, "hot_topic", "topic_source", "version",
                            "chain", "steps"])
        n = len(INTAKE)
        for i in range(0, len(keys), IN_CHUNK):
            chunk = keys[i : i + IN_CHUNK]
            for r in tx.query(f"SELECT {select} FROM {table} WHERE case_id IN ({_marks(chunk)})",
                              chunk):
                out[r[0]] = Record(r[0], dict(zip(INTAKE, r[1 : 1 + n], strict=True)),
                                   r[n + 1], r[n + 2], int(r[n + 3]), r[n + 4],
                                   load_steps(r[n + 5]))
        return out

    def _row(self, record: Record, units: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        """The case's row; its unit rows are added to `units`."""
        intake = record.intake
        settled, unit_rows = settle(record.case_id, record.steps)
        units += unit_rows
        return (record.case_id, *[intake.get(f) for f in INTAKE], *facts(record), *settled,
                record.version, record.chain, steps_text(record.steps))


def facts(record: Record) -> tuple[Any, ...]:
    """The FACTS columns of a case (in FACTS order), off its steps: the
    local date of its receipt (R) and of its latest closure (Z: what
    `asof.evaluate` makes `received` and `closed` with every step), and of
    its latest step."""
    received = closed = None
    steps = record.steps
    for step in steps:
        code = step[1]
        if code == "R":
            received = step[0][:10]
        elif code == "Z":
            closed = step[0][:10]
    return (received, record.hot_topic, record.topic_source, closed,
            steps[-1][0][:10] if steps else None)


def steps_text(steps: list[Step]) -> str:
    """The steps column: compact JSON by orjson, or by the standard library
    where orjson refuses (an integer beyond 64 bits). A step made by the
    fold holds only text, integers, booleans, None and lists of text,
    which orjson writes byte for byte as the standard library does
    (workflow.json_codec), so no row needs checking value by value first:
    that check cost about 5% of a rebuild's instructions. Anything else (a float
    an upcaster made, say) orjson writes so that it reads back the same,
    and every generation `--check` compares is written here."""
    try:
        return orjson.dumps(steps).decode()
    except orjson.JSONEncodeError:
        return _json(steps)


# One encoder for every row (json.dumps builds one per call).
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _marks(items: Sequence[Any]) -> str:
    return ", ".join("?" for _ in items)
