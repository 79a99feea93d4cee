"""Personal data kept out of what people and tools are shown: the one place
that knows which parts of an event are personal data and how they are hidden.

Personal data in an event is the `citizen` of a Received event: every field
of it (today the name and phone of `commands.Citizen`). It is stored in
clear when no key is configured and sealed (encrypted, see `personal.py`)
when one is. Two ways of hiding it, for two kinds of output:

- **Masking** (reads printed for people or programs: `hotline audit show`,
  `history`, `diff`, `deadlines`, `CaseView.masked()`): each field's value
  becomes `WITHHELD`; a sealed citizen is shown as sealed, with its scheme
  but without the ciphertext. Nothing of the value is left, not even a
  partial phone number.
- **Pseudonymising** (exports, `hotline audit export`): each field becomes
  `hmac-sha256:<hex>` keyed by a salt the export never contains, so the
  same person gets the same pseudonym within an export (and across exports
  given the same salt) and trying every phone number does not reverse it.
  A sealed citizen is left as stored: the ciphertext is unreadable without
  the deployment's keys and keeps every link of the export recomputable.

Absent values (a citizen without a phone) stay `None`: that a phone number
is missing is not personal data.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from workflow.case import Case
from workflow.commands import Citizen
from workflow.personal import SEALED, is_sealed

CITIZEN = "citizen"
# The personal fields as the command defines them (single source of truth).
CITIZEN_FIELDS: tuple[str, ...] = tuple(Citizen.model_fields)
WITHHELD = "<withheld>"
CIPHERTEXT_WITHHELD = "<ciphertext withheld>"


def mask_citizen(stored: Any) -> Any:
    """The citizen as it may be shown: values withheld, a sealed one as sealed."""
    if stored is None:
        return None
    if is_sealed(stored):
        return {SEALED: CIPHERTEXT_WITHHELD, "scheme": stored.get("scheme")}
    if isinstance(stored, dict):
        return {k: None if v is None else WITHHELD for k, v in stored.items()}
    return WITHHELD  # a shape no version of the engine wrote: hide all of it


def mask_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an event's fields with its personal data masked."""
    out = dict(payload)
    if CITIZEN in out:
        out[CITIZEN] = mask_citizen(out[CITIZEN])
    return out


def mask_event(event: Case.Event) -> Case.Event:
    """A copy of `event` with its personal data masked (the stored `chain`
    kept as it is: it is a hash, and an audit still shows it)."""
    if not hasattr(event, CITIZEN):
        return event
    return dataclasses.replace(event, citizen=mask_citizen(event.citizen))  # type: ignore[call-arg,attr-defined]


def pseudonym(salt: bytes, value: str) -> str:
    return "hmac-sha256:" + hmac.new(salt, value.encode(), hashlib.sha256).hexdigest()


def pseudonymise(payload: dict[str, Any], salt: bytes) -> list[str]:
    """Replace, in place, the citizen's readable values by salted pseudonyms;
    returns the fields replaced (`citizen.name`, ...)."""
    citizen = payload.get(CITIZEN)
    if not isinstance(citizen, dict) or is_sealed(citizen):
        return []  # absent, or sealed: nothing readable to hide
    done = []
    for key, value in citizen.items():
        if isinstance(value, str):
            citizen[key] = pseudonym(salt, value)
            done.append(f"{CITIZEN}.{key}")
    return done
