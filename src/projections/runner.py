"""Catch-up, rebuild (blue/green), check and status of the projections.

One pass over the log serves every projection being run: each page of
stored rows is read once, then folded into every projection that has not
yet seen it, and their positions advance, all in ONE transaction. A process
killed at any moment leaves each projection at the last committed page;
running again resumes there, so the rows end exactly as a clean run leaves
them. When a run reaches its end, the log digest at that position is stored
beside the generation (a projection that keeps the cases' heads computes
it from its own rows, not from the log).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from projections import case_order
from projections.base import (
    Projection,
    create_indexes,
    dump,
    layout_matches,
)
from projections.case_order import Progress
from projections.generations import drop_legacy, drop_state, ensure, swap
from projections.registry import LEGACY, default_projections
from projections.rows import PAGE_SIZE, RowSource, by_case, chain_of, pages
from projections.store import (
    CURSORS,
    POSITIONS,
    Conflict,
    EventRows,
    Tx,
    ViewStore,
    table_name,
)
from workflow import Hotline, WorkflowError
from workflow.audit.digest import Head, digest_of
from workflow.collector import FOLD_YOUNG, fewer_collections


class UnknownProjection(WorkflowError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"no projection named {name!r} (known: {', '.join(known)})")


class CheckReplaced(WorkflowError):
    """Another `--check` of the same view started while this one ran: it
    dropped this one's throw-away copy (each check begins by dropping any
    left behind, so that a killed check leaves nothing for good)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"another `hotline rebuild --check` of {name} started while this one"
                         " ran and replaced its copy of the view: run the check again when"
                         " the other has finished")


