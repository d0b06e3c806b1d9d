"""How many branches a fan-out has: fixed in code (a literal, a constant, ``range(3)``, a slice with
an upper bound) or following data (a parameter, a state field, a query result). Shared by the asyncio
fan-out and LangGraph's ``Send`` so both call the same things "data-dependent"."""

from __future__ import annotations

import libcst as cst

from agentlint.ir import BoundStatus
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.values import DictValue, Literal

# Calls whose result is as long as their (first) argument.
_SAME_WIDTH = frozenset({"enumerate", "sorted", "list", "tuple", "reversed", "set", "zip", "iter"})
_DICT_VIEWS = frozenset({"items", "keys", "values"})


def width(ctx: ExtractionContext, iterable: cst.BaseExpression, scope: Scope, depth: int = 0) -> BoundStatus:
    if depth > 4:
        return BoundStatus.UNBOUNDED
    if isinstance(iterable, (cst.List, cst.Tuple, cst.Set, cst.Dict)) or sliced(iterable, scope):
        return BoundStatus.BOUNDED
    if isinstance(iterable, cst.Call):
        func = iterable.func
        if isinstance(func, cst.Name) and func.value == "range" and not scope.lookup("range"):
            values = [ctx.evaluator.evaluate(arg.value, scope) for arg in iterable.args]
            return BoundStatus.BOUNDED if all(isinstance(v, Literal) for v in values) else BoundStatus.UNBOUNDED
        if isinstance(func, cst.Name) and func.value in _SAME_WIDTH and iterable.args and not scope.lookup(func.value):
            return width(ctx, iterable.args[0].value, scope, depth + 1)
        if isinstance(func, cst.Attribute) and func.attr.value in _DICT_VIEWS:
            return width(ctx, func.value, scope, depth + 1)
    value = ctx.evaluator.evaluate(iterable, scope)
    if isinstance(value, Literal) or (isinstance(value, DictValue) and value.complete):
        return BoundStatus.BOUNDED
    if isinstance(iterable, cst.Name):
        bindings = scope.lookup(iterable.value)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
            return width(ctx, bindings[0].node, bindings[0].scope or scope, depth + 1)
    return BoundStatus.UNBOUNDED


def sliced(iterable: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """``items[:N]``, directly or through a name bound to it once."""
    if isinstance(iterable, cst.Subscript) and iterable.slice:
        index = iterable.slice[0].slice
        return isinstance(index, cst.Slice) and index.upper is not None
    if isinstance(iterable, cst.Name) and depth < 4:
        bindings = scope.lookup(iterable.value)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
            return sliced(bindings[0].node, bindings[0].scope or scope, depth + 1)
    return False
