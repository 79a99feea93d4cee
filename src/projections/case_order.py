"""The rebuild in case order: one part of the case-id space folded by one
process, a page per transaction, its cursor committed with its rows.

`Runner.rebuild_from_scratch` (and the first build of views never built)
cuts the case-id space into `bound`-ed parts and folds each with
`fold_part`, in this process or in forked `_worker`s; on PostgreSQL a part
reads its next page ahead on a second connection (`reading_ahead`).
docs/projections.md tells why each piece is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from projections.base import Projection
from projections.rows import CaseRows
from projections.store import CURSORS, Conflict, EventRows, Tx, ViewStore
from workflow.collector import FOLD_YOUNG, fewer_collections
from workflow.errors import WorkflowError

Progress = Callable[[int, int], None]  # (positions advanced now, total to go)


def bound(k: int, n: int) -> str:
    """The lowest case id of part k of n (uuid text): equal ranges of the
    case-id space, whose uuid5 ids are uniform, so the parts are even."""
    top = k * 16**8 // n
    return f"{top:08x}-0000-0000-0000-000000000000"


def fold_part(store: ViewStore, rows: EventRows, chosen: list[Projection],
              gens: dict[str, int], k: int, n: int, size: int, pause: float,
              progress: Progress | None, until: int, ahead: EventRows | None = None) -> None:
    """Fold part k of n in case order, a page per transaction, its cursor
    moved by compare-and-set with the rows (two runs of one part cannot
    both apply a page). Each page is folded before its write transaction.

    With `ahead` (the same rows on a second connection, `reading_ahead`)
    the next page is read in a thread while this one is folded and
    written: PostgreSQL's server scans and sends it while the client holds
    the GIL for the fold. A page read ahead is used only if the
    cursor, read again in the page's own transaction, is where it was read
    from; otherwise it is dropped and the page read again."""
    below = bound(k + 1, n) if k + 1 < n else None
    first = chosen[0].name
    reader = ThreadPoolExecutor(1, thread_name_prefix="read-ahead") if ahead else None
    coming: tuple[tuple[str, int], Future[list[CaseRows]]] | None = None

    def cursor_of(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.query(f"SELECT case_id, version, done FROM {CURSORS} WHERE name = ? AND"
                        " generation = ? AND part = ?", (first, gens[first], k))

    try:
        while True:
            with store.read() as tx:
                cursor = cursor_of(tx)
            if not cursor:
                return  # another run of the same rebuild finished this phase
            [(case, version, done)] = cursor
            if done:
                return
            at = (case, int(version))
            if coming is not None and coming[0] == at:
                page = coming[1].result()
            else:
                page = rows.case_page(until, at, below, size)
            coming = None
            count = sum(len(rows_of) for _, rows_of in page)
            last = (page[-1][0], page[-1][1][-1][2]) if page else at  # (case, version)
            finished = int(count < size)
            if reader is not None and ahead is not None and not finished:
                coming = (last, reader.submit(ahead.case_page, until, last, below, size))
            # Folded before the write transaction, which holds only the
            # cursor's compare-and-set and the writes: workers fold at once
            # and queue only to write (SQLite takes one writer at a time).
            # The fold reads the rows of the cases the page continues in a
            # snapshot where the cursor is still where the page starts (else
            # another run has moved on: read the cursor again); a page
            # folded from a part that another run moves on afterwards is
            # dropped by the compare-and-set.
            with store.read() as tx:
                if cursor_of(tx) != cursor:
                    continue
                folded = [p.fold(tx, gens[p.name], page) for p in chosen]
            try:
                with store.write() as tx:
                    for p, made in zip(chosen, folded, strict=True):
                        moved = tx.execute(
                            f"UPDATE {CURSORS} SET case_id = ?, version = ?, done = ?"
                            " WHERE name = ? AND generation = ? AND part = ? AND case_id = ?"
                            " AND version = ?",
                            (*last, finished, p.name, gens[p.name], k, case, version))
                        if moved != 1:
                            raise Conflict(p.name)
                        p.write(tx, gens[p.name], made)
            except Conflict:
                continue  # another run of this part moved on: re-read its cursor
            if progress:
                progress(count, until)
            if pause:
                time.sleep(pause)
    finally:
        if reader is not None:
            reader.shutdown(wait=True, cancel_futures=True)


@contextmanager
def reading_ahead(env: Any, table: str, plain: Any) -> Iterator[EventRows | None]:
    """The event rows on a second connection of their own, for `fold_part`
    to read the next page while it folds one: on PostgreSQL only, where
    the server reads and sends the page while the client folds (measured,
    20,000 cases: 0.85x the wall time, the same CPU). On SQLite the reading
    is mostly turning rows into Python objects, under the GIL: a thread made
    the same rebuild 1.07x slower on wall and 1.17x on CPU, so None."""
    if not str(env.get("PERSISTENCE_MODULE") or "").endswith("postgres"):
        yield None
        return
    store = ViewStore.for_env(env)
    try:
        yield EventRows(store, table, plain)
    finally:
        store.close()


def worker(env: Any, table: str, plain: Any, chosen: list[Projection], gens: dict[str, int],
            k: int, n: int, size: int, pause: float, until: int, report: Any = None) -> None:
    """One forked worker: its own connection, part k of n. It dies with
    the rebuild that started it (a killed rebuild leaves no worker behind).
    A library error (a stored row it cannot read, say) is sent on `report`
    (a pipe's end), for the rebuild to raise as it is, and the worker exits
    with status 1."""
    _die_with_parent()
    store = ViewStore.for_env(env)
    try:
        with reading_ahead(env, table, plain) as ahead, fewer_collections(FOLD_YOUNG):
            fold_part(store, EventRows(store, table, plain), chosen, gens, k, n, size, pause,
                      None, until, ahead)
    except WorkflowError as error:
        if report is None:
            raise
        report.send(str(error))
        raise SystemExit(1) from None
    finally:
        store.close()


def _die_with_parent() -> None:
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker finishes its part alone
        pass
