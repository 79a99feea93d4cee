"""The questions the read side answers besides the report, registered once.

A question is a function over the views (`Views`: the read transaction, the
live per-case table, the engine) and its keyword parameters. Registering it
(`register(Question(...))`, usually with the `question` decorator next to
the function) is all it takes: `ReadSide.ask(name, ...)` runs it (catch-up,
read transaction and live table done once), `hotline query NAME` gets its
options from the parameters, and docs/projections.md lists it (a test
checks). The built-in questions are registered by `projections.queries` and
`projections.bulletin`, which `projections` imports.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from projections.store import Tx
from workflow import Hotline, WorkflowError
from workflow.period import Period, parse_period
from workflow.vocabulary import SHANGHAI


def today() -> date:
    """Today in Asia/Shanghai: the default `as_of` of every question."""
    return datetime.now(SHANGHAI).date()


@dataclass(frozen=True)
class Views:
    """What a question reads: one read transaction, the live per-case table
    in it, and the engine (its calendar; a case's own stream)."""

    tx: Tx
    cases: str
    hotline: Hotline


REQUIRED: Any = inspect.Parameter.empty  # a parameter without a default
# The kinds a parameter may be: what `ask` converts a value to and what
# the CLI parses it with (`as_of`, a date, defaults to today when None).
KINDS: tuple[type, ...] = (Period, date, int, str)


@dataclass(frozen=True)
class Param:
    name: str  # the function's keyword; on the command line --name-with-hyphens
    kind: type  # one of KINDS
    help: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()  # allowed values of a str parameter
    minimum: int | None = None  # least value of an int parameter
    multiple: bool = False  # a sequence of `kind` (repeatable on the command line)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


# The parameters most questions share: the cohort and the cut-off date.
PERIOD = Param("period", Period, "The cohort: cases received in 2016Q3, 2016-09 or "
               "2016-07-01..2016-09-30.")
AS_OF = Param("as_of", date, "Count what had happened by the end of this date "
              "(YYYY-MM-DD, default today).", default=None)


def plain(value: Any) -> Any:
    """`value` as JSON data: dates and date-times in ISO 8601, tuples as lists."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Question:
    name: str  # `ReadSide.ask(name)`; `hotline query name-with-hyphens`
    function: Callable[..., Any]  # function(views, **params)
    help: str  # one line
    params: tuple[Param, ...] = ()
    to_json: Callable[[Any], Any] = field(default=plain)  # the result as JSON data

    def __post_init__(self) -> None:
        taken = list(inspect.signature(self.function).parameters)[1:]  # after `views`
        given = [p.name for p in self.params]
        if sorted(taken) != sorted(given):
            raise ValueError(f"question {self.name!r}: parameters {given} do not match "
                             f"those of {self.function.__qualname__} {taken}")
        for p in self.params:
            if p.kind not in KINDS:
                raise ValueError(f"question {self.name!r}: parameter {p.name!r} is a "
                                 f"{p.kind.__name__}, not one of "
                                 f"{', '.join(k.__name__ for k in KINDS)}")

    @property
    def command_name(self) -> str:
        return self.name.replace("_", "-")

    def arguments(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """`given` checked and converted (a period's text parsed, `as_of`
        None -> today, defaults filled in); a bad one is a BadQuestion."""
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            raise BadQuestion(f"question {self.name!r} takes no parameter "
                              f"{', '.join(map(repr, unknown))} (it takes: "
                              f"{', '.join(p.name for p in self.params) or 'none'})")
        out = {}
        for p in self.params:
            if p.name not in given and p.required:
                raise BadQuestion(f"question {self.name!r} needs the parameter {p.name!r}")
            value = given.get(p.name, p.default)
            if p.multiple:
                if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                    raise BadQuestion(f"question {self.name!r}: {p.name} {value!r} is not a "
                                      f"list of {p.kind.__name__}")
                out[p.name] = tuple(self._convert(p, v) for v in value)
            else:
                out[p.name] = self._convert(p, value)
        return out

    def _convert(self, p: Param, value: Any) -> Any:
        if value is None and p.kind is date:
            return today()
        if p.kind is Period and isinstance(value, str):
            return parse_period(value)
        if p.kind is int and isinstance(value, bool) or not isinstance(value, p.kind):
            raise BadQuestion(f"question {self.name!r}: {p.name} {value!r} is not a "
                              f"{p.kind.__name__}")
        if p.choices and value not in p.choices:
            raise BadQuestion(f"question {self.name!r}: {p.name} {value!r} is not one of "
                              f"{', '.join(p.choices)}")
        if p.minimum is not None and isinstance(value, int) and value < p.minimum:
            raise BadQuestion(f"question {self.name!r}: {p.name} {value!r} is less than "
                              f"{p.minimum}")
        return value


class BadQuestion(WorkflowError):
    """An unknown question, or a parameter it does not take or cannot use."""


QUESTIONS: dict[str, Question] = {}  # name -> question, in registration order


def register(question: Question) -> Question:
    if question.name in QUESTIONS:
        raise ValueError(f"a question named {question.name!r} is already registered")
    QUESTIONS[question.name] = question
    return question


def lookup(name: str) -> Question:
    try:
        return QUESTIONS[name]
    except KeyError:
        raise BadQuestion(f"no question named {name!r} (known: "
                          f"{', '.join(sorted(QUESTIONS))})") from None


F = TypeVar("F", bound=Callable[..., Any])


def question(name: str, help: str, *params: Param,
             to_json: Callable[[Any], Any] = plain) -> Callable[[F], F]:
    """Register the decorated function(views, **params) as question `name`."""

    def decorate(function: F) -> F:
        register(Question(name, function, help, params, to_json))
        return function

    return decorate
