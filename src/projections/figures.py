"""Rates and means exactly as spec §5 prints them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

METRICS_1 = "hotline-metrics/1"
METRICS_2 = "hotline-metrics/2"  # spec §5.2: /1 plus the rates of hotline-spec/2
METRICS = (METRICS_1, METRICS_2)
DEFAULT_METRICS = METRICS_2
SPEC = METRICS_1  # the /1 catalogue's id (kept for callers that name it)


def check_metrics(metrics: str) -> str:
    """`metrics` if it names a catalogue this engine computes, else ValueError."""
    if metrics not in METRICS:
        raise ValueError(f"unknown metrics {metrics!r}; expected one of {', '.join(METRICS)}")
    return metrics


@dataclass
class Tally:
    num: int = 0
    den: int = 0

    def add(self, counted: bool, good: bool, n: int = 1) -> None:
        """Count `n` cases alike: in the denominator if `counted`, and in the
        numerator too if also `good`."""
        if counted:
            self.den += n
            self.num += n * int(good)

    def as_json(self) -> dict[str, Any]:
        return {"num": self.num, "den": self.den, "rate": ratio(self.num, self.den, 4)}


def ratio(num: float, den: int, places: int) -> float | None:
    """num/den rounded half up to `places` decimals; None when den is 0.
    Decimal, so 0.00005 boundaries round the way a person would."""
    if den == 0:
        return None
    exact = Decimal(str(num)) / Decimal(den)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
