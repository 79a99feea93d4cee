"""The projections an installation runs, by name (the names the CLI takes)."""

from __future__ import annotations

from projections.base import Projection
from projections.case_facts import CaseFacts
from projections.compliance import Compliance
from projections.linkage import Linkage
from projections.taxonomy import Taxonomy
from projections.topics import Topics


def default_projections(taxonomy: Taxonomy | None = None) -> dict[str, Projection]:
    projections: list[Projection] = [CaseFacts(), Compliance(), Linkage(), Topics(taxonomy)]
    return {p.name: p for p in projections}
