"""A rebuild that reads its next page ahead (case_order.reading_ahead) uses
that page only if its cursor is still where the page was read from: when
another run of the same part moves the cursor meanwhile, the page is
dropped and read again, and the generation ends exactly as a clean rebuild
(both stores; in production only PostgreSQL reads ahead)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

import projections.case_order as case_order
from projections import ReadSide
from projections.store import EventRows, ViewStore
from tests.projections.test_rebuild import populate
from workflow import Hotline


class Stop(Exception):
    pass


def test_a_page_read_ahead_is_dropped_when_another_run_moved_the_cursor(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(hotline, 0, 60)  # 360 events: pages of 25 rows, 15 pages
    seen: dict[str, Any] = {}
    original = case_order.fold_part
    used: list[tuple[str, int]] = []  # the cursors the read-ahead read from

    def fold_part(store: ViewStore, rows: EventRows, chosen: Any, gens: Any, k: int, n: int,
                  size: int, pause: float, progress: Any, until: int,
                  ahead: EventRows | None = None) -> None:
        seen.update(chosen=chosen, gens=gens, until=until, size=size)
        original(store, rows, chosen, gens, k, n, size, pause, progress, until, ahead)

    class Interfering(EventRows):
        """The read-ahead rows: on the second page read ahead, another run
        of the same part folds two pages (its own connection) and dies."""

        def case_page(self, until: int, after: tuple[str, int], below: str | None,
                      size: int) -> list[Any]:
            used.append(after)
            if len(used) == 2:
                other = ViewStore.for_env(hotline.env)
                try:
                    original(other, Dying(other, self.table, self.plain), seen["chosen"],
                             seen["gens"], 0, 1, size, 0.0, None, until)
                except Stop:
                    pass
                finally:
                    other.close()
            return super().case_page(until, after, below, size)

    class Dying(EventRows):
        calls = 0

        def case_page(self, until: int, after: tuple[str, int], below: str | None,
                      size: int) -> list[Any]:
            Dying.calls += 1
            if Dying.calls > 2:
                raise Stop
            return super().case_page(until, after, below, size)

    @contextmanager
    def reading_ahead(env: Any, table: str, plain: Any) -> Iterator[EventRows | None]:
        store = ViewStore.for_env(env)
        try:
            yield Interfering(store, table, plain)
        finally:
            store.close()

    monkeypatch.setattr(case_order, "fold_part", fold_part)
    monkeypatch.setattr(case_order, "reading_ahead", reading_ahead)
    read = ReadSide(hotline)
    read.runner.page_size = 5  # fold_part reads pages of 5 x page_size = 25 rows
    read.runner.rebuild_from_scratch()
    assert Dying.calls == 3  # the other run folded two pages, then died
    assert len(used) >= 3  # the read-ahead went on after the interference
    assert read.runner.check() == []  # exactly the rows of a clean rebuild
    figures = read.report("2016Q3", date(2016, 12, 31), catch_up=False)
    assert figures["all"]["received"] == 60
