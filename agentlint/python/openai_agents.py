"""OpenAI Agents SDK (``openai-agents``, imported as ``agents``): agents, handoffs, agents as tools and ``Runner`` runs.

Not yet extracted: the adapter is registered so its module names reach the prefilter.
"""

from __future__ import annotations

import re

from agentlint.python.adapter import FrameworkFacts
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext

MODULES = ("agents",)
HINT = re.compile(r"\bagents\b|Runner")
FRAMEWORK = "openai-agents"
ROOTS: tuple[str, ...] = ("agents",)
CANONICAL: dict[str, str] = {}
CATALOG = Catalog(clients={}, functions={})


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return FrameworkFacts()
