"""LlamaIndex workflows: ``Workflow`` subclasses, ``AgentWorkflow`` and agent classes, steps and ``ctx.store``.

Not yet extracted: the adapter is registered so its module names reach the prefilter.
"""

from __future__ import annotations

import re

from agentlint.python.adapter import FrameworkFacts
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext

MODULES = ("llama_index", "workflows")
HINT = re.compile(r"llama_index|workflows")
FRAMEWORK = "llama-index"
ROOTS: tuple[str, ...] = ("workflows",)
CANONICAL: dict[str, str] = {}
CATALOG = Catalog(clients={}, functions={})


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return FrameworkFacts()