class OldLayout(WorkflowError):
    """The store's views were built by an earlier version of the read side."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(
            f"the views of this store have the layout of an earlier version "
            f"({', '.join(sorted(names))}); rebuild them once into the current read model "
            "with `hotline rebuild --from-scratch` (the old views keep answering nothing "
            "until then; the events are untouched)")


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
        rows: RowSource | None = None,
    ) -> None:
        self.env = hotline.env
        self.store = store or ViewStore.for_hotline(hotline)
        self.table = str(hotline.recorder.events_table_name)  # type: ignore[attr-defined]
        self.plain = _plain(hotline)
        self.rows = rows or EventRows(self.store, self.table, self.plain)
        self.upgraded: list[str] = []  # earlier-layout views a rebuild replaced
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
        chosen = self.select(names)
        with self.store.read() as tx:
            self.refuse_old_layout(tx, chosen)
            unbuilt = [p.name for p in chosen if "live" not in tx.generations(p.name)]
        if unbuilt and isinstance(self.rows, EventRows):
            # A first build folds in case order, as a rebuild from scratch
            # does (resuming one a killed first build left), not page by
            # page of the log: each case's row written once.
            self.rebuild_from_scratch(unbuilt, progress, first_build=True)
        head = self.rows.head()
        self._run(chosen, "live", head, progress)
        return head

    def old_layout(self, tx: Tx) -> list[str]:
        """Views of an earlier version's layout still recorded in the store."""
        rows = tx.query(f"SELECT DISTINCT name FROM {POSITIONS}")
        return sorted(n for (n,) in rows if n in LEGACY and n not in self.projections)

    def refuse_old_layout(self, tx: Tx, chosen: Sequence[Projection]) -> None:
        """An upgraded store needs one rebuild from scratch: say so rather
        than silently building the new views behind a reader's back."""
        old = self.old_layout(tx)
        if old and any("live" not in tx.generations(p.name) for p in chosen):
            raise OldLayout(old)
        # A live generation built with other columns (an earlier version's
        # read model under the same name): one SELECT of no rows per table.
        stale = [p.name for p in chosen if (live := tx.generations(p.name).get("live"))
                 and not layout_matches(tx, p, live[0])]
        if stale:
            raise OldLayout(stale)

    def rebuild_from_scratch(
        self, names: Sequence[str] | None = None, progress: Progress | None = None,
        workers: int = 1, first_build: bool = False,
    ) -> int:
        """Build fresh generations (resuming one a killed run left) while the
        live ones keep answering; swap them in once they reach the head.

        The log up to the head is folded in case order (each case's row
        written once), by `workers` processes each taking a range of case
        ids; events recorded meanwhile are then caught up in log order."""
        chosen = self.select(names)
        with self.store.write() as tx:
            tx.lock_generations()
            if first_build:  # only those still never built (another run may have been first)
                chosen = [p for p in chosen if "live" not in tx.generations(p.name)]
            for p in chosen:
                drop_state(tx, p, "retired")  # readers left them long ago
            gens = {p.name: ensure(tx, p, "next") for p in chosen}
        head = self.rows.head()
        if not chosen:
            return head
        if isinstance(self.rows, EventRows):
            self._by_case(chosen, "next", gens, head, max(1, workers), progress)
        self._run(chosen, "next", head, progress, create=False)
        self.store.vacuum(table_name(base, gens[p.name]) for p in chosen for base in p.tables())
        with self.store.write() as tx:
            tx.lock_generations()
            for p in chosen:
                if tx.generations(p.name).get("next", (None,))[0] == gens[p.name]:
                    create_indexes(tx, p, gens[p.name])
                swap(tx, p)
            self.upgraded = self.old_layout(tx)
            for name in self.upgraded:  # the upgrade: the earlier layout's views go
                drop_legacy(tx, name)
        return head

    def check(
        self, names: Sequence[str] | None = None, progress: Progress | None = None
    ) -> list[Drift]:
        """Rebuild into throw-away generations up to each live view's position
        and compare row by row. Live views are only read."""
        drifts: list[Drift] = []
        for p in self.select(names):
            with self.store.write() as tx:
                drop_state(tx, p, "check")
                live = tx.generations(p.name).get("live")
            if live is None:
                drifts.append(Drift(p.name, "*", "*", "not built"))
                continue
            with self.store.write() as tx:
                gen = ensure(tx, p, "check")
            try:
                if isinstance(self.rows, EventRows):
                    self._by_case([p], "check", {p.name: gen}, live[1], 1, progress)
                self._run([p], "check", live[1], progress, create=False)
            except Exception:
                if self._check_generation(p) != gen:
                    raise CheckReplaced(p.name) from None
                raise
            with self.store.write() as tx:
                if tx.generations(p.name).get("check", (None,))[0] != gen:
                    raise CheckReplaced(p.name)
                drifts += _compare(p, dump(tx, p, live[0]), dump(tx, p, gen))
                drop_state(tx, p, "check")
        return drifts

    def _check_generation(self, p: Projection) -> int | None:
        with self.store.read() as tx:
            return tx.generations(p.name).get("check", (None,))[0]

    def status(self) -> list[Status]:
        head = self.rows.head()
        out = []
        with self.store.read() as tx:
            for name in self.projections:
                gens = tx.generations(name)
                if not gens:
                    out.append(Status(name, None, "not built", 0, head))
                for state, (gen, pos) in sorted(gens.items(), key=lambda kv: kv[1][0]):
                    out.append(Status(name, gen, state, pos, head))
            for name in self.old_layout(tx):
                for _state, (gen, pos) in sorted(tx.generations(name).items()):
                    out.append(Status(name, gen, "obsolete", pos, head))
        return out

    # -- the log digest -----------------------------------------------------------

    def digest(self, name: str, position: int) -> str:
        """The log digest at `position`: the one stored with the live
        generation of `name` when it has reached exactly there (what a report
        just read carries), else computed from its heads, else (a position
        the views have moved past) from the log's rows up to `position`."""
        p = self.projections[name]
        with self.store.read() as tx:
            live = tx.generations(name).get("live")
            if live is not None:
                stored = tx.digest(name, live[0])
                if stored is not None and stored[0] == position:
                    return stored[1]
                if live[1] == position and hasattr(p, "digest"):
                    return str(p.digest(tx, live[0], position))
        return self.digest_from_log(position)

    def digest_from_log(self, position: int) -> str:
        """The digest at `position` from the stored rows (chain hashes only)."""
        heads: dict[str, tuple[int, str]] = {}
        for _after, _last, page in pages(self.rows, 0, position, self.page_size):
            for row in page:
                heads[row.case_id] = (row.version, chain_of(row))
        from uuid import UUID

        return str(digest_of((Head(UUID(c), v, h) for c, (v, h) in heads.items()), position))

    # -- the rebuild in case order ------------------------------------------------

    def _by_case(self, chosen: list[Projection], state: str, gens: dict[str, int], head: int,
                 workers: int, progress: Progress | None) -> None:
        """Fold every row up to a fixed position `until` in case order, part
        by part of the case-id space, each part's cursor committed with its
        rows; then move each generation's position from 0 to `until` in one
        commit. A killed run resumes every part where it stopped (with the
        parts and `until` it started with)."""
        first = chosen[0].name
        with self.store.write() as tx:
            tx.lock_generations()  # two runs starting at once lay out the parts once
            if any(tx.generations(p.name).get(state, (0, 1))[1] > 0 for p in chosen):
                return  # past this phase already (or swapped in by another run)
            parts = tx.query(f"SELECT parts, until FROM {CURSORS} WHERE name = ? AND"
                             " generation = ?", (first, gens[first]))
            if not parts:
                for p in chosen:
                    for k in range(workers):
                        tx.execute(f"INSERT INTO {CURSORS} (name, generation, part, parts, until,"
                                   " case_id, version, done) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
                                   (p.name, gens[p.name], k, workers, head,
                                    case_order.bound(k, workers)))
                parts = [(workers, head)]
        n, until = int(parts[0][0]), int(parts[0][1])
        if n == 1:
            assert isinstance(self.rows, EventRows)
            with (case_order.reading_ahead(self.env, self.table, self.plain) as ahead,
                  fewer_collections(FOLD_YOUNG)):
                case_order.fold_part(self.store, self.rows, chosen, gens, 0, 1, self.page_size * 5,
                          self.pause, progress, until, ahead)
        else:
            context = multiprocessing.get_context("fork")
            reports = [context.Pipe(duplex=False) for _ in range(n)]
            procs = [context.Process(target=case_order.worker, args=(
                self.env, self.table, self.plain, chosen, gens, k, n, self.page_size * 5,
                self.pause, until, reports[k][1])) for k in range(n)]
            for proc in procs:
                proc.start()
            for _, sent in reports:
                sent.close()  # the workers hold their own ends
            for proc in procs:
                proc.join()
            said = [m for m in (_received(got) for got, _ in reports) if m is not None]
            if said:  # a library error in a worker (a row it cannot read): as it is
                raise WorkflowError(said[0])
            failed = [k for k, proc in enumerate(procs) if proc.exitcode != 0]
            if failed:
                raise WorkflowError(f"rebuild worker(s) {failed} of {n} failed (see above); "
                                    "run the same command again to resume")
            if progress:
                progress(until, until)
        with self.store.write() as tx:
            tx.lock_generations()  # and move the position once
            reached = tx.generations(first).get(state)
            if reached is None or reached[1] > 0:
                return  # another run of the same rebuild finished this phase first
            open_parts = tx.query(f"SELECT COUNT(*) FROM {CURSORS} WHERE name = ? AND"
                                  " generation = ? AND done = 0", (first, gens[first]))
            if int(open_parts[0][0]):
                raise Conflict(first)
            for p in chosen:
                if not tx.advance(p.name, gens[p.name], 0, until):
                    raise Conflict(p.name)
                tx.execute(f"DELETE FROM {CURSORS} WHERE name = ? AND generation = ?",
                           (p.name, gens[p.name]))

    # -- the one loop -----------------------------------------------------------

    def _run(self, chosen: list[Projection], state: str, until: int,
             progress: Progress | None, create: bool = True) -> None:
        """Fold the log in log order into the generations in `state` up to
        `until` (creating them unless `create` is False: a rebuild's own
        generation gone means another run of it has swapped it in)."""
        with self.store.read() as tx:  # a reader catching up with nothing to do writes nothing
            found = {p.name: tx.generations(p.name).get(state) for p in chosen}
        if all(found.values()):
            gens = {name: g[0] for name, g in found.items() if g is not None}
        elif not create:
            return
        else:
            with self.store.write() as tx:
                gens = {p.name: ensure(tx, p, state) for p in chosen}
        while True:
            with self.store.read() as tx:
                found = {p.name: tx.generations(p.name).get(state) for p in chosen}
            if not all(found.values()):
                return  # another run of the same rebuild swapped it in meanwhile
            pos = {name: g[1] for name, g in found.items() if g is not None}
            start = min(pos.values(), default=until)
            if start >= until:
                break
            try:
                with fewer_collections(FOLD_YOUNG):
                    for after, last, rows in pages(self.rows, start, until, self.page_size):
                        with self.store.write() as tx:
                            for p in chosen:
                                at = pos[p.name]
                                if at >= last:
                                    continue
                                if not tx.advance(p.name, gens[p.name], at, last):
                                    raise Conflict(p.name)
                                new = rows if at <= after else [r for r in rows
                                                                 if r.position > at]
                                p.write(tx, gens[p.name],
                                        p.fold(tx, gens[p.name], by_case(new)))
                        for p in chosen:
                            pos[p.name] = max(pos[p.name], last)
                        if progress:
                            progress(last - after, until - start)
                        if self.pause:
                            time.sleep(self.pause)
                break
            except Conflict:
                continue  # another process moved on: re-read where everyone is
        if state != "check":
            self._keep_digests(chosen, state)

    def _keep_digests(self, chosen: list[Projection], state: str) -> None:
        """Store the log digest at each generation's position, unless the one
        stored is already there. A generation no longer in `state` has been
        swapped in by another run of the same rebuild, which kept its digest
        before the swap."""
        for p in chosen:
            if not hasattr(p, "digest"):
                continue
            with self.store.read() as tx:  # the usual case: nothing new, nothing written
                found = tx.generations(p.name).get(state)
                stored = None if found is None else tx.digest(p.name, found[0])
            if found is None or (stored is not None and stored[0] == found[1]):
                continue
            with self.store.write() as tx:
                if (found := tx.generations(p.name).get(state)) is None:
                    continue
                # Hold the position row: no page can move it (nor the heads)
                # while the digest is read, on PostgreSQL too.
                tx.execute(f"UPDATE {POSITIONS} SET position = position WHERE name = ?"
                           " AND generation = ?", (p.name, found[0]))
                if (found := tx.generations(p.name).get(state)) is None:
                    continue  # swapped in before the row was held
                gen, position = found
                stored = tx.digest(p.name, gen)
                if stored is None or stored[0] != position:
                    tx.save_digest(p.name, gen, position, str(p.digest(tx, gen, position)))


