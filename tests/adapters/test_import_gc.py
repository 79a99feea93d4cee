"""The importer runs the garbage collector less often, and only while importing."""

from __future__ import annotations

import gc

import pytest

from adapters.importer import Importer
from tests.adapters.import_lines import generate_lines
from workflow import Hotline
from workflow.collector import IMPORT_YOUNG


def test_thresholds_are_raised_during_an_import_and_restored_after() -> None:
    seen: list[tuple[int, int, int]] = []
    app = Hotline.open("sqlite:///:memory:")
    before = gc.get_threshold()
    try:
        importer = Importer(app, batch_lines=5,
                            progress=lambda lines, events: seen.append(gc.get_threshold()))
        summary = importer.run(generate_lines(3).splitlines())
    finally:
        app.close()
    assert summary.applied > 0 and seen
    assert all(t[0] == max(before[0], IMPORT_YOUNG) and t[1:] == before[1:] for t in seen)
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_an_import_fails() -> None:
    def fail(lines: int, events: int) -> None:
        raise RuntimeError("the store went away")

    app = Hotline.open("sqlite:///:memory:")
    before = gc.get_threshold()
    try:
        with pytest.raises(RuntimeError):
            Importer(app, progress=fail).run(generate_lines(1).splitlines())
    finally:
        app.close()
    assert gc.get_threshold() == before
