"""Pydantic AI: agents, their runs and usage limits, and sub-agents run inside tools.

Not yet extracted: the adapter is registered so its module names reach the prefilter.
"""

from __future__ import annotations

import re

from agentlint.python.adapter import FrameworkFacts
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext

MODULES = ("pydantic_ai",)
HINT = re.compile(r"pydantic_ai")
FRAMEWORK = "pydantic-ai"
ROOTS: tuple[str, ...] = ()
CANONICAL: dict[str, str] = {}
CATALOG = Catalog(clients={}, functions={})


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return FrameworkFacts()
