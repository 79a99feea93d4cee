"""The hotline case workflow: the domain and its application service."""

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

__all__ = [
    "Case", "CaseAlreadyExists", "CaseNotFound", "ConcurrencyConflict", "Hotline",
    "InvalidCommand", "InvalidTransition", "Outcome", "RuleViolation", "Undecidable",
    "WorkflowError", "case_id",
]
