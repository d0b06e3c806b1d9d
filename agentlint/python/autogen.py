"""AutoGen AgentChat (0.4+) teams, agents and runs, and legacy AutoGen 0.2 / AG2 group chats.

Not yet extracted: the adapter is registered so its module names reach the prefilter.
"""

from __future__ import annotations

import re

from agentlint.python.adapter import FrameworkFacts
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext

MODULES = ("autogen_agentchat", "autogen_ext", "autogen_core", "autogen")
HINT = re.compile(r"autogen")
FRAMEWORK = "autogen"
ROOTS: tuple[str, ...] = ()
CANONICAL: dict[str, str] = {}
CATALOG = Catalog(clients={}, functions={})


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return FrameworkFacts()
