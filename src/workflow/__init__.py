"""The hotline case workflow: the domain and its application service.

The names below are imported when first asked for (PEP 562), so that a
module of the read side that needs, say, ``workflow.rows`` does not pay for
the application service and its pydantic command models at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflow.application import Hotline, Outcome
    from workflow.case import Case, case_id
    from workflow.errors import (
        CaseAlreadyExists,
        CaseNotFound,
        ConcurrencyConflict,
        InvalidCommand,
        InvalidTransition,
        RuleViolation,
        Undecidable,
        WorkflowError,
    )

_HOME = {
    "Hotline": "workflow.application",
    "Outcome": "workflow.application",
    "Case": "workflow.case",
    "case_id": "workflow.case",
    **dict.fromkeys(
        (
            "CaseAlreadyExists", "CaseNotFound", "ConcurrencyConflict", "InvalidCommand",
            "InvalidTransition", "RuleViolation", "Undecidable", "WorkflowError",
        ),
        "workflow.errors",
    ),
}

__all__ = [
    "Case", "CaseAlreadyExists", "CaseNotFound", "ConcurrencyConflict", "Hotline",
    "InvalidCommand", "InvalidTransition", "Outcome", "RuleViolation", "Undecidable",
    "WorkflowError", "case_id",
]
assert sorted(__all__) == sorted(_HOME)


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'workflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
