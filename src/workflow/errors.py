"""Errors of the workflow engine, all under `WorkflowError`.

Each error carries the facts an operator needs to act on it (the case, its
state, the action, the rule) both as attributes and in its message.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error the engine raises on purpose."""


class CaseNotFound(WorkflowError):
    def __init__(self, case: str) -> None:
        self.case = case
        super().__init__(f"case {case}: not found")


class CaseAlreadyExists(WorkflowError):
    def __init__(self, case: str) -> None:
        self.case = case
        super().__init__(f"case {case}: already exists (receive needs a new case reference)")


class InvalidTransition(WorkflowError):
    """The action is not allowed from the case's current state."""

    def __init__(self, case: str, state: str, action: str, allowed_from: tuple[str, ...]) -> None:
        self.case, self.state, self.action = case, state, action
        self.allowed_from = allowed_from
        where = ", ".join(allowed_from) or "no state"
        super().__init__(
            f"case {case}: cannot {action} in state '{state}' ({action} is allowed from: {where})"
        )


class RuleViolation(WorkflowError):
    """The state is right, but a rule of spec §2 (or §3) is broken.

    `rule` is the broken rule's text as the lifecycle table states it (several
    joined by `; `); `facts` names the values that broke it (the value given
    and the case's value it was checked against), one part per rule."""

    def __init__(self, case: str, state: str, action: str, rule: str, facts: str = "") -> None:
        self.case, self.state, self.action, self.rule = case, state, action, rule
        self.facts = facts
        rules, parts = rule.split("; "), facts.split("; ") if facts else []
        if len(parts) == len(rules):
            said = "; ".join(f"{r} ({f})" if f else r for r, f in zip(rules, parts, strict=True))
        else:
            said = f"{rule} ({facts})" if facts else rule
        super().__init__(f"case {case} (state '{state}'): {action} rejected: {said}")


class InvalidCommand(WorkflowError):
    """A field is missing or malformed; wraps pydantic's message."""

    def __init__(self, message: str, case: str | None = None) -> None:
        self.case = case
        prefix = f"case {case}: " if case else ""
        super().__init__(f"{prefix}invalid command: {message}")


class ConcurrencyConflict(WorkflowError):
    """Another writer stored an event for the case first; nothing was stored."""

    def __init__(self, case: str) -> None:
        self.case = case
        super().__init__(
            f"case {case}: another writer changed the case first; nothing was stored "
            "(retry: the case is re-read and the rules re-checked)"
        )


class Undecidable(WorkflowError):
    """An unexpected error (a defect, not a rule) while deciding one command:
    that command is rejected and nothing is stored for it."""

    def __init__(self, case: str, error: BaseException) -> None:
        self.case, self.error = case, error
        super().__init__(
            f"case {case}: could not be decided ({type(error).__name__}: {error}); "
            "nothing was stored for it"
        )
