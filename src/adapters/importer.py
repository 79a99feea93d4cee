"""Bulk import of JSON Lines actions (spec §4).

Lines are applied in file order, many per transaction (`execute_batch`). A
line that cannot be read, parsed or applied is rejected with its line number
and reason and kept byte for byte; every other line is still applied.
Re-importing stores nothing new: each line's idempotency key (its `id`, or a
hash of its normalised content) is recorded in its event, and a line whose
key the case already holds is counted as a duplicate. So an import killed at
any moment loses at most its open transaction, and run again ends with the
events of a clean run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from persistence import streams_for
from workflow import Hotline, WorkflowError
from workflow.application import cases_of
from workflow.collector import IMPORT_YOUNG, fewer_collections
from workflow.commands import TEXTS_CHECKED, AnyCommand, Command, parse_command

MAX_LINE_BYTES = 256 * 1024
# Lines per transaction. Measured (20,000 cases, SQLite, 5 interleaved rounds,
# medians): 500 lines 11.7 s wall / 11.1 s CPU, 2,000 10.6 / 10.2, 5,000
# 10.9 / 10.6; with --workers 2, 9.4 / 16.7, 7.9 / 14.7 and 8.0 / 15.0
# (docs/performance.md, "Batches of 2,000 lines").
BATCH_LINES = 2000

# Validating the raw bytes in one step (pydantic's own JSON parser) is about
# twice as fast as json.loads + validation; a line it refuses goes the slow
# way, which finds the precise reason.
_FAST: TypeAdapter[Command] = TypeAdapter(AnyCommand)
_NO_ESCAPES = {TEXTS_CHECKED: True}


@dataclass
class ImportSummary:
    """What an import did; `rejects` holds (line number, reason) pairs."""

    lines: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return f"applied {self.applied}, duplicates {self.duplicates}, rejected {self.rejected}"


class Rejected(Exception):
    """A line that cannot become a command."""


def decode_line(raw: bytes, max_bytes: int = MAX_LINE_BYTES) -> dict[str, Any]:
    """One line's JSON object, or `Rejected` naming what is wrong with it.

    A blank line is rejected too: JSON Lines has none, and a line that
    carries nothing must still not vanish without a word."""
    raw = raw.rstrip(b"\r\n")
    if len(raw) > max_bytes:
        raise Rejected(f"line too long ({len(raw)} bytes, limit {max_bytes})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Rejected(f"invalid UTF-8 at byte {e.start + 1}") from None
    if not text.strip():
        raise Rejected("blank line (expected a JSON object)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise Rejected(f"malformed JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise Rejected("malformed JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise Rejected(f"expected a JSON object, got {_json_type(data)}")
    return data


def parse_line(raw: bytes, max_bytes: int = MAX_LINE_BYTES) -> Command:
    """One line's command, or `Rejected` / `InvalidCommand` (a
    `WorkflowError`) naming what is wrong with it."""
    body = raw.rstrip(b"\r\n")
    if len(body) > max_bytes:
        raise Rejected(f"line too long ({len(body)} bytes, limit {max_bytes})")
    try:
        # NUL and lone surrogates can only come as \u escapes (commands.TEXTS_CHECKED)
        return _FAST.validate_json(body, context=None if b"\\u" in body else _NO_ESCAPES)
    except ValidationError:
        pass
    return parse_command(decode_line(body, max_bytes))


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


RejectSink = Callable[[int, bytes, str], None]
Progress = Callable[[int, int], None]  # (lines done, events applied) increments


class Importer:
    """Applies JSON Lines to a `Hotline`, `batch_lines` lines per transaction.

    `on_reject(line number, raw bytes, reason)` is called for each rejected
    line in line order, once its batch is decided; `progress(lines, events)`
    after each batch is stored. `summary` is kept current, so a caller whose
    import stops on a store error can still say how far it got.
    """

    def __init__(
        self,
        hotline: Hotline,
        *,
        batch_lines: int = BATCH_LINES,
        max_line_bytes: int = MAX_LINE_BYTES,
        on_reject: RejectSink | None = None,
        progress: Progress | None = None,
        workers: int = 1,
        config: Any = None,
    ) -> None:
        """`workers` > 1: that many processes decide the lines, partitioned by
        case (adapters/import_workers.py); they open the store with `config`
        (an `adapters.config.Config`, default: `hotline`'s store URL with the
        package's defaults)."""
        if batch_lines < 1:
            raise ValueError(f"batch_lines must be at least 1, got {batch_lines}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.config = config
        self.hotline = hotline
        if hotline.streams is None:  # opened without the composition root
            hotline.streams = streams_for(hotline.recorder)
        self.batch_lines = batch_lines
        self.max_line_bytes = max_line_bytes
        self.on_reject = on_reject or (lambda n, raw, reason: None)
        self.progress = progress or (lambda lines, events: None)
        self.summary = ImportSummary()

    def run(self, lines: Iterable[bytes]) -> ImportSummary:
        """Apply `lines` (each with or without its line terminator)."""
        self.summary = ImportSummary()
        with fewer_collections(IMPORT_YOUNG):
            if self.workers > 1:
                self._run_parallel(enumerate(lines, start=1))
            else:
                for batch in _batches(enumerate(lines, start=1), self.batch_lines):
                    self._apply(batch, self.summary)
        return self.summary

    def _run_parallel(self, numbered: Iterable[tuple[int, bytes]]) -> None:
        """The writer of a parallel import: route the lines, then commit each
        batch's events (in line order) once every worker has decided its
        share, in batch order, one transaction each."""
        from collections import deque

        from adapters.config import load_config
        from adapters.import_workers import AHEAD, Done, Pool, Router, Task, batches

        config = self.config or load_config(store=self.hotline.url, environ={})
        pool = Pool(self.workers, config, self.max_line_bytes)
        try:
            source = batches(numbered, self.batch_lines, Router(self.workers))
            in_flight: deque[list[Task]] = deque()
            parts: dict[int, list[Done]] = {}
            more = True
            while True:
                while more and len(in_flight) < AHEAD:
                    tasks = next(source, None)
                    if tasks is None:
                        more = False
                        break
                    pool.send(tasks)
                    in_flight.append(tasks)
                if not in_flight:
                    return
                tasks = in_flight.popleft()
                batch = tasks[0].batch
                while len(parts.get(batch, ())) < self.workers:
                    done = pool.receive()
                    if done.error:
                        raise RuntimeError(f"an import worker failed: {done.error}")
                    parts.setdefault(done.batch, []).append(done)
                self._commit_parallel(tasks, parts.pop(batch))
                pool.committed.value = batch
        finally:
            pool.close()

    def _commit_parallel(self, tasks: list[Any], parts: list[Any]) -> None:
        raw = {number: line for task in tasks for number, line in task.lines}
        events = sorted((e for part in parts for e in part.events), key=lambda e: e[0])
        self.hotline.insert_stored([stored for _, batch in events for stored in batch])
        self.account(len(raw), [(number, raw[number], kind, reason)
                                for part in parts for number, kind, reason in part.results])

    def _apply(self, batch: list[tuple[int, bytes]], summary: ImportSummary) -> None:
        commands, rejects = parse_batch(batch, self.max_line_bytes)
        results = self.hotline.execute_batch([c for _, _, c in commands])
        outcomes: list[LineOutcome] = [(n, raw, REJECTED, why) for n, raw, why in rejects]
        for (number, raw, _), result in zip(commands, results, strict=True):
            if isinstance(result, WorkflowError):
                outcomes.append((number, raw, REJECTED, str(result)))
            else:
                outcomes.append((number, raw, DUPLICATE if result.duplicate else APPLIED, ""))
        self.account(len(batch), outcomes)

    def account(self, lines: int, outcomes: list[LineOutcome]) -> None:
        """Count a stored batch's lines into the summary, report its rejects
        in line order, then its progress. Counted only once the batch is
        stored: a store error leaves the summary at the last committed batch."""
        summary = self.summary
        summary.lines += lines
        applied = sum(1 for o in outcomes if o[2] == APPLIED)
        summary.duplicates += sum(1 for o in outcomes if o[2] == DUPLICATE)
        summary.applied += applied
        for number, raw, _, reason in sorted((o for o in outcomes if o[2] == REJECTED),
                                             key=lambda o: o[0]):
            summary.rejected += 1
            summary.rejects.append((number, reason))
            self.on_reject(number, raw, reason)
        self.progress(lines, applied)


APPLIED, DUPLICATE, REJECTED = "applied", "duplicate", "rejected"
LineOutcome = tuple[int, bytes, str, str]  # line number, raw line, what became of it, reason


def parse_batch(
    batch: list[tuple[int, bytes]], max_line_bytes: int
) -> tuple[list[tuple[int, bytes, Command]], list[tuple[int, bytes, str]]]:
    """The batch's commands and the lines that cannot become one (with why)."""
    commands: list[tuple[int, bytes, Command]] = []
    rejects: list[tuple[int, bytes, str]] = []
    for number, raw in batch:
        try:
            command = parse_line(raw, max_line_bytes)
        except (Rejected, WorkflowError) as e:
            rejects.append((number, raw, str(e)))
            continue
        except Exception as e:  # a defect in reading one line: that line only
            rejects.append((number, raw, f"could not be read ({type(e).__name__}: {e})"))
            continue
        commands.append((number, raw, command))
    return commands, rejects


def decide_lines(
    hotline: Hotline, task: Any, max_line_bytes: int, touched: dict[str, int],
    wait_for: Callable[[int], None],
) -> Any:
    """A parallel import worker's share of one batch (adapters.import_workers):
    parsed, validated, decided and encoded, nothing stored; a case this worker
    changed in a batch not committed yet and no longer cached is read from
    the store only once that batch is committed."""
    from adapters.import_workers import Done

    commands, rejects = parse_batch(task.lines, max_line_bytes)
    waits = [touched[r] for _, _, c in commands for r in cases_of(c)
             if r in touched and not hotline.is_cached(r)]
    if waits:
        wait_for(max(waits))
    decision = hotline.decide_batch([c for _, _, c in commands])
    results: list[tuple[int, str, str]] = [(n, REJECTED, reason) for n, _, reason in rejects]
    events: list[tuple[int, list[Any]]] = []
    for (number, _, command), result, new in zip(commands, decision.results, decision.events,
                                                 strict=True):
        if isinstance(result, WorkflowError):
            results.append((number, REJECTED, str(result)))
        elif result.duplicate:
            results.append((number, DUPLICATE, ""))
        else:
            results.append((number, APPLIED, ""))
            events.append((number, new))
            for ref in cases_of(command):
                touched[ref] = task.batch
    hotline.store_keys()  # per-case keys are stored before the events needing them
    hotline.remember(decision)
    return Done(0, task.batch, results, events)


def _batches(
    items: Iterator[tuple[int, bytes]], size: int
) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
