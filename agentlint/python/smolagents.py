"""smolagents: ``CodeAgent``/``ToolCallingAgent`` steps, managed agents and final-answer checks.

Not yet extracted: the adapter is registered so its module names reach the prefilter.
"""

from __future__ import annotations

import re

from agentlint.python.adapter import FrameworkFacts
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext

MODULES = ("smolagents",)
HINT = re.compile(r"smolagents")
FRAMEWORK = "smolagents"
ROOTS: tuple[str, ...] = ()
CANONICAL: dict[str, str] = {}
CATALOG = Catalog(clients={}, functions={})


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return FrameworkFacts()
