"""LlamaIndex workflow steps as fan-outs: a loop of ``ctx.send_event(Event(...))`` in one step runs
the steps that take ``Event`` up to ``num_workers`` copies at once (``@step(num_workers=4)`` by
default, ``workflows/decorators.py:125,136,154``)."""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Bound, BoundStatus, FanOut, Provenance
from agentlint.python.bounds import find_argument, given_limit
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.widths import width

STEP = "workflows.decorators.step"
CONTEXT = "workflows.context.context.Context"
SEND_EVENT = "workflows.Context.send_event"
DEFAULT_NUM_WORKERS = 4


def step_fan_outs(ctx: ExtractionContext, workflows: list[Scope]) -> list[FanOut]:
    """``ctx.send_event(Event(...))`` in a loop of one step: the steps that take ``Event`` run up to
    ``num_workers`` copies at once. A step limited to one worker runs them one at a time."""
    fan_outs = []
    for workflow in workflows:
        steps = [found for method in ctx.facts.definitions if method.parent is workflow
                 for found in [_step(ctx, method)] if found is not None]
        for site in ctx.facts.calls:
            func = site.node.func
            if not (site.loops and site.scope.owner_class is workflow and isinstance(func, cst.Attribute)
                    and func.attr.value == "send_event" and site.node.args
                    and isinstance(site.node.args[0].value, cst.Call)):
                continue
            event = ctx.evaluator.qualified_name(site.node.args[0].value.func, site.scope)
            loop = site.loops[-1]
            spread = width(ctx, loop.iter, site.scope) if isinstance(loop, cst.For) else BoundStatus.UNKNOWN
            for method, events, workers in steps:
                if event in events and workers.value is not None and workers.value > 1:
                    fan_outs.append(FanOut(
                        id=f"{site.scope.qualname}->{method.dotted}", mechanism=SEND_EVENT,
                        location=ctx.locate(site.node), scope=site.scope.qualname, width=spread, cap=workers,
                        spawns=method.dotted,
                    ))
    return fan_outs


def _step(ctx: ExtractionContext, method: Scope) -> tuple[Scope, set[str], Bound] | None:
    """A ``@step`` method: the events it takes (its parameters' annotations) and its worker limit."""
    node = method.node
    assert isinstance(node, cst.FunctionDef)
    for decorator in node.decorators:
        call = decorator.decorator if isinstance(decorator.decorator, cst.Call) else None
        target = call.func if call is not None else decorator.decorator
        if ctx.evaluator.qualified_name(target, method.parent or method) != STEP:
            continue
        default = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=DEFAULT_NUM_WORKERS,
                        detail=f"a `@step` runs up to {DEFAULT_NUM_WORKERS} copies at once by default")
        found = find_argument(ctx, call, method.parent or method, "num_workers") if call is not None else None
        workers = given_limit(ctx, found, "num_workers", default)
        events = set()
        for param in (*node.params.params, *node.params.kwonly_params):
            if param.annotation is not None:
                for part in _union(param.annotation.annotation):
                    name = ctx.evaluator.qualified_name(part, method)
                    if name is not None and name != CONTEXT:
                        events.add(name)
        return method, events, workers
    return None


def _union(annotation: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return [*_union(annotation.left), *_union(annotation.right)]
    return [annotation]
