"""The keyword taxonomy that classifies a case without a topic.

A JSON data file (`taxonomy.json` here by default; a deployment points
`HOTLINE_TAXONOMY` at its own): topic codes in priority order, each with
keywords. A case's topic is the one whose keywords occur most often in its
content, the earlier topic on a tie, and the fallback (`other`) when none
occurs. After replacing the file, rebuild `topics` (--from-scratch).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

ENV_VAR = "HOTLINE_TAXONOMY"


class TaxonomyError(ValueError):
    pass


@dataclass(frozen=True)
class Taxonomy:
    id: str
    topics: tuple[tuple[str, tuple[str, ...]], ...]
    fallback: str = "other"

    def classify(self, content: str) -> str:
        best, best_hits = self.fallback, 0
        for code, keywords in self.topics:
            hits = sum(content.count(k) for k in keywords)
            if hits > best_hits:
                best, best_hits = code, hits
        return best

    @property
    def codes(self) -> list[str]:
        return [c for c, _ in self.topics] + [self.fallback]


def parse(text: str, where: str) -> Taxonomy:
    try:
        data = json.loads(text)
        topics = tuple(
            (str(t["code"]), tuple(str(k) for k in t["keywords"] if str(k)))
            for t in data["topics"]
        )
        taxonomy = Taxonomy(str(data["id"]), topics, str(data.get("fallback", "other")))
    except (ValueError, KeyError, TypeError) as e:
        raise TaxonomyError(
            f"taxonomy {where}: expected {{'id', 'topics': [{{'code', 'keywords'}}]}}: {e}"
        ) from None
    codes = [c for c, _ in topics]
    if len(set(codes)) != len(codes):
        raise TaxonomyError(f"taxonomy {where}: a topic code appears twice")
    return taxonomy


def load(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy at `path`, else $HOTLINE_TAXONOMY, else the default."""
    chosen = path or os.environ.get(ENV_VAR)
    if chosen:
        try:
            text = Path(chosen).read_text(encoding="utf-8")
        except OSError as e:
            raise TaxonomyError(f"taxonomy {chosen}: {e.strerror}") from None
        return parse(text, str(chosen))
    return parse(files("projections").joinpath("taxonomy.json").read_text("utf-8"), "(default)")
