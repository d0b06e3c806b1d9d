"""Which agent runs' output an expression carries: the building block of ``run-output`` hops, where
the result of one run becomes the task of another (``writer.run(f"Notes: {researcher.run(q)}")``).

Followed: the run call itself (awaited or not) or what an adapter says holds a run's output, a name
bound to it once, an attribute or item of it (``result.output``), f-strings, ``+`` concatenation, list
and tuple displays, ``str(...)`` and methods called on it; a pass
through a schema check (``Plan.model_validate_json(...)``, ``TypeAdapter(Plan).validate_python``)
marks the output validated by that schema. Anything else carries nothing agentlint can name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst

from agentlint.findings import Location
from agentlint.ir import Hop
from agentlint.python.bounds import code
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import is_builtin_str, single_assignment
from agentlint.python.outputs import VALIDATORS
from agentlint.python.scopes import Scope

_MAX_DEPTH = 6


@dataclass(frozen=True)
class Source:
    agent: str  # the id of the agent whose run produced the value
    validated_by: str | None = None


def add_hops(hops: list[Hop], found: Iterable[Source], consumer: str, location: Location, prefix: str = "") -> None:
    """A ``run-output`` hop from each distinct source to ``consumer`` (none from the consumer's own
    earlier run: an agent continuing its conversation). Ids are ``{prefix}{producer}->{consumer}``,
    with ``#2``, ``#3``... when the same pair hops again, so that each stays unique; ``validated`` is
    left to assembly unless a schema check was seen on the way."""
    for source in dict.fromkeys(found):
        if source.agent == consumer:
            continue
        hop_id = f"{prefix}{source.agent}->{consumer}"
        taken = sum(hop.id.split("#")[0] == hop_id for hop in hops)
        hops.append(Hop(
            id=f"{hop_id}#{taken + 1}" if taken else hop_id, producer=source.agent, producer_agent=source.agent,
            consumer=consumer, consumer_agent=consumer, mechanism="run-output", location=location,
            validated_by=source.validated_by, validated=True if source.validated_by else None,
        ))


RunOf = Callable[[cst.Call], "str | None"]
OutputOf = Callable[[cst.BaseExpression, Scope], "list[Source] | None"]


def sources(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope, run_of: RunOf = lambda call: None,
            output_of: OutputOf | None = None, depth: int = 0) -> list[Source]:
    """``run_of`` names the agent a call runs, where the run call itself is the output (smolagents);
    ``output_of`` answers for an expression that reads a run's output off its result object
    (``result.final_output``), or ``None`` to let the trail go on."""
    if depth > _MAX_DEPTH:
        return []
    answered = output_of(expr, scope) if output_of is not None else None
    if answered is not None:
        return answered

    def follow(inner: cst.BaseExpression, inner_scope: Scope = scope) -> list[Source]:
        return sources(ctx, inner, inner_scope, run_of, output_of, depth + 1)

    if isinstance(expr, cst.Await):
        return follow(expr.expression)
    if isinstance(expr, cst.FormattedString):
        return [found for part in expr.parts if isinstance(part, cst.FormattedStringExpression)
                for found in follow(part.expression)]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return follow(expr.left) + follow(expr.right)
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [found for element in expr.elements for found in follow(element.value)]
    if isinstance(expr, (cst.Attribute, cst.Subscript)):
        return follow(expr.value)
    if isinstance(expr, cst.Name):
        bound = single_assignment(expr, scope)
        return follow(*bound) if bound is not None else []
    if not isinstance(expr, cst.Call):
        return []
    agent = run_of(expr)
    if agent is not None:
        return [Source(agent)]
    func = expr.func
    if is_builtin_str(func, scope) and expr.args:
        return follow(expr.args[0].value)
    if not isinstance(func, cst.Attribute):
        return []
    if func.attr.value in VALIDATORS and expr.args:
        schema = _schema(ctx, func.value, scope)
        return [Source(found.agent, found.validated_by or schema) for found in follow(expr.args[0].value)]
    return follow(func.value)  # a method of the value: ``answer.strip()``


def _schema(ctx: ExtractionContext, validator: cst.BaseExpression, scope: Scope) -> str:
    """``Plan`` in ``Plan.model_validate`` and in ``TypeAdapter(Plan).validate_python``."""
    if isinstance(validator, cst.Call) and validator.args:
        validator = validator.args[0].value
    return ctx.evaluator.qualified_name(validator, scope) or code(validator)
