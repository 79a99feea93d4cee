"""`hotline import --workers N`: cases partitioned across N processes.

Each worker process parses, validates, decides and encodes the lines of its
own cases (a case belongs to worker `crc32(reference) % N`), over its own
engine on the same store; the importing process reads the file, routes each
line, and is the one writer: it commits batch after batch, in file order,
each in one transaction, exactly as with one worker (the same batches, the
same rejects with their line numbers in order, the same progress, the same
summary). Within a batch the events are stored in the order of their lines,
so the log's global order is the file's, as with one worker.

Consistency. A worker keeps its cases in its engine's cache and reads a
case from the store only when it has not seen it in a batch that is not
committed yet: it waits for the writer to commit that batch first (a shared
counter of committed batches). A line that concerns a case another worker
has written (a merge, hotline-spec/2: `case` and `into`) is ordered: its
batch is cut before it, the owner of its `case` forgets both cases and waits
until every earlier batch is committed, then reads them from the store; the
case written there is then the new worker's until another such line. So a
merge's two cases are always decided together, by one worker, over what is
stored.

Failure. A line's reason is the same text as with one worker. If the store
refuses a batch (another writer got there first) the import stops at the
last committed batch; run it again (every committed line is a duplicate
then). A worker whose parent is killed (SIGKILL) notices within a second
and exits.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from adapters.config import Config, open_hotline
from workflow.json_codec import loads

POLL = 0.5  # seconds between checks that the parent is alive
AHEAD = 4  # batches sent to the workers before the oldest must be committed
PRUNE = 100_000  # cases remembered as changed before the committed ones are forgotten

# The result of one line: ("applied" | "duplicate" | "rejected", reason)
LineResult = tuple[int, str, str]


def owner(ref: str, workers: int) -> int:
    return zlib.crc32(ref.encode("utf-8")) % workers


def refs_of(raw: bytes) -> tuple[str, ...]:
    """The case references a line concerns (its `case`, and a merge's
    `into`), or () for a line that is not a JSON object with a string case."""
    try:
        data = loads(raw)  # orjson, or json for what orjson refuses: json.loads's value
    except (ValueError, RecursionError):
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("case"), str):
        return ()
    into = data.get("into")
    return (data["case"], into) if isinstance(into, str) and into != data["case"] else (
        data["case"],)


@dataclass
class Task:
    """One worker's share of one batch."""

    batch: int
    lines: list[tuple[int, bytes]]
    reload: list[str] = field(default_factory=list)  # forget these, wait for batch-1


@dataclass
class Done:
    worker: int
    batch: int
    results: list[LineResult]
    events: list[tuple[int, list[Any]]]  # (line number, its stored events)
    error: str | None = None


class Router:
    """Which worker decides each line, and where a batch must be cut."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.foreign: dict[str, int] = {}  # case -> worker that last wrote it, if not its owner

    def route(self, raw: bytes, number: int) -> tuple[int, list[str]]:
        """(worker, cases it must reload from the store first)."""
        refs = refs_of(raw)
        if not refs:  # not a command: any worker rejects it the same way
            return number % self.workers, []
        chosen = owner(refs[0], self.workers)
        reload = []
        for ref in refs:
            previous = self.foreign.get(ref, owner(ref, self.workers))
            if previous != chosen:
                reload.append(ref)
            if chosen == owner(ref, self.workers):
                self.foreign.pop(ref, None)
            else:
                self.foreign[ref] = chosen
        return chosen, reload


def batches(
    numbered: Iterable[tuple[int, bytes]], size: int, router: Router
) -> Iterator[list[Task]]:
    """The tasks of each batch: `size` lines, cut before a line that must
    reload a case another worker wrote (it starts the next batch)."""
    number_of_batch = 0

    def fresh() -> list[Task]:
        return [Task(number_of_batch, []) for _ in range(router.workers)]

    tasks, count = fresh(), 0
    for number, raw in numbered:
        worker, reload = router.route(raw, number)
        if reload and count:
            yield tasks
            number_of_batch += 1
            tasks, count = fresh(), 0
        if reload:
            tasks[worker].reload.extend(reload)
        tasks[worker].lines.append((number, raw))
        count += 1
        if count >= size:
            yield tasks
            number_of_batch += 1
            tasks, count = fresh(), 0
    if count:
        yield tasks


def work(index: int, config: Config, max_line_bytes: int, tasks: Any, results: Any,
         committed: Any) -> None:
    """A worker process: decide its share of each batch, in batch order
    (with the collector's thresholds of the one-process import)."""
    import time

    from adapters.importer import decide_lines
    from workflow.collector import IMPORT_YOUNG, fewer_collections

    parent = multiprocessing.parent_process()
    hotline = open_hotline(config)
    touched: dict[str, int] = {}  # case -> the last batch that changed it

    def wait_for(batch: int) -> None:
        while committed.value < batch:
            if parent is not None and not parent.is_alive():
                raise SystemExit(0)
            time.sleep(0.001)

    with fewer_collections(IMPORT_YOUNG):
        try:
            while True:
                try:
                    task = tasks.get(timeout=POLL)
                except queue.Empty:
                    if parent is not None and not parent.is_alive():
                        return
                    continue
                if task is None:
                    return
                try:
                    if task.reload:
                        hotline.forget(task.reload)
                        wait_for(task.batch - 1)
                    done = decide_lines(hotline, task, max_line_bytes, touched, wait_for)
                except Exception as e:  # reported to the writer, which stops the import
                    done = Done(index, task.batch, [], [], error=f"{type(e).__name__}: {e}")
                done.worker = index
                results.put(done)
                if len(touched) > PRUNE:  # forget what is committed: bounded memory
                    for ref in [r for r, b in touched.items() if b <= committed.value]:
                        del touched[ref]
        finally:
            hotline.close()


def start_method() -> str:
    """How workers start: forked where the system can, else spawned."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class Pool:
    """The worker processes of one import and their queues."""

    def __init__(self, workers: int, config: Config, max_line_bytes: int) -> None:
        # Forked where the system can, as the rebuild's workers are: a worker
        # starts with the engine its parent has imported already (spawned,
        # each paid about 0.3 s of CPU to import it again:
        # docs/performance.md). It opens connections of its own (`work`) and
        # never touches the ones it inherits, which the parent holds outside
        # any transaction here. Spawned where there is no fork (Windows).
        context: Any = multiprocessing.get_context(start_method())
        gc.collect()  # no garbage of the parent's (a connection, say) for a worker to finalise
        self.committed = context.Value("q", -1, lock=False)
        self.results: Any = context.Queue()
        self.tasks: list[Any] = [context.Queue() for _ in range(workers)]
        self.processes = [
            context.Process(target=work, name=f"hotline-import-{i}", daemon=True,
                            args=(i, config, max_line_bytes, self.tasks[i], self.results,
                                  self.committed))
            for i in range(workers)
        ]
        for process in self.processes:
            process.start()

    def send(self, tasks: list[Task]) -> None:
        for q, task in zip(self.tasks, tasks, strict=True):
            q.put(task)

    def receive(self) -> Done:
        while True:
            try:
                done: Done = self.results.get(timeout=POLL)
                return done
            except queue.Empty:
                dead = [p.name for p in self.processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(f"import worker {dead[0]} died") from None

    def close(self) -> None:
        for q in self.tasks:
            q.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
