"""Catch-up, rebuild (blue/green), check and status of the projections.

One pass over the log serves every projection being run: each page is read
and decoded once, then folded into every projection that has not yet seen
it, and their positions advance, all in ONE transaction. A process killed at
any moment leaves each projection at the last committed page; running again
resumes there, so the rows end exactly as a clean run leaves them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from projections.base import Projection, create_tables, drop_tables, dump
from projections.log import PAGE_SIZE, EventLog
from projections.registry import default_projections
from projections.steps import Batch
from projections.store import POSITIONS, Conflict, Tx, ViewStore, table_name
from workflow import Hotline, WorkflowError

Progress = Callable[[int, int], None]  # (positions advanced now, total to go)


class UnknownProjection(WorkflowError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"no projection named {name!r} (known: {', '.join(known)})")


@dataclass(frozen=True)
class Status:
    name: str
    generation: int | None
    state: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


@dataclass(frozen=True)
class Drift:
    projection: str
    table: str
    key: str
    kind: str  # "missing" (a clean rebuild has it), "extra", "changed", "not built"
    live: tuple[Any, ...] | None = None
    fresh: tuple[Any, ...] | None = None

    def line(self) -> str:
        row = self.live or self.fresh
        ref = f" ({row[1]})" if row and len(row) > 1 else ""  # our views keep `ref` second
        return f"{self.projection}.{self.table} {self.key}{ref}: {self.kind}"


class Runner:
    def __init__(
        self,
        hotline: Hotline,
        store: ViewStore | None = None,
        projections: dict[str, Projection] | None = None,
        page_size: int = PAGE_SIZE,
        pause: float = 0.0,
    ) -> None:
        self.log = EventLog(hotline)
        self.store = store or ViewStore.for_hotline(hotline)
        self.projections = projections or default_projections()
        self.page_size, self.pause = page_size, pause  # pause: tests slow a run down

    def select(self, names: Sequence[str] | None) -> list[Projection]:
        for name in names or ():
            if name not in self.projections:
                raise UnknownProjection(name, self.projections)
        return [self.projections[n] for n in (names or self.projections)]

    # -- the three operations -------------------------------------------------

    def catch_up(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Bring the live views up to the head of the log; returns the head."""
        head = self.log.head()
        self._run(self.select(names), "live", head, progress)
        return head

    def rebuild_from_scratch(
        self, names: Sequence[str] | None = None, progress: Progress | None = None
    ) -> int:
        """Build fresh generations (resuming one a killed run left) while the
        live ones keep answering; swap them in once they reach the head."""
        chosen = self.select(names)
        with self.store.write() as tx:
            for p in chosen:
                _drop_state(tx, p, "retired")  # readers left them long ago
        head = self.log.head()
        self._run(chosen, "next", head, progress)
        with self.store.write() as tx:
            for p in chosen:
                _swap(tx, p)
        return head

    def check(
        self, names: Sequence[str] | None = None, progress: Progress | None = None
    ) -> list[Drift]:
        """Rebuild into throw-away generations up to each live view's position
        and compare row by row. Live views are only read."""
        drifts: list[Drift] = []
        for p in self.select(names):
            with self.store.write() as tx:
                _drop_state(tx, p, "check")
                live = tx.generations(p.name).get("live")
            if live is None:
                drifts.append(Drift(p.name, "*", "*", "not built"))
                continue
            self._run([p], "check", live[1], progress)
            with self.store.write() as tx:
                check_gen = tx.generations(p.name)["check"][0]
                drifts += _compare(p, dump(tx, p, live[0]), dump(tx, p, check_gen))
                _drop_state(tx, p, "check")
        return drifts

    def status(self) -> list[Status]:
        head = self.log.head()
        out = []
        with self.store.read() as tx:
            for name in self.projections:
                gens = tx.generations(name)
                if not gens:
                    out.append(Status(name, None, "not built", 0, head))
                for state, (gen, pos) in sorted(gens.items(), key=lambda kv: kv[1][0]):
                    out.append(Status(name, gen, state, pos, head))
        return out

    # -- the one loop -----------------------------------------------------------

    def _run(self, chosen: list[Projection], state: str, until: int,
             progress: Progress | None) -> None:
        with self.store.write() as tx:
            gens = {p.name: _ensure(tx, p, state) for p in chosen}
        while True:
            with self.store.read() as tx:
                pos = {p.name: tx.generations(p.name)[state][1] for p in chosen}
            start = min(pos.values(), default=until)
            if start >= until:
                return
            try:
                for page in self.log.pages(start, until, self.page_size):
                    batches: dict[int, Batch] = {}  # by starting position: usually one
                    with self.store.write() as tx:
                        for p in chosen:
                            at = pos[p.name]
                            if at >= page.last:
                                continue
                            if not tx.advance(p.name, gens[p.name], at, page.last):
                                raise Conflict(p.name)
                            if at not in batches:
                                batches[at] = Batch([e for n, e in page.events if n > at])
                            p.handle(tx, gens[p.name], batches[at])
                    for p in chosen:
                        pos[p.name] = max(pos[p.name], page.last)
                    if progress:
                        progress(page.last - page.after, until - start)
                    if self.pause:
                        time.sleep(self.pause)
                return
            except Conflict:
                continue  # another process moved on: re-read where everyone is


