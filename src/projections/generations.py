"""Blue/green generations of a projection's tables.

Each projection's tables exist per generation (`cases_g7`), and each
generation is in one state, in the positions table with its position:
`live` (what readers read), `next` (a rebuild from scratch being built),
`check` (a `--check` being compared) or `retired` (the previous live one,
kept until the next rebuild so that a reader that looked it up just
before a swap still finds it). These functions run inside the caller's
transaction, under its lock on the generations; the runner
(`projections/runner.py`) decides when.
"""

from __future__ import annotations

from projections.base import Projection, create_tables, drop_tables
from projections.registry import LEGACY
from projections.store import CURSORS, DIGESTS, POSITIONS, Tx, table_name
from workflow import WorkflowError


def ensure(tx: Tx, p: Projection, state: str) -> int:
    """The generation of `p` in `state`: the one there is, or a new one
    (its tables, and its position 0)."""
    tx.lock_generations()
    gens = tx.generations(p.name)
    if state in gens:
        return gens[state][0]
    rows = tx.query(f"SELECT MAX(generation) FROM {POSITIONS} WHERE name = ?", (p.name,))
    gen = int(rows[0][0] or 0) + 1
    # A generation built from scratch or for a check is indexed when it is
    # complete (at the swap; a check's is compared and dropped unindexed).
    create_tables(tx, p, gen, indexed=state == "live")
    tx.execute(f"INSERT INTO {POSITIONS} (name, generation, state, position) VALUES (?, ?, ?, 0)",
               (p.name, gen, state))
    return gen


def drop_state(tx: Tx, p: Projection, state: str) -> None:
    """Drop the generation of `p` in `state`, if any: its tables, position,
    kept digest and rebuild cursors."""
    tx.lock_generations()
    for s, (gen, _) in tx.generations(p.name).items():
        if s == state:
            drop_tables(tx, p, gen)
            for table in (POSITIONS, DIGESTS, CURSORS):
                tx.execute(f"DELETE FROM {table} WHERE name = ? AND generation = ?",
                           (p.name, gen))


def drop_legacy(tx: Tx, name: str) -> None:
    """Drop every generation of a projection of an earlier layout
    (`registry.LEGACY`), once a rebuild has built what replaces it."""
    for _state, (gen, _) in tx.generations(name).items():
        for base in LEGACY[name]:
            tx.execute(f"DROP TABLE IF EXISTS {table_name(base, gen)}")
    tx.execute(f"DELETE FROM {POSITIONS} WHERE name = ?", (name,))


def swap(tx: Tx, p: Projection) -> None:
    """The rebuilt generation becomes live in one commit; the old one is kept,
    retired, so a reader that looked it up just before still finds it.
    Nothing to do when another run of the same rebuild swapped it first."""
    tx.lock_generations()
    gens = tx.generations(p.name)
    if "next" not in gens:
        return
    if "live" in gens:
        tx.execute(f"UPDATE {POSITIONS} SET state = 'retired' WHERE name = ? AND generation = ?",
                   (p.name, gens["live"][0]))
    tx.execute(f"UPDATE {POSITIONS} SET state = 'live' WHERE name = ? AND generation = ?",
               (p.name, gens["next"][0]))


def live_table(tx: Tx, p: Projection, base: str) -> tuple[str, int]:
    """The live table of `base` and its position (readers call this inside
    their read transaction, so the table and position belong together)."""
    live = tx.generations(p.name).get("live")
    if live is None:
        raise WorkflowError(f"projection {p.name!r} has not been built: run `hotline rebuild`")
    return table_name(base, live[0]), live[1]
