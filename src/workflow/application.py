"""The application service: `Hotline`, the engine as an embedded library.

It takes and returns plain values: each action method validates its
command, loads the case, lets the aggregate check the lifecycle rules and
record the event, and saves it. `execute_batch` does the same for many
commands in one transaction (the bulk import's path).
"""

from __future__ import annotations

import random
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent

from workflow import lifecycle
from workflow.bulk import SlimCase, StoredForm
from workflow.calendar import Calendar, default_calendar
from workflow.case import Case, case_id
from workflow.errors import (
    CaseAlreadyExists,
    CaseNotFound,
    ConcurrencyConflict,
    Undecidable,
    WorkflowError,
)
from workflow.lifecycle import Decision
from workflow.personal import PersonalDataUnavailable, is_sealed
from workflow.ports import EventStreams, StreamRow
from workflow.state import Evolving
from workflow.store_url import DEFAULT_STORE, prepare_store
from workflow.vocabulary import SHANGHAI, local_time

if TYPE_CHECKING:  # pydantic models: imported when a command is first decided, so that
    # the read side (which opens a Hotline for its log) starts without them
    from workflow.commands import Command
    from workflow.policy import PolicyBook
    from workflow.view import CaseView

CitizenCodec = Callable[[str, dict[str, Any] | None], dict[str, Any] | None]


def _plain_citizen(case: str, citizen: dict[str, Any] | None) -> dict[str, Any] | None:
    return citizen


@dataclass
class BatchDecision:
    """A decided batch, not stored yet: per command its outcome (or the
    error that rejected it) and the events it recorded; the cases touched."""

    results: list[Outcome | WorkflowError]
    events: list[list[StoredEvent]]  # the stored rows (empty on the path through save())
    cases: dict[UUID, SlimCase] | dict[UUID, Case]


@dataclass(frozen=True)
class Outcome:
    """What became of one command: applied (new version) or a duplicate."""

    case: str
    version: int
    duplicate: bool


# The one cache of cases (the batch path's, slim cases): 627 bytes per cached
# open case (bench/case_memory.py), so the default bound is ~10 MiB at most.
# Chosen at a megacity's density (bench/cache_hits.py, docs/performance.md "The
# one cache of cases"): 16,384 keeps a 200,000-case megacity import at 75 MiB
# against 123 at 65,536, for 3-19% more CPU an event in two runs (0.35
# read-backs a line against 0.11); a county's year keeps at most ~1,300 cases
# open, so it reads nothing back at either bound. Cases in a final state are
# not kept: nothing more can happen to them (a re-imported line for one reads
# it back in its batch's bulk read).
CASE_CACHE = 16_384


def _final_states() -> frozenset[str]:
    """States the lifecycle table leads out of by no row."""
    rows = (*lifecycle.TABLE, *lifecycle.INTERNAL)
    return frozenset(s for s in lifecycle.STATES if not any(s in r.sources for r in rows))