def _plain(hotline: Hotline) -> Callable[[bytes], bytes] | None:
    """What undoes the store's cipher and compressor (None when neither)."""
    cipher, compressor = hotline.mapper.cipher, hotline.mapper.compressor
    if not cipher and not compressor:
        return None

    def plain(state: bytes) -> bytes:
        if cipher:
            state = cipher.decrypt(state)
        if compressor:
            state = compressor.decompress(state)
        return state

    return plain


def _compare(p: Projection, live: dict[str, list[tuple[Any, ...]]],
             fresh: dict[str, list[tuple[Any, ...]]]) -> list[Drift]:
    drifts = []
    for table, columns in p.tables().items():
        n = _key_length(columns)
        have = {" ".join(map(str, r[:n])): r for r in live[table]}
        want = {" ".join(map(str, r[:n])): r for r in fresh[table]}
        for key in sorted(have.keys() | want.keys()):
            if key not in have:
                drifts.append(Drift(p.name, table, key, "missing", None, want[key]))
            elif key not in want:
                drifts.append(Drift(p.name, table, key, "extra", have[key], None))
            elif have[key] != want[key]:
                drifts.append(Drift(p.name, table, key, "changed", have[key], want[key]))
    return drifts


def _key_length(columns: str) -> int:
    """How many leading columns make a table's key: its `PRIMARY KEY (a,
    b)` (whose columns come first), else the first column alone."""
    marker = "PRIMARY KEY ("
    if marker not in columns:
        return 1
    return columns.split(marker, 1)[1].split(")", 1)[0].count(",") + 1


def _received(end: Any) -> str | None:
    """The message a worker sent on its pipe, None when it sent none (its
    end closed as it exited); the end is closed."""
    try:
        return str(end.recv()) if end.poll() else None
    except EOFError:
        return None
    finally:
        end.close()
