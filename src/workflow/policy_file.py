"""Policy files: a deployment's own deadline policy (spec §3) as TOML.

    id = "xiangtan/2027"          # recorded with every deadline it produces
    effective = 2027-01-01        # applies to actions taken from this date on
    urgent_reply_days = 1
    callback_days = 3
    return_days = 1
    extension_days_max = 10
    max_extensions = 3
    contact_days = 1              # optional (hotline-spec/2), default 1

    [reply_days]                  # every category, working days
    consultation = 2
    help = 10
    suggestion = 10
    complaint = 15
    report = 15
    praise = 2

    [channel_reply_days.conduct_hotline]   # optional overrides per channel
    consultation = 1

Every problem is reported with its key and line, and a file with any
problem loads nothing. A later policy never rewrites recorded deadlines:
each deadline carries the id of the policy that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workflow.datafile import Checker, DataFileError, KeyPath, read_data
from workflow.policy import DEFAULT_POLICY, Policy, PolicyBook
from workflow.vocabulary import CATEGORIES, CHANNELS

KIND = "policy"
# The whole-number settings and their least allowed value.
NUMBERS = {
    "urgent_reply_days": 1,
    "callback_days": 1,
    "return_days": 1,
    "extension_days_max": 1,
    "max_extensions": 0,
    "contact_days": 1,
}
OPTIONAL = frozenset({"contact_days"})  # added by hotline-spec/2: older files lack it
TOP_KEYS = ("id", "effective", "reply_days", *NUMBERS, "channel_reply_days")
POLICY_ID = re.compile(r"^[\w.\-]+/[\w.\-]+$")


def load_policy_file(path: Path | str) -> Policy:
    """The policy in `path`, or `DataFileError` listing every problem."""
    path = Path(path)
    data, lines = read_data(KIND, path)
    checker = _Checker(lines)
    policy = checker.policy(data)
    if checker.problems or policy is None:
        raise DataFileError(KIND, path, checker.problems)
    return policy


def load_policy_book(paths: Iterable[Path | str]) -> PolicyBook:
    """`default/1` plus the policies of `paths`: each in force from its
    effective date until the next one's. Ids and effective dates must be
    unique, so the policy in force on any day is never ambiguous."""
    policies = [DEFAULT_POLICY]
    origin = {DEFAULT_POLICY.id: "the built-in default"}
    for path in paths:
        policy = load_policy_file(path)
        if policy.id in origin:
            raise DataFileError(
                KIND, path, f"key 'id': {policy.id!r} is already defined by {origin[policy.id]}"
            )
        clash = next((p for p in policies if p.effective == policy.effective), None)
        if clash is not None:
            raise DataFileError(
                KIND, path,
                f"key 'effective': {policy.effective} is also the effective date of {clash.id!r}",
            )
        origin[policy.id] = str(path)
        policies.append(policy)
    return PolicyBook(policies)


def policy_toml(policy: Policy) -> str:
    """A policy written back as a policy file (what `hotline policy show` prints)."""
    out = [f'id = "{policy.id}"', f"effective = {policy.effective.isoformat()}"]
    out += [f"{key} = {getattr(policy, key)}" for key in NUMBERS]
    out += ["", "[reply_days]"]
    out += [f"{c} = {policy.reply_days[c]}" for c in CATEGORIES if c in policy.reply_days]
    for channel, days in sorted(policy.channel_reply_days.items()):
        out += ["", f"[channel_reply_days.{channel}]"]
        out += [f"{c} = {n}" for c, n in days.items()]
    return "\n".join(out) + "\n"


class _Checker(Checker):
    def policy(self, data: dict[str, Any]) -> Policy | None:
        self.unknown((), data, TOP_KEYS)
        for key in ("id", "effective", "reply_days", *NUMBERS):
            if key not in data and key not in OPTIONAL:
                self.bad((key,), "missing")
        policy_id = self.policy_id(data.get("id"))
        effective = self.effective(data.get("effective"))
        numbers = {k: self.days((k,), data[k], least) for k, least in NUMBERS.items() if k in data}
        reply = self.reply_days(("reply_days",), data.get("reply_days"), complete=True)
        channels = self.channels(data.get("channel_reply_days", {}))
        if self.problems or policy_id is None or effective is None or reply is None:
            return None
        return Policy(
            id=policy_id, effective=effective, reply_days=reply,
            channel_reply_days=channels, **numbers,  # type: ignore[arg-type]
        )

    def policy_id(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not POLICY_ID.match(value):
            self.bad(("id",), f"must be a name and a version like 'xiangtan/2027', got {value!r}")
            return None
        return value

    def effective(self, value: Any) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.bad(("effective",), f"must be a date like 2027-01-01 (unquoted), got {value!r}")
            return None
        return value

    def days(self, path: KeyPath, value: Any, least: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, f"must be a whole number of working days, got {value!r}")
            return least
        if value < least:
            self.bad(path, f"must be at least {least}, got {value}")
        return value

    def reply_days(self, path: KeyPath, value: Any, complete: bool) -> dict[str, int] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(path, "must be a table of category = working days")
            return None
        out = {}
        for category, days in value.items():
            if category not in CATEGORIES:
                self.bad((*path, category), f"unknown category (one of {', '.join(CATEGORIES)})")
                continue
            out[category] = self.days((*path, category), days)
        if complete:
            for category in CATEGORIES:
                if category not in value:
                    self.bad((*path, category), "missing (every category needs reply days)")
        return out

    def channels(self, value: Any) -> dict[str, dict[str, int]]:
        path: KeyPath = ("channel_reply_days",)
        if not isinstance(value, dict):
            self.bad(path, "must be a table of channel tables")
            return {}
        out = {}
        for channel, table in value.items():
            if channel not in CHANNELS:
                self.bad((*path, channel), f"unknown channel (one of {', '.join(CHANNELS)})")
                continue
            out[channel] = self.reply_days((*path, channel), table, complete=False) or {}
        return out
