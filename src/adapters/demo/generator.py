"""Seeded, deterministic demo data in the spec §4 JSON Lines format.

- `generate_seed_quarter` (seed_quarter.py, with quotas.py): 湘潭县's 2016 Q3
  (spec §6), whose §5 metrics give the seed bulletin's figures exactly;
- `generate_volume` (volume.py): any number of random cases, streamed;
- `write_jsonl`: either one to a file.

Both draw a plan per case (its fate), then its words and units (intake.py)
and its lines (timeline.py), with text from content/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .exemplary import EXEMPLARY_CASES
from .quotas import QUOTAS
from .seed_quarter import generate_seed_quarter
from .volume import generate_volume

__all__ = ["EXEMPLARY_CASES", "QUOTAS", "generate_seed_quarter", "generate_volume", "write_jsonl"]


def write_jsonl(lines: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write one JSON object per line (UTF-8, Chinese kept as is); returns
    the number of lines written."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False, separators=(", ", ": ")))
            out.write("\n")
            count += 1
    return count
