"""Following an expression to what it stands for when the code binds it once: the shapes every
framework adapter reads (``agents=[researcher, writer]``, ``team = RoundRobinGroupChat(...)``)."""

from __future__ import annotations

import libcst as cst

from agentlint.python.scopes import Scope

_MAX_HOPS = 3


def is_builtin_str(expr: cst.BaseExpression, scope: Scope) -> bool:
    """``str`` itself, not shadowed: ``output_type=str`` (free text), ``str(result)``."""
    return isinstance(expr, cst.Name) and expr.value == "str" and not scope.lookup("str")


def single_assignment(expr: cst.BaseExpression, scope: Scope) -> tuple[cst.BaseExpression, Scope] | None:
    """The expression a name (or ``self.x``) is bound to, when it is bound exactly once."""
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
    elif (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and scope.owner_class is not None
          and expr.value.value == scope.self_name):
        bindings = scope.owner_class.attributes.get(expr.attr.value, [])
    else:
        return None
    if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
        return bindings[0].node, bindings[0].scope or scope
    return None


def list_elements(expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[tuple[cst.BaseExpression, Scope]] | None:
    """The items of a list or tuple display, given directly or bound to a name once; ``None`` when
    the list cannot be read whole (a ``*rest`` in it, a comprehension, a call)."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        if any(isinstance(element, cst.StarredElement) for element in expr.elements):
            return None
        return [(element.value, scope) for element in expr.elements]
    bound = single_assignment(expr, scope)
    return list_elements(*bound, depth + 1) if bound is not None and depth < _MAX_HOPS else None
