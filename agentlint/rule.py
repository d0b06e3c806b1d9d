"""The rule contract: declarative metadata, a validated ``Options`` model, and ruff-style docs.

A rule never sees source text or a CST: graph rules read the assembled ``PipelineGraph``, and engine
rules (AGL0xx) are raised by the engine itself when a file cannot be read, decoded or parsed, or a
suppression comment is wrong. Keeping both behind one class gives every finding the same metadata,
docs page and selection logic.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from agentlint.findings import Finding, Location, RelatedLocation, Severity

if TYPE_CHECKING:
    from agentlint.graph import PipelineGraph

CODE_PATTERN = re.compile(r"^AGL\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

FAMILIES: dict[str, str] = {
    "AGL0": "engine",
    "AGL1": "missing timeouts",
    "AGL2": "unvalidated hops",
    "AGL3": "unbounded fan-out",
    "AGL4": "shared state",
    "AGL5": "termination",
    "AGL6": "graph structure",
    "AGL7": "contract",
}


class Precision(str, enum.Enum):
    """How sure a finding is when it fires; ``high`` rules are suitable as blocking CI gates."""

    HIGH = "high"
    MEDIUM = "medium"


class RuleOptions(BaseModel):
    """Base of every rule's ``Options``: kebab-case keys as in the config file, and unknown keys are an
    error, so a typo'd option fails loudly instead of silently changing nothing. Rules without
    options use it as is."""

    model_config = ConfigDict(extra="forbid", alias_generator=lambda name: name.replace("_", "-"),
                              populate_by_name=True, frozen=True)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    precision: ClassVar[Precision] = Precision.HIGH
    fixable: ClassVar[bool] = False
    Options: ClassVar[type[BaseModel]] = RuleOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @classmethod
    def family(cls) -> str:
        return FAMILIES[cls.code[:4]]

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def finding(
        self,
        location: Location,
        message: str,
        *,
        related: Iterable[RelatedLocation] = (),
        fix_title: str | None = None,
        anchor: str = "",
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            message=message,
            severity=self.severity,
            location=location,
            related=tuple(related),
            fix_title=fix_title,
            anchor=anchor,
        )


class GraphRule(Rule):
    """A rule evaluated on the assembled pipeline graph."""

    def check(self, graph: PipelineGraph) -> Iterable[Finding]:
        raise NotImplementedError


class EngineRule(Rule):
    """A rule whose findings the engine raises while reading files and suppressions."""

    severity: ClassVar[Severity] = Severity.ERROR
