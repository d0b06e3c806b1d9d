"""Static evaluation of the few expression shapes that decide a rule: literals, imported names,
constructor calls, keyword dicts. Anything else is ``UNKNOWN`` so that rules stay quiet on it.

Evaluation never runs user code; it follows bindings recorded by the collector, memoised per node and
capped in depth so a pathological chain of aliases cannot blow up.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from agentlint.python.scopes import Binding, Scope

MAX_DEPTH = 12


class Unknown:
    """The single "cannot tell" value; compared by identity."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class ModuleRef:
    """A name that resolves to an imported module or one of its attributes, e.g. ``requests.get``."""

    qualified: str


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Instance:
    """The result of calling ``kind`` at ``call``; ``name`` is the variable it was bound to, if any,
    and ``scope`` the scope the call is evaluated in."""

    kind: str
    call: cst.Call
    scope: Scope
    name: str | None = None
    parent: Instance | None = None  # the client this one was derived from (``client.with_options(...)``)


@dataclass(frozen=True)
class DictValue:
    """A keyword dict: the entries that could be read, and whether some ``**x`` could not."""

    entries: dict[str, tuple[cst.BaseExpression, Scope]] = field(default_factory=dict)
    complete: bool = True


Value = ModuleRef | Literal | Instance | DictValue | Unknown


class Evaluator:
    """``canonical`` maps re-export paths to one name per object; ``derivers`` maps, per instance
    kind, the methods that return a derived instance to the kind they return
    (``client.with_options(...)``, ``builder.compile()``); ``known_instances`` are the kinds adapters
    follow method calls on; ``dict_constructors`` build keyword dicts (``RunnableConfig(...)``);
    ``factories`` are this module's functions with their returned expressions, so that calling a
    simple factory evaluates to what it returns."""

    def __init__(
        self,
        canonical: dict[str, str],
        derivers: dict[str, dict[str, str]] | None = None,
        known_instances: frozenset[str] = frozenset(),
        dict_constructors: frozenset[str] = frozenset(),
        factories: dict[str, list[tuple[cst.BaseExpression, Scope]]] | None = None,
    ) -> None:
        self._canonical = canonical
        self._derivers = derivers or {}
        self.known_instances = known_instances
        self._dict_constructors = dict_constructors
        self._factories = factories or {}
        self._memo: dict[tuple[int, int], Value] = {}

    def canonical(self, qualified: str) -> str:
        return self._canonical.get(qualified, qualified)

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        value = self.evaluate(expr, scope)
        return value.qualified if isinstance(value, ModuleRef) else None

    def callee(self, call: cst.Call, scope: Scope) -> str | None:
        """What a call calls, by qualified name; a parametrised generic (``Agent[Context](...)``)
        calls the class itself, and a ``functools.partial`` the callable it wraps."""
        func = call.func.value if isinstance(call.func, cst.Subscript) else call.func
        qualified = self.qualified_name(func, scope)
        wrapped = self.partial(call, scope) if qualified is None else None
        if wrapped is not None:
            return self.qualified_name(wrapped.call.args[0].value, wrapped.scope)
        return qualified

    def factory_returns(self, function: str | None) -> list[tuple[cst.BaseExpression, Scope]]:
        """What a module-level function of this module returns (``def make_stop(): return A | B``)."""
        return self._factories.get(function or "", [])

    def partial(self, call: cst.Call, scope: Scope) -> Instance | None:
        """The ``functools.partial(f, ...)`` a call goes through, if it does."""
        value = self.evaluate(call.func, scope)
        if isinstance(value, Instance) and value.kind == "functools.partial" and value.call.args \
                and value.call.args[0].keyword is None and not value.call.args[0].star:
            return value
        return None

    def evaluate(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Value:
        key = (id(expr), id(scope))
        if key not in self._memo:
            self._memo[key] = UNKNOWN if depth > MAX_DEPTH else self._evaluate(expr, scope, depth + 1)
        return self._memo[key]

    def _evaluate(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Value:
        if isinstance(expr, cst.Name):
            if expr.value in ("None", "True", "False"):
                return Literal({"None": None, "True": True, "False": False}[expr.value])
            return self._resolve_name(expr.value, scope, depth)
        if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
            return _literal(expr)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self.evaluate(expr.expression, scope, depth)
            if isinstance(inner, Literal) and isinstance(inner.value, (int, float)):
                return Literal(-inner.value)
            return UNKNOWN
        if isinstance(expr, (cst.Tuple, cst.List)):
            items = [self.evaluate(element.value, scope, depth) for element in expr.elements]
            return Literal(tuple(item.value if isinstance(item, Literal) else UNKNOWN for item in items))
        if isinstance(expr, cst.Attribute):
            base = self.evaluate(expr.value, scope, depth)
            if isinstance(base, ModuleRef):
                return ModuleRef(self.canonical(f"{base.qualified}.{expr.attr.value}"))
            return self._self_attribute(expr, scope, depth)
        if isinstance(expr, cst.Dict):
            return self._dict_literal(expr, scope, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, depth)
        return UNKNOWN

    def _resolve_name(self, name: str, scope: Scope, depth: int) -> Value:
        bindings = scope.lookup(name)
        if not bindings:
            return UNKNOWN
        values = [self._binding_value(binding, scope, depth) for binding in bindings]
        value = values[0]
        if any(other != value for other in values[1:]):
            return UNKNOWN
        if isinstance(value, Instance) and value.name is None:
            return Instance(value.kind, value.call, value.scope, name, value.parent)
        return value

    def _binding_value(self, binding: Binding, scope: Scope, depth: int) -> Value:
        if binding.kind in ("import", "def") and binding.qualified:
            return ModuleRef(self.canonical(binding.qualified))
        if binding.kind == "assign" and binding.node is not None:
            return self.evaluate(binding.node, binding.scope or scope, depth)
        return UNKNOWN

    def _self_attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> Value:
        """``self.client`` inside a method resolves to the one ``self.client = ...`` in its class."""
        if not (isinstance(expr.value, cst.Name) and expr.value.value == scope.self_name and scope.owner_class):
            return UNKNOWN
        bindings = scope.owner_class.attributes.get(expr.attr.value, [])
        if len(bindings) != 1 or bindings[0].node is None:
            return UNKNOWN
        value = self.evaluate(bindings[0].node, bindings[0].scope or scope, depth)
        if isinstance(value, Instance):
            return Instance(value.kind, value.call, value.scope, f"self.{expr.attr.value}", value.parent)
        return value

    def _dict_literal(self, expr: cst.Dict, scope: Scope, depth: int) -> Value:
        entries: dict[str, tuple[cst.BaseExpression, Scope]] = {}
        complete = True
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                merged = self.evaluate(element.value, scope, depth)
                if isinstance(merged, DictValue):
                    entries.update(merged.entries)
                    complete &= merged.complete
                else:
                    complete = False
                continue
            key = _literal(element.key) if isinstance(element.key, cst.SimpleString) else UNKNOWN
            if isinstance(key, Literal) and isinstance(key.value, str):
                entries[key.value] = (element.value, scope)
            else:
                complete = False
        return DictValue(entries, complete)

    def _call(self, expr: cst.Call, scope: Scope, depth: int) -> Value:
        if isinstance(expr.func, cst.Name) and expr.func.value == "dict" and not scope.lookup("dict"):
            return self._dict_call(expr, scope, depth)
        if isinstance(expr.func, cst.Attribute):
            base = self.evaluate(expr.func.value, scope, depth)
            derived = self._derivers.get(base.kind, {}).get(expr.func.attr.value) if isinstance(base, Instance) else None
            if derived is not None:
                return Instance(derived, expr, scope, parent=base)
        # A parametrised generic (``Agent[Deps, Plan](...)``) builds an instance of the class itself.
        func = expr.func.value if isinstance(expr.func, cst.Subscript) else expr.func
        callee = self.evaluate(func, scope, depth)
        if not isinstance(callee, ModuleRef):
            return UNKNOWN
        if callee.qualified in self._dict_constructors:
            return self._dict_call(expr, scope, depth)
        if callee.qualified in self._factories:
            returned = self._factory_result(callee.qualified, depth)
            if returned is not None:
                return returned
        return Instance(callee.qualified, expr, scope)

    def _factory_result(self, function: str, depth: int) -> Instance | None:
        """A function of this module whose every ``return`` gives the same instance (a builder that
        returns ``graph.compile()``, a ``make_client()`` helper)."""
        values = [self.evaluate(expr, scope, depth) for expr, scope in self._factories[function]]
        if values and isinstance(values[0], Instance) and all(value == values[0] for value in values[1:]):
            return values[0]
        return None

    def _dict_call(self, expr: cst.Call, scope: Scope, depth: int) -> Value:
        entries: dict[str, tuple[cst.BaseExpression, Scope]] = {}
        complete = True
        for arg in expr.args:
            if arg.keyword is not None:
                entries[arg.keyword.value] = (arg.value, scope)
                continue
            merged = self.evaluate(arg.value, scope, depth)
            if isinstance(merged, DictValue):
                entries.update(merged.entries)
                complete &= merged.complete
            else:
                complete = False
        return DictValue(entries, complete)


def _literal(expr: cst.BaseExpression) -> Value:
    try:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            evaluated = expr.evaluated_value
            return Literal(evaluated) if evaluated is not None else UNKNOWN
        return Literal(ast.literal_eval(expr.value))  # type: ignore[attr-defined]
    except (ValueError, SyntaxError):
        return UNKNOWN
