"""Commands: one pydantic model per action of spec §2, fields of spec §4.

A command is validated (types, known values, required fields) before the
aggregate checks the lifecycle rules; a malformed one raises
`InvalidCommand` naming the field. Every command has an idempotency key: the
given `id`, or one derived from its normalised content.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workflow.chain import canonical_json
from workflow.errors import InvalidCommand
from workflow.json_codec import plain_json
from workflow.vocabulary import (  # noqa: F401  (re-exported: the command's vocabulary)
    CALLBACK_RESULTS,
    CATEGORIES,
    CHANNELS,
    EARLIEST,
    LATEST,
    SHANGHAI,
    CallbackResult,
    Category,
    Channel,
    Urgency,
    local_time,
)

Text = Annotated[StrictStr, Field(max_length=20_000)]
UnitName = Annotated[StrictStr, Field(min_length=1, max_length=200)]
ClassificationCode = Annotated[StrictStr, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$")]


# What no text field may hold: NUL (PostgreSQL text cannot store it, so it
# is refused on every store alike) and lone UTF-16 surrogates (not Unicode
# characters: they cannot be encoded as UTF-8, hashed or stored).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Validation context of a caller that has already ruled them out: JSON text
# without any `\u` escape cannot hold either (raw NUL bytes and encoded
# surrogates are not valid JSON / UTF-8), so the import skips the walk.
TEXTS_CHECKED = "texts_checked"


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return f"contains a NUL character (U+0000) at offset {found.start()}"
    return f"contains a lone surrogate (U+{ord(char):04X}) at offset {found.start()}"


def _escaped(text: str) -> str:
    """`text` with NUL and lone surrogates written as \\uXXXX, for messages."""
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _check_texts(model: BaseModel, prefix: str = "") -> None:
    """Refuse any string field (nested or in a list) that cannot be stored."""
    for name, value in model.__dict__.items():
        where = f"{prefix}{name}"
        if isinstance(value, str):
            items: list[tuple[str, Any]] = [(where, value)]
        elif isinstance(value, (list, tuple)):
            items = [(f"{where}.{i}", v) for i, v in enumerate(value)]
        elif isinstance(value, BaseModel):
            _check_texts(value, f"{where}.")
            continue
        else:
            continue
        for at, text in items:
            reason = unstorable(text) if isinstance(text, str) else None
            if reason is not None:
                raise PydanticCustomError("unstorable_text", "field '{field}': {reason}",
                                          {"field": at, "reason": reason})


class Citizen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: StrictStr | None = None
    phone: StrictStr | None = None


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    case: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    action: str
    at: datetime
    id: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    operator: UnitName | None = None

    KEY_OMITS_IF_ABSENT: ClassVar[frozenset[str]] = frozenset()
    # Personal data never enters a derived key: the key is stored in clear
    # with the event, and a phone number is few enough digits to brute-force.
    KEY_EXCLUDES: ClassVar[frozenset[str]] = frozenset()

    @field_validator("at")
    @classmethod
    def _localise(cls, value: datetime) -> datetime:
        try:
            local = local_time(value)
        except OverflowError:  # e.g. 9999-12-31T20:00:00-12:00 is in year 10000 locally
            local = None
        if local is None or not EARLIEST <= local.date() <= LATEST:
            raise PydanticCustomError(
                "date_out_of_range",
                "{value} is outside the supported range of business dates "
                "({earliest} to {latest}, Asia/Shanghai): its deadlines cannot be computed",
                {"value": value.isoformat(), "earliest": EARLIEST.isoformat(),
                 "latest": LATEST.isoformat()})
        return local

    @model_validator(mode="after")
    def _storable(self, info: ValidationInfo) -> Command:
        if not (info.context and info.context.get(TEXTS_CHECKED)):
            _check_texts(self)
        return self

    @cached_property  # asked for twice per command; the model is frozen
    def key(self) -> str:
        """The idempotency key: the given id, or a hash of the content."""
        if self.id is not None:
            return self.id
        # Fields added after a line format was in use are left out of the key
        # when absent, so re-importing an old file still finds its duplicates.
        late = {f for f in self.KEY_OMITS_IF_ABSENT if getattr(self, f, None) is None}
        return self._derived_key(exclude={"id", *late, *self.KEY_EXCLUDES})

    @property
    def legacy_keys(self) -> tuple[str, ...]:
        """Keys this command had under an earlier derivation (before personal
        data was left out), so re-importing old files still finds duplicates."""
        if self.id is not None or not self.KEY_EXCLUDES:
            return ()
        late = {f for f in self.KEY_OMITS_IF_ABSENT if getattr(self, f, None) is None}
        return (self._derived_key(exclude={"id", *late}),)

    def _derived_key(self, exclude: set[str]) -> str:
        content = self.model_dump(mode="json", exclude=exclude)
        # json.dumps(sort_keys, compact, UTF-8), through orjson when it is the same bytes
        canon = plain_json(content, sort_keys=True) or canonical_json(content).encode()
        return "sha256:" + hashlib.sha256(canon).hexdigest()[:32]


class Receive(Command):
    action: Literal["receive"] = "receive"
    channel: Channel
    category: Category
    urgency: Urgency = "normal"
    content: Text
    township: UnitName | None = None
    topic: UnitName | None = None
    citizen: Citizen | None = None
    anonymous: StrictBool = False
    # The 12345 classification code of GB/T 39666-2020 (诉求分类代码), as written.
    classification: ClassificationCode | None = None

    KEY_OMITS_IF_ABSENT: ClassVar[frozenset[str]] = frozenset({"classification"})
    KEY_EXCLUDES: ClassVar[frozenset[str]] = frozenset({"citizen"})


class Assign(Command):
    action: Literal["assign"] = "assign"
    lead: UnitName
    co_units: list[UnitName] = Field(default_factory=list)


class Acknowledge(Command):
    action: Literal["acknowledge"] = "acknowledge"
    unit: UnitName


class Return(Command):
    action: Literal["return"] = "return"
    unit: UnitName
    reason: Text


class Extend(Command):
    action: Literal["extend"] = "extend"
    days: StrictInt
    reason: Text = ""


class Urge(Command):
    action: Literal["urge"] = "urge"
    reason: Text = ""


class Contribute(Command):
    action: Literal["contribute"] = "contribute"
    unit: UnitName
    text: Text


class Reply(Command):
    action: Literal["reply"] = "reply"
    unit: UnitName
    text: Text


class Answer(Command):
    action: Literal["answer"] = "answer"
    text: Text


class Callback(Command):
    action: Literal["callback"] = "callback"
    result: CallbackResult
    # hotline-spec/2: whether the citizen says the problem was solved (问题是否解决)
    resolved: StrictBool | None = None

    KEY_OMITS_IF_ABSENT: ClassVar[frozenset[str]] = frozenset({"resolved"})


class Reopen(Command):
    action: Literal["reopen"] = "reopen"
    reason: Text
    lead: UnitName | None = None
    co_units: list[UnitName] | None = None


class Close(Command):
    action: Literal["close"] = "close"
    waive_callback: StrictBool = False
    reason: Text | None = None


class Contact(Command):
    """hotline-spec/2: the lead's first contact with the citizen (先行联系)."""

    action: Literal["contact"] = "contact"
    unit: UnitName
    text: Text | None = None