def _ensure(tx: Tx, p: Projection, state: str) -> int:
    gens = tx.generations(p.name)
    if state in gens:
        return gens[state][0]
    rows = tx.query(f"SELECT MAX(generation) FROM {POSITIONS} WHERE name = ?", (p.name,))
    gen = int(rows[0][0] or 0) + 1
    create_tables(tx, p, gen)
    tx.execute(f"INSERT INTO {POSITIONS} (name, generation, state, position) VALUES (?, ?, ?, 0)",
               (p.name, gen, state))
    return gen


def _drop_state(tx: Tx, p: Projection, state: str) -> None:
    for s, (gen, _) in tx.generations(p.name).items():
        if s == state:
            drop_tables(tx, p, gen)
            tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ? AND generation = ?", (p.name, gen))


def _swap(tx: Tx, p: Projection) -> None:
    """The rebuilt generation becomes live in one commit; the old one is kept,
    retired, so a reader that looked it up just before still finds it."""
    gens = tx.generations(p.name)
    if "live" in gens:
        tx.execute(f"UPDATE {POSITIONS} SET state = 'retired' WHERE name = ? AND generation = ?",
                   (p.name, gens["live"][0]))
    tx.execute(f"UPDATE {POSITIONS} SET state = 'live' WHERE name = ? AND generation = ?",
               (p.name, gens["next"][0]))


def _compare(p: Projection, live: dict[str, list[tuple[Any, ...]]],
             fresh: dict[str, list[tuple[Any, ...]]]) -> list[Drift]:
    drifts = []
    for table in p.tables():
        have = {str(r[0]): r for r in live[table]}
        want = {str(r[0]): r for r in fresh[table]}
        for key in sorted(have.keys() | want.keys()):
            if key not in have:
                drifts.append(Drift(p.name, table, key, "missing", None, want[key]))
            elif key not in want:
                drifts.append(Drift(p.name, table, key, "extra", have[key], None))
            elif have[key] != want[key]:
                drifts.append(Drift(p.name, table, key, "changed", have[key], want[key]))
    return drifts


def live_table(tx: Tx, p: Projection, base: str) -> tuple[str, int]:
    """The live table of `base` and its position (readers call this inside
    their read transaction, so the table and position belong together)."""
    live = tx.generations(p.name).get("live")
    if live is None:
        raise WorkflowError(f"projection {p.name!r} has not been built: run `hotline rebuild`")
    return table_name(base, live[0]), live[1]