class Hotline(Application[UUID]):
    """The hotline case workflow engine.

    eventsourcing's own repository cache stays off (`AGGREGATE_CACHE_MAXSIZE`
    unset: in 9.5.6 a value of 0 would make it unbounded): `execute` reads
    the case from the store every time, so two processes writing one store
    decide over what is stored; the batch path keeps one bounded LRU of
    cases (`case_cache`, see `CASE_CACHE`)."""

    name = "Hotline"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        policies: PolicyBook | Callable[[], PolicyBook] | None = None,
        calendar: Calendar | None = None,
        citizen_codec: CitizenCodec | None = None,
        url: str | None = None,
        streams: EventStreams | None = None,
        case_cache: int = CASE_CACHE,
    ) -> None:
        super().__init__(env)
        if case_cache < 0:
            raise ValueError(f"case_cache must be 0 or more, got {case_cache}")
        self.case_cache = case_cache
        self.url = url
        # The bulk read/write of the store (persistence.streams_for), given by
        # the composition root; without it a batch reads case by case.
        self.streams = streams
        # a book, or how to load it when a command is first decided
        self._policies = policies
        self.calendar = calendar or default_calendar()
        # Seam for personal data protection: turns the citizen object of a
        # receive into what is stored (e.g. encrypted with a per-case key).
        self.citizen_codec = citizen_codec or _plain_citizen
        self._loaded: OrderedDict[UUID, Case | SlimCase] = OrderedDict()  # the batch path's LRU
        self._absent: set[UUID] = set()  # cases of the current batch not in the store

    @classmethod
    def open(cls, url: str = DEFAULT_STORE, *, create: bool = True, **options: Any) -> Hotline:
        """Open the store at `url` (sqlite:///path.db, sqlite:///:memory:,
        postgresql://user@host:port/dbname[?schema=s&connect_timeout=5]).
        `create=False` opens an existing store only (`StoreUnavailable`
        when there is none: a reader never creates one)."""
        return cls(prepare_store(url, create=create), url=url, **options)

    # -- one method per action ------------------------------------------------

    def receive(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "receive", **fields})

    def assign(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "assign", **fields})

    def acknowledge(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "acknowledge", **fields})

    def return_case(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "return", **fields})

    def extend(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "extend", **fields})

    def urge(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "urge", **fields})

    def contribute(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "contribute", **fields})

    def reply(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "reply", **fields})

    def answer(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "answer", **fields})

    def callback(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "callback", **fields})

    def reopen(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "reopen", **fields})

    def contact(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "contact", **fields})

    def reassign(self, case: str, **fields: Any) -> int:
        return self.execute({"case": case, "action": "reassign", **fields})

    def merge(self, case: str, **fields: Any) -> int:
        """Merge the repeat `case` into `into`: both cases' events are stored
        in one transaction, or neither (spec §2)."""
        return self.execute({"case": case, "action": "merge", **fields})

    def close_case(self, case: str, **fields: Any) -> int:
        """The `close` action (办结). Not `close()`: that is eventsourcing's
        `Application.close()`, which releases the store."""
        return self.execute({"case": case, "action": "close", **fields})

    def execute(self, command: dict[str, Any] | Command) -> int:
        """Apply one action (an import line as a dict, or a command model);
        returns the case's new version (its current one for a duplicate)."""
        from workflow.commands import parse_command

        cmd = parse_command(command)
        pending: dict[UUID, Case] = {}
        outcome = self._decide(cmd, pending, cached=False)
        self._save(pending.values(), cmd.case)
        for agg_id in pending:  # the batch cache's copy is now behind the store
            self._loaded.pop(agg_id, None)
        return outcome.version

    # -- many commands, one transaction ----------------------------------------

    def execute_batch(
        self, commands: Sequence[Command]
    ) -> list[Outcome | WorkflowError]:
        """Apply commands in order and store every accepted one in a single
        transaction. A rejected command yields its error in its place and
        stores nothing; the others are unaffected. If another writer got
        there first, the whole batch is decided again from the store, after
        a growing pause (`retrying_conflicts`), up to BATCH_ATTEMPTS times."""
        return retrying_conflicts(lambda: self._batch_once(commands), self._loaded.clear)

    def _batch_once(self, commands: Sequence[Command]) -> list[Outcome | WorkflowError]:
        try:
            if self._bulk():
                decision = self.decide_batch(commands)
                self._insert([e for events in decision.events for e in events], decision.cases)
            else:
                decision = self._decide_saving(commands)
        except BaseException:
            self._loaded.clear()  # cached cases may hold events that were not stored
            raise
        self.remember(decision)
        return decision.results

    def decide_batch(self, commands: Sequence[Command]) -> BatchDecision:
        """Decide `commands` in order over the cached and stored cases and
        store nothing: each accepted command's new events as stored rows, in
        command order (the order one `execute` per command would store them
        in). The caller stores them (the store's bulk write), then
        `remember`s the decision; a parallel import does so in another
        process.

        The cases are slim (workflow.bulk.SlimCase: the facts the decider
        reads, no aggregate) and the rows are built directly, byte for byte
        what `execute` stores (tests/workflow/test_bulk_write.py)."""
        pending = self._prefetch(commands)
        form = self._stored_form
        results: list[Outcome | WorkflowError] = []
        events: list[list[StoredEvent]] = []
        rows: list[StoredEvent] = []  # the rows of the command being decided

        def start(agg_id: UUID, decision: Decision, cmd: Command, citizen: Any) -> SlimCase:
            case = SlimCase(agg_id)
            rows.append(form.record(case, decision, cmd, citizen=citizen))
            return case

        def record(case: SlimCase, decision: Decision, cmd: Command) -> None:
            rows.append(form.record(case, decision, cmd))

        for cmd in commands:
            try:
                results.append(self._dispatch(cmd, pending, self._load_slim, start, record))
            except WorkflowError as error:
                results.append(error)
                rows.clear()
            new = rows.copy()
            rows.clear()
            if len(new) == 2 and new[0].originator_id != new[1].originator_id:
                new.reverse()  # a merge: the `into` case first, as execute()'s save() stores them
            events.append(new)
        return BatchDecision(results, events, pending)

    @cached_property
    def _stored_form(self) -> StoredForm:
        return StoredForm(self.mapper)

    def _decide_saving(self, commands: Sequence[Command]) -> BatchDecision:
        """A batch without the bulk write: decided over aggregates one case
        at a time, then saved by `save()`."""
        self._absent = set()
        pending: dict[UUID, Case] = {}
        results = [self._try(cmd, pending) for cmd in commands]
        self._save(pending.values(), "(batch)")
        return BatchDecision(results, [], pending)

    def remember(self, decision: BatchDecision) -> None:
        """Keep a stored decision's cases in the cache."""
        for agg_id, agg in decision.cases.items():
            self._remember(agg_id, agg)

    def forget(self, refs: Iterable[str]) -> None:
        """Drop cases from the cache (another process changed them)."""
        for ref in refs:
            self._loaded.pop(case_id(ref), None)

    def is_cached(self, ref: str) -> bool:
        return case_id(ref) in self._loaded

    @cached_property
    def policies(self) -> PolicyBook:
        """The deadline policies in force by date (spec §3): loaded when
        first needed, so that opening the engine only to read its log (the
        read side, the audit) builds no pydantic model."""
        from workflow.policy import PolicyBook

        given = self._policies
        if given is None:
            return PolicyBook()
        return given if isinstance(given, PolicyBook) else given()

    def _bulk(self) -> bool:
        """Whether batches go through the store's bulk write (not with
        snapshots, which `save()` takes)."""
        return self.streams is not None and self.snapshots is None

    def _prefetch(self, commands: Sequence[Command]) -> dict[UUID, SlimCase]:
        """The slim cases of a batch that are not cached, read in one query
        each chunk (one `repository.get` per case costs a round trip per
        line). Cases that do not exist are simply absent from the result;
        the `_absent` set spares asking the store about them again."""
        from workflow.commands import Merge

        refs = {c.case for c in commands} | {c.into for c in commands if isinstance(c, Merge)}
        wanted = {i for i in {case_id(r) for r in refs} if i not in self._loaded}
        self._absent = set()
        if not wanted:
            return {}
        found = self._read_slim(wanted)
        self._absent = wanted - found.keys()
        return found

    def _read_slim(self, ids: set[UUID]) -> dict[UUID, SlimCase]:
        """The slim cases of `ids` that are stored, from their stored events
        (read as the mapper reads them: `StoredForm.read`)."""
        form = self._stored_form
        found: dict[UUID, SlimCase] = {}
        streams: Iterable[tuple[UUID, Sequence[StreamRow]]]
        if self.streams is not None:
            streams = self.streams.select(ids)
        else:  # no bulk read (the in-memory recorder): one case at a time
            streams = ((i, [(e.originator_version, e.topic, e.state) for e in s])
                       for i in ids if (s := self.recorder.select_events(i)))
        for agg_id, rows in streams:
            case = found[agg_id] = SlimCase(agg_id)
            case.replay(rows, form)
        return found

    def _load_slim(self, agg_id: UUID) -> SlimCase | None:
        if agg_id in self._loaded:
            self._loaded.move_to_end(agg_id)
            return self._loaded[agg_id]  # type: ignore[return-value]
        if agg_id in self._absent:
            return None
        return self._read_slim({agg_id}).get(agg_id)

    def _try(self, cmd: Command, pending: dict[UUID, Case]) -> Outcome | WorkflowError:
        try:
            return self._decide(cmd, pending, cached=True)
        except WorkflowError as error:
            return error

    def _decide(self, cmd: Command, pending: dict[UUID, Case], cached: bool) -> Outcome:
        """`_dispatch` over aggregates: their events pending, for `save()`."""

        def start(agg_id: UUID, decision: Decision, cmd: Command, citizen: Any) -> Case:
            return Case.start(decision, cmd, citizen)

        def record(case: Case, decision: Decision, cmd: Command) -> None:
            case.record(decision, cmd)

        return self._dispatch(cmd, pending, lambda i: self._load(i, cached), start, record)

    def _dispatch(
        self, cmd: Command, pending: dict[UUID, Any], load: Callable[[UUID], Any],
        start: Callable[[UUID, Decision, Command, Any], Any],
        record: Callable[[Any, Decision, Command], None],
    ) -> Outcome:
        """The one dispatch of a command over the cases of a batch, aggregates
        (`execute`, `save()`) or slim cases (the bulk path): idempotency, the
        case's existence, the decider (lifecycle.decide / decide_merge) and
        recording. `load(id)` finds a case not in `pending`; `start(id,
        decision, cmd, citizen)` makes a receive's new case, its first event
        recorded (`citizen`: what is stored of the citizen); `record(case,
        decision, cmd)` records the decided event on a case.

        Any unexpected error before anything was recorded (a defect, not a
        broken rule) is `Undecidable` for this one command, so an import
        rejects the line and goes on. A store failure (PersistenceError)
        stays what it is; so does an error raised after a case recorded an
        event, which cannot be taken back safely."""
        recorded = [0]  # events recorded so far, counted by _dispatched
        try:
            return self._dispatched(cmd, pending, load, start, record, recorded)
        except (WorkflowError, PersistenceError):
            raise
        except Exception as error:
            if recorded[0]:
                raise
            raise Undecidable(cmd.case, error) from error

    def _dispatched(
        self, cmd: Command, pending: dict[UUID, Any], load: Callable[[UUID], Any],
        start: Callable[[UUID, Decision, Command, Any], Any],
        record: Callable[[Any, Decision, Command], None], recorded: list[int],
    ) -> Outcome:
        from workflow.commands import Merge, Receive

        agg_id = case_id(cmd.case)
        case = pending.get(agg_id) or load(agg_id)
        if case is not None and _seen(cmd, case):
            return Outcome(cmd.case, case.version, duplicate=True)
        if isinstance(cmd, Merge):
            # both halves decided, then both recorded (nothing when either is
            # rejected); both cases go into `pending`: one transaction
            if case is None:
                raise CaseNotFound(cmd.case)
            target_id = case_id(cmd.into)
            target = case if target_id == agg_id else (pending.get(target_id) or load(target_id))
            policy = self.policies.in_force(cmd.at.date())
            merged, repeat = lifecycle.decide_merge(case, target, cmd, policy, self.calendar)
            assert target is not None
            record(case, merged, cmd)
            recorded[0] += 1
            record(target, repeat, cmd)
            recorded[0] += 1
            pending[target_id] = target
        elif isinstance(cmd, Receive):
            if case is not None:
                raise CaseAlreadyExists(cmd.case)
            policy = self.policies.in_force(cmd.at.date())
            decision = lifecycle.decide(None, cmd, policy, self.calendar)
            citizen = self.citizen_codec(
                cmd.case, cmd.citizen.model_dump() if cmd.citizen else None
            )
            case = start(agg_id, decision, cmd, citizen)
            recorded[0] += 1
        else:
            if case is None:
                raise CaseNotFound(cmd.case)
            policy = self.policies.in_force(cmd.at.date())
            record(case, lifecycle.decide(case, cmd, policy, self.calendar), cmd)
            recorded[0] += 1
        pending[agg_id] = case
        return Outcome(cmd.case, case.version, duplicate=False)

    def _load(self, agg_id: UUID, cached: bool) -> Case | None:
        if cached and agg_id in self._loaded:
            self._loaded.move_to_end(agg_id)
            return self._loaded[agg_id]  # type: ignore[return-value]
        if cached and agg_id in self._absent:
            return None
        try:
            return self.repository.get(agg_id)  # type: ignore[return-value]
        except AggregateNotFoundError:
            return None

    def _remember(self, agg_id: UUID, case: Case | SlimCase) -> None:
        if case.state in _FINAL or not self.case_cache:
            self._loaded.pop(agg_id, None)
            return
        self._loaded[agg_id] = case
        self._loaded.move_to_end(agg_id)
        if len(self._loaded) > self.case_cache:
            self._loaded.popitem(last=False)

    def _save(self, cases: Iterable[Case], ref: str) -> None:
        cases = list(cases)
        if not cases:
            return
        # the versions read, before save() collects the pending events
        bases = {case.id: case.version - len(case._pending_events) for case in cases}
        try:
            self._flush_keys()
            self.save(*cases)
        except IntegrityError:
            for case in cases:  # nothing was stored: drop the unsaved events
                case.collect_events()
            self._loaded.clear()
            raise ConcurrencyConflict(
                cases[0].ref if len(cases) == 1 else self._moved(cases, bases, ref)
            ) from None

    def _moved(
        self, cases: Sequence[Case | SlimCase], bases: dict[UUID, int], ref: str
    ) -> str:
        """The reference of a case another writer moved on since it was read
        (asked only after a conflict), or `ref` when none is found (the
        clash was on a per-case key, or the other writer rolled back)."""
        for case in cases:
            try:
                newer = self.recorder.select_events(case.id, gt=bases[case.id], limit=1)
            except PersistenceError:
                break
            if newer:
                return case.ref
        vault_clashes = getattr(self.citizen_codec, "_look_up", None)
        for case in cases:
            if vault_clashes and case.ref in vault_clashes:
                return case.ref
        return ref

    def insert_stored(self, stored: Sequence[StoredEvent]) -> None:
        """Store encoded events, in the order given, in one transaction
        (ConcurrencyConflict if another writer took one of their versions)."""
        self._insert(stored, {})

    def store_keys(self) -> None:
        """Store the per-case keys the citizen codec made (before the events
        that need them)."""
        self._flush_keys()

    def _insert(
        self, stored: Sequence[StoredEvent], cases: dict[UUID, SlimCase] | dict[UUID, Case]
    ) -> None:
        """Store a batch's encoded events, in the order given, in one
        transaction, through the recorder's `insert_events`: the rows
        `save()` writes (it encodes with the same mapper and calls the same
        method, plus bookkeeping for snapshots and followers this application
        has none of)."""
        if not stored:
            return
        assert self.streams is not None
        try:
            self._flush_keys()
            self.streams.insert(stored)
        except IntegrityError:
            self._loaded.clear()
            new = Counter(UUID(str(e.originator_id)) for e in stored)
            touched = [c for i, c in cases.items() if i in new]
            bases = {c.id: c.version - new[c.id] for c in touched}
            ref = self._moved(touched, bases, "") if touched else self._moved_stored(stored)
            raise ConcurrencyConflict(ref or "(batch)") from None

    def _moved_stored(self, stored: Sequence[StoredEvent]) -> str:
        """The reference of a case whose next version, in encoded events that
        failed to store, another writer took first ("" when none is found)."""
        first: dict[UUID, int] = {}
        for event in stored:
            first.setdefault(UUID(str(event.originator_id)), event.originator_version)
        for agg_id, version in first.items():
            try:
                if not self.recorder.select_events(agg_id, gt=version - 1, limit=1):
                    continue
                created = self.recorder.select_events(agg_id, lte=1, limit=1)
                return str(getattr(self.mapper.to_domain_event(created[0]), "ref", agg_id))
            except (PersistenceError, IndexError):
                break
        return ""

    def _flush_keys(self) -> None:
        flush = getattr(self.citizen_codec, "flush", None)
        if flush is not None:  # per-case keys are stored before the events needing them
            flush()

    # -- reads -------------------------------------------------------------------

    def events_of(self, ref: str) -> list[Case.Event]:
        return list(self.events.get(case_id(ref)))  # type: ignore[arg-type]

    def citizen(self, ref: str) -> dict[str, Any] | None:
        """The citizen's personal data as received, decrypted when the codec
        holds the key. Explicit on purpose: no read, export or log has it."""
        first = next(iter(self.events.get(case_id(ref), lte=1)), None)
        if first is None:
            raise CaseNotFound(ref)
        stored = first.citizen  # type: ignore[attr-defined]
        reveal = getattr(self.citizen_codec, "reveal", None)
        if reveal is not None:
            return reveal(ref, stored)  # type: ignore[no-any-return]
        if is_sealed(stored):
            raise PersonalDataUnavailable(ref, "it is encrypted and no key is configured")
        return stored  # type: ignore[no-any-return]

    def case(
        self,
        ref: str,
        version: int | None = None,
        as_of: datetime | date | None = None,
        today: date | None = None,
    ) -> CaseView:
        """The case at `version`, or as it stood at business time `as_of`
        (a date means the end of that day); lights relative to `today`
        (default: the as-of date, else today in Asia/Shanghai)."""
        events = self.events_of(ref)
        if not events:
            raise CaseNotFound(ref)
        if version is not None:
            events = [e for e in events if e.originator_version <= version]
        if as_of is not None:
            limit = _end_of(as_of)
            events = [e for e in events if e.at <= limit]
        if not events:
            raise CaseNotFound(f"{ref} (nothing had happened by then)")
        case = replay(events)
        ref_day = today or (limit.date() if as_of is not None else datetime.now(SHANGHAI).date())
        from workflow.view import read_case

        return read_case(case, events, self.calendar, ref_day)


