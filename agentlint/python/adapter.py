"""What a framework adapter contributes to a file's ``Fragment``, and how adapters plug in.

Each framework lives in one module of ``agentlint.python`` that exposes the same few names (see
``Adapter``), so adding a framework means adding a module and listing it in ``extract.ADAPTERS``, not
editing the extraction pipeline. Agent runs an adapter finds are ``Call`` facts of kind ``AGENT``:
the fan-out, loop and output-parsing analyses then treat them as model work like any LLM call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from agentlint.ir import Agent, Call, Delegation, FanOut, Flow, Hop, RunSite, Task, Team
from agentlint.python.clients import Catalog
from agentlint.python.context import ExtractionContext


@dataclass
class FrameworkFacts:
    agents: list[Agent] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    run_sites: list[RunSite] = field(default_factory=list)
    fan_outs: list[FanOut] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)  # agent runs, kind ``CallKind.AGENT``
    hops: list[Hop] = field(default_factory=list)
    delegations: list[Delegation] = field(default_factory=list)

    def extend(self, other: FrameworkFacts) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


class Adapter(Protocol):
    """The module interface of a framework adapter.

    ``MODULES``: import roots that make the prefilter parse a file. ``HINT``: a cheap regex on the
    source text; ``extract`` runs only when it matches. ``CANONICAL``: re-export paths mapped to one
    name per object. ``CATALOG``: the framework's model clients, read like any LLM client.
    ``ROOTS``: import roots common enough as project package names (``agents``, ``workflows``) that
    a project module of that name shadows the framework; assembly then drops the adapter's facts."""

    MODULES: tuple[str, ...]
    HINT: re.Pattern[str]
    CANONICAL: dict[str, str]
    CATALOG: Catalog
    FRAMEWORK: str  # the ``framework`` its agents, teams and runs carry
    ROOTS: tuple[str, ...]

    def extract(self, ctx: ExtractionContext) -> FrameworkFacts: ...
