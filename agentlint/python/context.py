"""What an adapter receives: the collected module facts, an evaluator and a lazy position lookup.

Positions come from libcst's ``PositionProvider``, the most expensive step after parsing (a full
code-generation pass), so they are resolved only the first time an adapter records a fact for the file.
Functions and classes, which every analysed file has many of, are located from CPython's ``ast`` tree
instead (already built by the syntax screen), matched to libcst's definitions in source order.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from agentlint.findings import Location
from agentlint.python.collector import ModuleFacts
from agentlint.python.scopes import Scope
from agentlint.python.values import Evaluator


class ExtractionContext:
    def __init__(
        self, path: str, module: cst.Module, facts: ModuleFacts, evaluator: Evaluator, tree: ast.Module | None = None
    ) -> None:
        self.path = path
        self.facts = facts
        self.evaluator = evaluator
        self._module = module
        self._tree = tree
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self._definitions: dict[int, Location] | None = None

    @property
    def module_name(self) -> str:
        return self.facts.module.qualname

    def locate_definition(self, scope: Scope) -> Location:
        """Where a def or class's name is, without resolving positions for the whole module."""
        if self._definitions is None:
            self._definitions = self._definitions_from_ast()
        found = self._definitions.get(id(scope.node))
        if found is not None:
            return found
        assert isinstance(scope.node, (cst.FunctionDef, cst.ClassDef))
        return self.locate(scope.node.name)

    def _definitions_from_ast(self) -> dict[int, Location]:
        """libcst definitions and ast definitions both in source order; if the two sequences of names
        disagree anywhere (they should not), give up and let ``locate`` do it the slow way."""
        if self._tree is None:
            return {}
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        found = sorted((n for n in ast.walk(self._tree) if isinstance(n, kinds)), key=lambda n: (n.lineno, n.col_offset))
        scopes = [scope for scope in self.facts.definitions if isinstance(scope.node, (cst.FunctionDef, cst.ClassDef))]
        if len(found) != len(scopes) or any(a.name != s.node.name.value for a, s in zip(found, scopes)):  # type: ignore[union-attr]
            return {}
        lines = self._module.code.splitlines()
        located = {}
        for definition, scope in zip(found, scopes):
            line = lines[definition.lineno - 1] if definition.lineno <= len(lines) else ""
            keyword = "class " if isinstance(definition, ast.ClassDef) else "def "
            start = line.find(keyword, definition.col_offset)
            column = line.find(definition.name, start + len(keyword)) if start >= 0 else -1
            if column < 0:
                return {}
            located[id(scope.node)] = Location.at(self.path, definition.lineno, column + 1,
                                                  definition.lineno, column + 1 + len(definition.name))
        return located

    def locate(self, node: cst.CSTNode) -> Location:
        if self._positions is None:
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        span = self._positions[node]
        return Location.at(
            self.path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1
        )
