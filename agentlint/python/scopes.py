"""agentlint's own scope and binding table, built during the single visitor pass.

libcst's ``ScopeProvider``/``QualifiedNameProvider`` cost 50-80x an ``ast.parse`` (DESIGN.md section 5);
the questions agentlint asks are narrower (what does this name refer to, if it is bound exactly once?), so
a flat table of bindings per scope answers them at a fraction of the cost. Flow-insensitive on purpose:
a name bound more than once in a scope resolves to "unknown" unless every binding agrees, and rules stay
quiet on unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


@dataclass(frozen=True)
class Binding:
    """How a name got its value. ``node`` is the bound expression for assignments and with-items,
    ``qualified`` the imported name for imports and the importable name of a def or class;
    parameters and loop targets carry neither."""

    kind: str  # "import" | "def" | "assign" | "param" | "other"
    node: cst.BaseExpression | None = None
    qualified: str | None = None
    scope: Scope | None = None  # where ``node`` is evaluated, when not the scope holding the binding


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "class" | "function"
    qualname: str  # for ids and messages: ``pkg.mod:Class.method``
    parent: Scope | None
    dotted: str = ""  # the importable name: ``pkg.mod.Class.method``
    node: cst.CSTNode | None = None  # the FunctionDef/ClassDef/Lambda that opened the scope
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    self_name: str | None = None  # the first parameter of a method, so ``self.x`` can be resolved
    owner_class: Scope | None = None  # the class a method belongs to
    attributes: dict[str, list[Binding]] = field(default_factory=dict)  # ``self.x = ...`` (class scopes)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> list[Binding]:
        """Python's lookup rule: enclosing function scopes and the module, skipping class bodies."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings and (scope is self or scope.kind != "class"):
                return scope.bindings[name]
            scope = scope.parent
        return []

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope
