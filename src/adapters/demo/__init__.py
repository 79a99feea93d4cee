"""Demo data for the hotline engine: the seed quarter and benchmark volumes.

    from adapters.demo import generate_seed_quarter, write_jsonl
    write_jsonl(generate_seed_quarter(), "seed-2016q3.jsonl")
"""

from .exemplary import EXEMPLARY_CASES
from .generator import QUOTAS, generate_seed_quarter, generate_volume, write_jsonl

__all__ = ["EXEMPLARY_CASES", "QUOTAS", "generate_seed_quarter", "generate_volume", "write_jsonl"]
