"""The read side as an embedded library: `ReadSide(hotline)`.

Every question first catches the live views up to the head of the log
(pass `catch_up=False` to read them as they stand), then answers from the
views alone inside one read transaction.

    from projections import ReadSide
    with ReadSide.open("sqlite:///hotline.db") as read:
        figures = read.report("2016Q3", as_of=date(2016, 12, 31))
        cases = read.ask("ping_pong", period="2016Q3")  # any registered question

The questions besides the report are registered in `projections.questions`;
`ask` runs any of them and the named methods (`at_risk`, ...) wrap it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

# bulletin and queries register their questions when imported
from projections import bulletin, queries, questions, report  # noqa: F401
from projections.base import Projection
from projections.figures import DEFAULT_METRICS, check_metrics
from projections.generations import live_table
from projections.questions import today
from projections.read_model import TABLE
from projections.registry import default_projections
from projections.runner import Progress, Runner
from projections.settled import UNITS
from projections.store import Tx, ViewStore
from workflow import Hotline
from workflow.period import Period, parse_period

CASES = "cases"  # the per-case read model's projection name


class ReadSide:
    def __init__(self, hotline: Hotline, projections: dict[str, Projection] | None = None,
                 store: ViewStore | None = None, *, owns_hotline: bool = False,
                 **runner_options: Any) -> None:
        """The read side over `hotline`; `owns_hotline`: `close()` releases
        the engine too (else its opener does)."""
        self.hotline = hotline
        self.projections = projections or default_projections()
        self.store = store or ViewStore.for_hotline(hotline)
        self.runner = Runner(hotline, self.store, self.projections, **runner_options)
        self._owns_hotline = owns_hotline

    @classmethod
    def open(cls, url: str, **options: Any) -> ReadSide:
        """The read side of the existing store at `url`, with the package's
        defaults (a configured deployment: `adapters.config.open_read_side`)."""
        return cls(Hotline.open(url, create=False), owns_hotline=True, **options)

    def close(self) -> None:
        self.store.close()
        if self._owns_hotline:
            self.hotline.close()

    def __enter__(self) -> ReadSide:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def catch_up(self, names: Sequence[str] | None = None,
                 progress: Progress | None = None) -> int:
        return self.runner.catch_up(names, progress)

    # -- the report -----------------------------------------------------------

    def report(self, period: str | Period, as_of: date | None = None,
               catch_up: bool = True, metrics: str = DEFAULT_METRICS) -> dict[str, Any]:
        """The §5 report JSON (as a dict) for `period` as of `as_of` (today),
        by the metric catalogue `metrics` (hotline-metrics/2 unless
        "hotline-metrics/1" is asked for: then exactly the /1 report)."""
        return self.report_at(period, as_of, catch_up, metrics)[0]

    def report_at(self, period: str | Period, as_of: date | None = None,
                  catch_up: bool = True, metrics: str = DEFAULT_METRICS,
                  settled: bool = True) -> tuple[dict[str, Any], int]:
        """The report and the log position its views had reached. The cases
        settled by the as-of date are counted in SQL (`projections.settled`);
        `settled=False` evaluates every case of the cohort instead (the same
        figures, slower: for checks)."""
        p, a = _period(period), as_of or today()
        check_metrics(metrics)
        if catch_up:
            self.catch_up()
        with self.store.read() as tx:
            cases, position = self._cases(tx)
            out = report.header(p, a, metrics)
            units = live_table(tx, self.projections[CASES], UNITS)[0] if settled else None
            out.update(report.figures(tx, cases, units, p, a, self.hotline.calendar, metrics))
            out["topics"] = report.topics_section(tx, cases, p, a)
        return out, position

    def digest(self, position: int) -> str:
        """The log digest `POS:HASH` at `position` (hotline-digest/1): the one
        kept with the read model when it reached there (a report's position),
        never recomputed over the whole log for a report."""
        return self.runner.digest(CASES, position)

    # -- the registered questions (projections.questions) -------------------------

    def ask(self, name: str, *, catch_up: bool = True, **params: Any) -> Any:
        """The answer to the registered question `name` with `params` (a
        period as text or a Period; `as_of` None or left out: today), from
        the live per-case table in one read transaction, caught up first."""
        q = questions.lookup(name)
        arguments = q.arguments(params)
        if catch_up:
            self.catch_up([CASES])
        with self.store.read() as tx:
            table, _ = self._cases(tx)
            return q.function(questions.Views(tx, table, self.hotline), **arguments)

    def at_risk(self, as_of: date | None = None, within: int = 2,
                catch_up: bool = True) -> list[queries.AtRisk]:
        answer: list[queries.AtRisk] = self.ask("at_risk", as_of=as_of, within=within,
                                                catch_up=catch_up)
        return answer

    def compliance_by(self, period: str | Period, by: str = "lead", as_of: date | None = None,
                      catch_up: bool = True) -> dict[str, Any]:
        answer: dict[str, Any] = self.ask("compliance_by", period=period, by=by, as_of=as_of,
                                          catch_up=catch_up)
        return answer

    def ping_pong(self, period: str | Period, as_of: date | None = None,
                  catch_up: bool = True) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self.ask("ping_pong", period=period, as_of=as_of,
                                                catch_up=catch_up)
        return answer

    def hot_topics(self, period: str | Period, as_of: date | None = None, top: int = 3,
                   catch_up: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Per channel group ("platform", "conduct_hotline"): TopicLine dicts."""
        answer: dict[str, list[dict[str, Any]]] = self.ask(
            "hot_topics", period=period, as_of=as_of, top=top, catch_up=catch_up)
        return answer

    def exemplary(self, period: str | Period, as_of: date | None = None, limit: int = 5,
                  catch_up: bool = True, pinned: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Exemplary-case candidates: ExemplaryCase dicts with their timeline;
        the editor's `pinned` case references first."""
        answer: list[dict[str, Any]] = self.ask("exemplary", period=period, as_of=as_of,
                                                limit=limit, pinned=pinned,
                                                catch_up=catch_up)
        return answer

    def recorded(self, period: str | Period, as_of: date | None = None,
                 catch_up: bool = True) -> list[str]:
        """Which hotline-spec/2 facts a case of the period's cohort carries:
        "contact", "resolved" (for the bulletin, spec §5.2)."""
        answer: list[str] = self.ask("recorded", period=period, as_of=as_of,
                                     catch_up=catch_up)
        return answer

    def _cases(self, tx: Tx) -> tuple[str, int]:
        """The live per-case table and its position, in this transaction."""
        return live_table(tx, self.projections[CASES], TABLE)


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def report_for(hotline_or_url: Hotline | str, period: str, as_of: date | None = None,
               metrics: str = DEFAULT_METRICS) -> dict[str, Any]:
    """One-shot: the §5 report of the store (a `Hotline` or a store URL)."""
    if isinstance(hotline_or_url, str):
        with ReadSide.open(hotline_or_url) as read:
            return read.report(period, as_of, metrics=metrics)
    read = ReadSide(hotline_or_url)
    try:
        return read.report(period, as_of, metrics=metrics)
    finally:
        read.close()
