"""The keyword taxonomy that classifies a case without a topic.

A JSON data file (`taxonomy.json` here by default; a deployment names its
own in its configuration: `HOTLINE_TAXONOMY` or `taxonomy` in the config
file, read by adapters/config.py): topic codes in priority order, each with
keywords. A case's topic is the one whose keywords occur most often in its
content (non-overlapping occurrences, longest keyword first), the earlier
topic on a tie, and the fallback (`other`) when none occurs. After replacing
the file, rebuild `topics` (--from-scratch).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path


class TaxonomyError(ValueError):
    pass


@dataclass(frozen=True)
class Taxonomy:
    id: str
    topics: tuple[tuple[str, tuple[str, ...]], ...]
    fallback: str = "other"
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _topic_of: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # One pass over the content: an alternation of every keyword, longest
        # first, so "房产证" is one occurrence, not also one of "房产".
        topic_of: dict[str, int] = {}
        for rank, (_, keywords) in enumerate(self.topics):
            for k in keywords:
                topic_of.setdefault(k, rank)
        words = sorted(topic_of, key=lambda k: (-len(k), k))
        pattern = re.compile("|".join(map(re.escape, words))) if words else None
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_topic_of", topic_of)

    def classify(self, content: str) -> str:
        """The topic with the most keyword occurrences (non-overlapping,
        longest keyword first); on a tie, the one whose keywords cover more
        characters (the more specific: 房产证 over 手续), then the earlier
        topic; else the fallback."""
        if self._pattern is None:
            return self.fallback
        hits = [0] * len(self.topics)
        chars = [0] * len(self.topics)
        for word in self._pattern.findall(content):
            hits[self._topic_of[word]] += 1
            chars[self._topic_of[word]] += len(word)
        best = max(range(len(hits)), key=lambda i: (hits[i], chars[i], -i), default=None)
        if best is None or hits[best] == 0:
            return self.fallback
        return self.topics[best][0]

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
    """The taxonomy at `path`, else the package's."""
    chosen = path
    if chosen:
        try:
            text = Path(chosen).read_text(encoding="utf-8")
        except OSError as e:
            raise TaxonomyError(f"taxonomy {chosen}: {e.strerror}") from None
        return parse(text, str(chosen))
    return parse(files("projections").joinpath("taxonomy.json").read_text("utf-8"), "(default)")
