"""Reading a limit argument at a call site, including through ``**kwargs`` dicts, as a ``Bound``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from agentlint.ir import Bound, BoundStatus, Provenance
from agentlint.python.collector import CallSite, Wrapper, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, DictValue, Literal, ModuleRef, Value


@dataclass(frozen=True)
class Given:
    """A limit argument that is present: its expression, the scope to evaluate it in, and the node a
    finding should point at (the keyword argument, or the ``**kwargs`` it came through)."""

    expr: cst.BaseExpression
    scope: Scope
    anchor: cst.CSTNode


def find_argument(
    ctx: ExtractionContext, call: cst.Call, scope: Scope, keyword: str, position: int | None = None
) -> Given | None | object:
    """The argument for ``keyword``: ``Given``, ``None`` when certainly absent, or ``UNKNOWN`` when a
    ``*args``/``**kwargs`` could not be read."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return Given(arg.value, scope, arg)
    direct = argument(call, keyword, position)
    if direct is not None:
        return Given(direct, scope, direct)
    uncertain = False
    for arg in call.args:
        if arg.star == "**":
            value = ctx.evaluator.evaluate(arg.value, scope)
            if isinstance(value, DictValue):
                if keyword in value.entries:
                    expr, entry_scope = value.entries[keyword]
                    return Given(expr, entry_scope, arg)
                uncertain |= not value.complete
            else:
                uncertain = True
        elif arg.star == "*" and position is not None:
            uncertain = True
    if uncertain:
        return UNKNOWN
    wrapped = ctx.evaluator.partial(call, scope)
    if wrapped is not None:  # ``make_agent = partial(Agent, max_iter=5)``: the partial's keywords count
        return find_argument(ctx, wrapped.call, wrapped.scope, keyword)
    return None


def explicit(ctx: ExtractionContext, given: Given, status: BoundStatus, detail: str, value: float | None = None) -> Bound:
    return Bound(
        status=status, provenance=Provenance.EXPLICIT, detail=detail, value=value, source=ctx.locate(given.anchor)
    )


def numeric_limit(ctx: ExtractionContext, call: cst.Call, scope: Scope, keyword: str, default: Bound) -> Bound:
    """A numeric limit given to a call by keyword: a number, ``None`` (no limit at all), absent (the
    framework's ``default``), or unknown when it cannot be read."""
    return given_limit(ctx, find_argument(ctx, call, scope, keyword), keyword, default)


def given_limit(ctx: ExtractionContext, found: Given | None | object, keyword: str, default: Bound,
                none_means: Bound | None = None) -> Bound:
    """``numeric_limit`` for an argument already found (``find_argument``'s answer, or a parameter's
    default); ``none_means`` replaces the explicit opt-out where the framework reads ``None`` as its default."""
    if found is UNKNOWN:
        return Bound.unknown(f"`{keyword}` may come from `**kwargs` that could not be resolved")
    if not isinstance(found, Given):
        return default
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return none_means or explicit(ctx, found, BoundStatus.UNBOUNDED, f"`{keyword}=None`")
    limit = number(value)
    if limit is None:
        return Bound.unknown(f"`{keyword}={code(found.expr)}` could not be resolved statically")
    return explicit(ctx, found, BoundStatus.BOUNDED, f"`{keyword}={code(found.expr)}`", limit)


def number(value: Value) -> float | None:
    if isinstance(value, Literal) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return float(value.value)
    return None


def is_none(value: Value) -> bool:
    return isinstance(value, Literal) and value.value is None


def literal_string(ctx: ExtractionContext, found: Given | None | object) -> str | None:
    """The text of an argument given as a string agentlint can read (an agent's ``name=``)."""
    if isinstance(found, Given):
        value = ctx.evaluator.evaluate(found.expr, found.scope)
        if isinstance(value, Literal) and isinstance(value.value, str):
            return value.value
    return None


def opaque_kwargs(ctx: ExtractionContext, call: cst.Call, scope: Scope) -> bool:
    """A ``**kwargs`` that cannot be read whole: any setting may hide in it."""
    for arg in call.args:
        if arg.star == "**":
            value = ctx.evaluator.evaluate(arg.value, scope)
            if not (isinstance(value, DictValue) and value.complete):
                return True
    return False


def code(expr: cst.CSTNode) -> str:
    """Short source text for messages; long expressions are elided rather than dumped."""
    text = cst.Module(body=[]).code_for_node(expr)
    return text if len(text) <= 40 else text[:37] + "..."


def wrapper_bound(ctx: ExtractionContext, site: CallSite) -> Bound | None:
    """The innermost enclosing timeout wrapper that sets a limit, as a bound for an awaited call."""
    for wrapper in reversed(site.wrappers):
        bound = _wrapper_limit(ctx, wrapper)
        if bound is not None:
            return bound
    return None


def _wrapper_limit(ctx: ExtractionContext, wrapper: Wrapper) -> Bound | None:
    if wrapper.limit is None:
        return None
    value = ctx.evaluator.evaluate(wrapper.limit, wrapper.scope)
    if is_none(value):
        return None
    return Bound(
        status=BoundStatus.BOUNDED,
        provenance=Provenance.WRAPPER,
        detail=f"inside `{wrapper.target}({code(wrapper.limit)})`",
        value=number(value),
        source=ctx.locate(wrapper.node),
    )


Classifier = Callable[[ExtractionContext, Given], Bound]


def imported_kwargs(ctx: ExtractionContext, call: cst.Call, scope: Scope) -> str | None:
    """The qualified name behind the call's only unreadable ``**kwargs``, when it is imported from
    another module (``**HTTP_OPTIONS`` from a settings module): assembly can read it there."""
    imported = []
    for arg in call.args:
        if arg.star == "**":
            value = ctx.evaluator.evaluate(arg.value, scope)
            if isinstance(value, ModuleRef):
                imported.append(value.qualified)
            elif not (isinstance(value, DictValue) and value.complete):
                return None
        elif arg.star == "*":
            return None
    return imported[0] if len(imported) == 1 else None


def pending(ctx: ExtractionContext, qualified: str, anchor: cst.CSTNode, key: str | None = None,
            fallback: Bound | None = None) -> Bound:
    what = f"`{key}` in `**{qualified.rsplit('.', 1)[-1]}`" if key else f"`{qualified.rsplit('.', 1)[-1]}`"
    return Bound(status=BoundStatus.UNKNOWN, provenance=Provenance.UNKNOWN,
                 detail=f"{what} is defined in another module", source=ctx.locate(anchor),
                 pending=qualified, pending_key=key, fallback=fallback)
