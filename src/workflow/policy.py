"""Deadline policies (spec §3): how many working days each step may take.

A policy is a value with an id; the id is stored with every deadline it
produced, so replaying history never depends on today's policy. Policy files
(TOML) and effective dates build on this model (see `PolicyBook`).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

CATEGORIES = ("complaint", "consultation", "suggestion", "help", "report", "praise")


class Policy(BaseModel):
    """Working-day limits of one policy version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    effective: date = date(2000, 1, 1)
    reply_days: dict[str, int]
    urgent_reply_days: int = Field(ge=1)
    callback_days: int = Field(ge=1)
    return_days: int = Field(ge=1)
    extension_days_max: int = Field(ge=1)
    max_extensions: int = Field(ge=0)
    # hotline-spec/2: working days for the lead's first contact (contact_due)
    contact_days: int = Field(default=1, ge=1)
    # Optional overrides of reply days per channel and category,
    # e.g. {"conduct_hotline": {"consultation": 1}}.
    channel_reply_days: dict[str, dict[str, int]] = Field(default_factory=dict)

    def reply_days_for(self, category: str, urgency: str, channel: str | None = None) -> int:
        if urgency == "urgent":
            return self.urgent_reply_days
        if channel is not None:
            override = self.channel_reply_days.get(channel, {}).get(category)
            if override is not None:
                return override
        return self.reply_days[category]


DEFAULT_POLICY = Policy(
    id="default/1",
    reply_days={
        "consultation": 2,
        "help": 10,
        "suggestion": 10,
        "complaint": 15,
        "report": 15,
        "praise": 2,
    },
    urgent_reply_days=1,
    callback_days=3,
    return_days=1,
    extension_days_max=10,
    max_extensions=3,
    contact_days=1,
)


class PolicyBook:
    """The policies of a deployment, each in force from its effective date.

    An action uses the policy in force on the local date of its `at`; a later
    policy never rewrites deadlines already recorded.
    """

    def __init__(self, policies: list[Policy] | None = None) -> None:
        self.policies = sorted(policies or [DEFAULT_POLICY], key=lambda p: p.effective)

    def in_force(self, on: date) -> Policy:
        chosen = self.policies[0]
        for policy in self.policies:
            if policy.effective <= on:
                chosen = policy
        return chosen

    def by_id(self, policy_id: str) -> Policy | None:
        return next((p for p in self.policies if p.id == policy_id), None)
