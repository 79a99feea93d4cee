"""Personal data (PIPL) in events: the shape of a sealed citizen and its errors.

With a key configured, the `citizen` of a Received event is stored sealed:
`{"sealed": "<base64>", "scheme": "aes-256-gcm/1"}`, encrypted before the
event is created (so the hash chain covers the ciphertext) with a per-case
key kept apart from the events. Everything else in the event stays readable,
so projections and reports never need the key. Reading the citizen back is
an explicit call (`Hotline.citizen`), never part of a read, export or log.
"""

from __future__ import annotations

from typing import Any

from workflow.errors import WorkflowError

SEALED = "sealed"
SCHEME = "aes-256-gcm/1"


def is_sealed(stored: Any) -> bool:
    return isinstance(stored, dict) and SEALED in stored


class PersonalDataUnavailable(WorkflowError):
    """The citizen of a case cannot be read (or written) as asked."""

    def __init__(self, case: str, why: str) -> None:
        self.case = case
        super().__init__(f"case {case}: personal data unavailable: {why}")
