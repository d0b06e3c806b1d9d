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
from agentlint.sources import split_lines
from agentlint.python.collector import ModuleFacts
from agentlint.python.scopes import Scope
from agentlint.python.values import Evaluator


class ExtractionContext:
    def __init__(
        self,
        path: str,
        module: cst.Module,
        facts: ModuleFacts,
        evaluator: Evaluator,
        tree: ast.Module | None = None,
        lines: list[str] | None = None,
    ) -> None:
        self.path = path
        self.facts = facts
        self.evaluator = evaluator
        self._module = module
        self._tree = tree
        self._lines = lines  # the source's lines as the ast tree counts them, to convert its columns
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self._definitions: dict[int, Location] | None = None
        self._quick: dict[int, Location] | None = None
        self._ast_classes: dict[int, ast.ClassDef] = {}  # libcst ClassDef id -> its ast node

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

    def locate_field(self, scope: Scope, name: str) -> Location | None:
        """Where a class body annotates ``name`` (``plan: str``), from the ast tree: state schemas are
        often the only facts of a module, and libcst positions would cost a full pass for them."""
        if self._definitions is None:
            self._definitions = self._definitions_from_ast()
        definition = self._ast_classes.get(id(scope.node))
        for statement in definition.body if definition is not None else ():
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                    and statement.target.id == name:
                return self._span(self._source_lines(), statement.target)
        return None

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
        lines = self._source_lines()
        located = {}
        self._ast_classes = {id(scope.node): definition for definition, scope in zip(found, scopes)
                             if isinstance(definition, ast.ClassDef)}
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

    def _calls_from_ast(self) -> dict[int, Location]:
        """Calls and their arguments located from the ast tree: most facts sit on a call or on one of
        its arguments, and pairing the two trees' calls in source order costs a fraction of libcst's
        position pass. The pairing is checked callee by callee; any disagreement (f-strings before
        Python 3.12 misplace nested nodes, for one) drops the lot, and ``locate`` falls back."""
        if self._tree is None:
            return {}
        theirs = sorted((n for n in ast.walk(self._tree) if isinstance(n, ast.Call)),
                        key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0), -(n.end_col_offset or 0)))
        ours = [site.node for site in self.facts.calls]
        if len(theirs) != len(ours) or any(_callee(a) != _callee_cst(c) for a, c in zip(theirs, ours)):
            return {}
        lines = self._source_lines()
        located: dict[int, Location] = {}
        for ast_call, cst_call in zip(theirs, ours):
            located[id(cst_call)] = self._span(lines, ast_call)
            positional = iter(ast_call.args)
            keywords = {keyword.arg: keyword for keyword in ast_call.keywords if keyword.arg}
            for arg in cst_call.args:
                if arg.keyword is not None and arg.keyword.value in keywords:
                    keyword = keywords[arg.keyword.value]
                    located[id(arg)] = self._span(lines, keyword)
                    if not isinstance(arg.value, _PARENTHESISED):
                        located[id(arg.value)] = self._span(lines, keyword.value)
                elif arg.keyword is None and not arg.star:
                    value = next(positional, None)
                    if value is None:
                        return {}
                    if not isinstance(arg.value, _PARENTHESISED):
                        located[id(arg.value)] = self._span(lines, value)
                elif arg.star == "*":
                    next(positional, None)
        return located

    def _source_lines(self) -> list[str]:
        """The caller's lines when given (regenerating the code from the tree is a full codegen pass)."""
        return self._lines if self._lines is not None else split_lines(self._module.code)

    def _span(self, lines: list[str], node: ast.AST) -> Location:
        """ast columns are UTF-8 byte offsets; findings use 1-based character columns."""
        start_row, end_row = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        start = _characters(lines, start_row, node.col_offset) + 1  # type: ignore[attr-defined]
        end = _characters(lines, end_row, node.end_col_offset or 0) + 1  # type: ignore[attr-defined]
        return Location.at(self.path, start_row, start, end_row, end)

    def locate(self, node: cst.CSTNode) -> Location:
        if self._quick is None:
            self._quick = self._calls_from_ast()
        quick = self._quick.get(id(node))
        if quick is not None:
            return quick
        if self._positions is None:
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        span = self._positions[node]
        return Location.at(
            self.path, span.start.line, span.start.column + 1, span.end.line, span.end.column + 1
        )


# Nodes whose spans the two parsers draw differently around their parentheses: left to libcst.
_PARENTHESISED = (cst.Tuple, cst.GeneratorExp)


def _characters(lines: list[str], row: int, byte_offset: int) -> int:
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "?"


def _callee_cst(call: cst.Call) -> str:
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else "?"
