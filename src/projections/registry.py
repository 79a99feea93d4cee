"""The projections an installation runs, by name (the names the CLI takes).

Earlier versions kept four per-case tables holding the same steps; a store
whose views they built is recognised by the names below and must be rebuilt
once into the current read model (`hotline rebuild --from-scratch`)."""

from __future__ import annotations

from projections.base import Projection
from projections.read_model import Cases
from projections.taxonomy import Taxonomy

# name -> its base tables, as earlier versions created them (`<table>_g<N>`)
LEGACY: dict[str, tuple[str, ...]] = {
    "case_facts": ("case_facts",), "compliance": ("compliance_cases",),
    "linkage": ("linkage_cases",), "topics": ("topic_cases",),
}


def default_projections(taxonomy: Taxonomy | None = None) -> dict[str, Projection]:
    projections: list[Projection] = [Cases(taxonomy)]
    return {p.name: p for p in projections}
