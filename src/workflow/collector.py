"""The cyclic garbage collector, run less often for the length of a bulk job.

An import decides and encodes a few hundred short-lived objects per line;
a rebuild decodes and folds tens of containers per stored event. Reference
counting frees almost all of them, but at Python's default threshold (a
young collection every 700 net allocations) the collector runs every line
or two and keeps promoting and re-scanning what stays in memory (an
import's cached cases): about a tenth of an import's CPU, 2.4% of a
rebuild's instructions (docs/performance.md). Collection stays on; the
previous thresholds are restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

IMPORT_YOUNG = 10_000  # net allocations between young collections, importing
FOLD_YOUNG = 50_000  # the same, folding stored rows into the read model


@contextmanager
def fewer_collections(young: int) -> Iterator[None]:
    """At least `young` net allocations between young-generation
    collections until the block ends (the older generations as they were)."""
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], young), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
