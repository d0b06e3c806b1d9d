"""What an adapter receives: the collected module facts, an evaluator and a lazy position lookup.

Positions come from libcst's ``PositionProvider``, the most expensive step after parsing, so they are
resolved only the first time an adapter records a fact for the file (most files record none).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from agentlint.findings import Location
from agentlint.python.collector import ModuleFacts
from agentlint.python.values import Evaluator


class ExtractionContext:
    def __init__(self, path: str, module: cst.Module, facts: ModuleFacts, evaluator: Evaluator) -> None:
        self.path = path
        self.facts = facts
        self.evaluator = evaluator
        self._module = module
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None

    @property
    def module_name(self) -> str:
        return self.facts.module.qualname

    def locate(self, node: cst.CSTNode) -> Location:
        if self._positions is None:
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        span = self._positions[node]
        return Location.at(
            self.path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1
        )