_FINAL = _final_states()


def cases_of(cmd: Command) -> tuple[str, ...]:
    """The cases a command concerns: its own, and a merge's `into`."""
    into = cmd.__dict__.get("into")
    return (cmd.case, into) if isinstance(into, str) and into != cmd.case else (cmd.case,)


BATCH_ATTEMPTS = 12  # about 20 s of pauses in all before a conflict is given up


def retrying_conflicts(
    attempt: Callable[[], Any], reset: Callable[[], None], attempts: int | None = None,
    pause: float = 0.02, sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """`attempt()` again while it raises ConcurrencyConflict (another writer
    stored events of one of its cases first), with exponential backoff and
    jitter (0.02 s doubling to at most 4 s), `attempts` times at most; then
    the conflict, naming its case, is raised. `reset()` runs before each
    retry (drop what was read)."""
    attempts = attempts or BATCH_ATTEMPTS
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except ConcurrencyConflict:
            reset()
            if number == attempts:
                raise
            sleep(min(4.0, pause * 2 ** (number - 1)) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def _seen(cmd: Command, case: Evolving) -> bool:
    """Whether the case already recorded this command (idempotency)."""
    return cmd.key in case.applied or any(k in case.applied for k in cmd.legacy_keys)


def _end_of(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return local_time(moment)
    return datetime(moment.year, moment.month, moment.day, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def replay(events: Iterable[Case.Event]) -> Case:
    """Fold events into a case, exactly as the repository does."""
    case: Any = None
    for event in events:
        case = event.mutate(case)
    assert isinstance(case, Case)
    return case