class Reassign(Command):
    """hotline-spec/2: the office re-routes an assigned case (改派)."""

    action: Literal["reassign"] = "reassign"
    lead: UnitName
    co_units: list[UnitName] = Field(default_factory=list)
    reason: Text


class Merge(Command):
    """hotline-spec/2: a repeat request folded into the case it repeats (并单)."""

    action: Literal["merge"] = "merge"
    into: Annotated[StrictStr, Field(min_length=1, max_length=200)]


AnyCommand = Annotated[
    Receive | Assign | Acknowledge | Return | Extend | Urge
    | Contribute | Reply | Answer | Callback | Reopen | Close
    | Contact | Reassign | Merge,
    Field(discriminator="action"),
]
COMMANDS: dict[str, type[Command]] = {
    c.model_fields["action"].default: c
    for c in (Receive, Assign, Acknowledge, Return, Extend, Urge,
              Contribute, Reply, Answer, Callback, Reopen, Close,
              Contact, Reassign, Merge)
}
_ADAPTER: TypeAdapter[Command] = TypeAdapter(AnyCommand)


def describe(error: ValidationError) -> str:
    """pydantic's errors as one line: `field 'x': message; ...`."""
    parts = []
    for e in error.errors(include_url=False):
        loc = [str(p) for p in e["loc"] if p not in COMMANDS]  # drop the union tag
        where = _escaped(".".join(loc))
        msg = e["msg"]
        if e["type"] in UNKNOWN_VALUE:  # name the value that is not one of the known ones
            msg += f" (given {_shown(e['input'])})"
        parts.append(f"field '{where}': {msg}" if where else msg)
    return "; ".join(parts)


UNKNOWN_VALUE = frozenset({"literal_error", "enum"})


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else "'" + value + "'"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_command(data: dict[str, Any] | Command) -> Command:
    """Validate one action given as a mapping (an import line) or a model."""
    if isinstance(data, Command):
        return data
    if not isinstance(data, dict):
        raise InvalidCommand(f"expected a JSON object, got {type(data).__name__}")
    case = data.get("case") if isinstance(data.get("case"), str) else None
    if case is not None and unstorable(case):  # named in the message, escaped
        case = _escaped(case)
    action = data.get("action")
    if action is None:
        raise InvalidCommand("field 'action': missing", case)
    if not isinstance(action, str):
        raise InvalidCommand(f"field 'action': expected a string, got {json_type(action)}", case)
    if action not in COMMANDS:
        known = ", ".join(COMMANDS)
        raise InvalidCommand(f"field 'action': unknown action {action!r} (one of {known})", case)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as e:
        raise InvalidCommand(describe(e), case) from None


def json_type(value: Any) -> str:
    """How a JSON value's type is named in messages."""
    names = {list: "an array", dict: "an object", str: "a string", bool: "a boolean",
             type(None): "null"}
    return names.get(type(value), "a number")


def build_command(action: str, case: str, fields: dict[str, Any]) -> Command:
    """A command from the embedded API's keyword arguments."""
    return parse_command({"case": case, "action": action, **fields})


class RecordRepeat(Command):
    """Internal command (not in the import format): the case a repeat is
    merged into records the repeat, in the merge's transaction, under the
    merge's idempotency key."""

    action: str = "record_repeat"
    repeat: str
