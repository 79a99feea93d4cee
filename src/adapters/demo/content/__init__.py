"""Chinese text pools for the demo data set.

Modelled on the hot topics of the seed bulletin (湘潭县 2016 Q3, section 三):
schools, roads, pollution, water and power, administrative efficiency,
citizens' suggestions; on the conduct hotline policy questions, city
construction, housing and traffic.

Every template names its topic, the categories it fits, plausible lead units,
co-units (for joint handling) and wrong units (for returns, 退单), and the
replies a lead might give. Fillers ({town}, {road}, ...) are kept free of
topic keywords so that a template's own words decide how a case without a
`topic` is classified. Only `clean` templates are used for such cases: their
words name exactly one topic under `TOPIC_KEYWORDS` (the brief's keywords),
and the tests check that the engine's default taxonomy (most hits wins)
agrees. Templates with words the two read differently (路灯 is urban
construction to one, roads to the other) are marked `topicless=False`.

One module per kind of text: `topics` (topics, keywords, channel shares),
`fillers` (placeholder values, channel framing, masked citizens), `template`
(the `Template` type), `requests_services` and `requests_governance` (the
template pools), `handling` (what units write while handling a case).
"""

from .fillers import (
    CLOSINGS,
    COMMUNITIES,
    DETAILS,
    HOSPITALS,
    OPENINGS,
    PHONE_PREFIXES,
    ROADS,
    SCHOOLS,
    SURNAMES,
    TOWNSHIP_WEIGHTS,
    TOWNSHIPS,
    VILLAGES,
    fill,
    pick_name,
    pick_phone,
    town_named_in,
)
from .handling import (
    CONTRIBUTIONS,
    EXTEND_REASONS,
    GENERIC_ANSWERS,
    PINGPONG_REASONS,
    REOPEN_REASONS,
    RETURN_REASONS,
    SECOND_REPLIES,
    WAIVE_REASONS,
)
from .requests_governance import GOVERNANCE_REQUESTS
from .requests_services import SERVICE_REQUESTS
from .template import TOWN_GOV, Template, with_clean_marks
from .topics import (
    CONDUCT_TOPIC_WEIGHTS,
    PLATFORM_TOPIC_WEIGHTS,
    TOPIC_KEYWORDS,
    TOPICS,
    keyword_topics,
)

# In this order: the seeded draws pick templates by position.
TEMPLATES: tuple[Template, ...] = with_clean_marks((*SERVICE_REQUESTS, *GOVERNANCE_REQUESTS))

__all__ = [
    "CLOSINGS",
    "COMMUNITIES",
    "CONDUCT_TOPIC_WEIGHTS",
    "CONTRIBUTIONS",
    "DETAILS",
    "EXTEND_REASONS",
    "GENERIC_ANSWERS",
    "GOVERNANCE_REQUESTS",
    "HOSPITALS",
    "OPENINGS",
    "PHONE_PREFIXES",
    "PINGPONG_REASONS",
    "PLATFORM_TOPIC_WEIGHTS",
    "REOPEN_REASONS",
    "RETURN_REASONS",
    "ROADS",
    "SCHOOLS",
    "SECOND_REPLIES",
    "SERVICE_REQUESTS",
    "SURNAMES",
    "TEMPLATES",
    "TOPICS",
    "TOPIC_KEYWORDS",
    "TOWNSHIPS",
    "TOWNSHIP_WEIGHTS",
    "TOWN_GOV",
    "VILLAGES",
    "WAIVE_REASONS",
    "Template",
    "fill",
    "keyword_topics",
    "pick_name",
    "pick_phone",
    "town_named_in",
]
