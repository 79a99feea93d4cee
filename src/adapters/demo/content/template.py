"""One kind of citizen request (`Template`) and the builder the pools use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .fillers import SAMPLE_FILL
from .topics import keyword_topics


@dataclass(frozen=True)
class Template:
    """One kind of citizen request, with what the units do about it."""

    topic: str
    categories: frozenset[str]
    text: str
    leads: tuple[str, ...]
    replies: tuple[str, ...]
    co_units: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    urgent_ok: bool = False
    topicless: bool = True  # False: keywords are ambiguous across taxonomies
    clean: bool = field(default=False, compare=False)


# Compact rows for the pools: categories as one space-separated string.
def request(topic: str, cats: str, text: str, leads: tuple[str, ...], replies: tuple[str, ...],
            co: tuple[str, ...] = (), wrong: tuple[str, ...] = (), answers: tuple[str, ...] = (),
            urgent_ok: bool = False, topicless: bool = True) -> Template:
    return Template(topic, frozenset(cats.split()), text, leads, replies, co, wrong, answers,
                    urgent_ok, topicless)


TOWN_GOV = "{town}人民政府"


def is_clean(t: Template) -> bool:
    """Whether the template's words name exactly its own topic (none for `other`)."""
    # Fillers are keyword-free (tested), so one rendering tells for all.
    found = keyword_topics(t.text.format_map(SAMPLE_FILL))
    return found == ({t.topic} if t.topic != "other" else set())


def with_clean_marks(raw: Iterable[Template]) -> tuple[Template, ...]:
    """The templates with `clean` set: only those may go out without a topic."""
    return tuple(
        Template(t.topic, t.categories, t.text, t.leads, t.replies, t.co_units, t.wrong,
                 t.answers, t.urgent_ok, t.topicless, t.topicless and is_clean(t))
        for t in raw
    )
