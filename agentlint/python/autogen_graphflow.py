"""Whether a ``GraphFlow``'s graph has a cycle, read from the ``DiGraphBuilder`` calls that built it.

A ``GraphFlow`` ends by itself when no agent is left to run, so an acyclic graph needs no termination
condition; a cycle (conditional or not) keeps handing the conversation around until something stops it.
Only a cycle agentlint actually sees counts: edges it cannot read (chained builder calls, a builder
passed to a helper) could add cycles but never remove one, so missing them only keeps rules quiet.
"""

from __future__ import annotations

import libcst as cst
import networkx as nx

from agentlint.python.bounds import Given, find_argument, literal_string
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import single_assignment
from agentlint.python.scopes import Scope
from agentlint.python.values import Instance, Literal

BUILDER = "autogen_agentchat.teams.DiGraphBuilder"
CANONICAL = {
    "autogen_agentchat.teams._group_chat._graph.DiGraphBuilder": BUILDER,
    "autogen_agentchat.teams._group_chat._graph._graph_builder.DiGraphBuilder": BUILDER,
}


def cyclic(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> bool:
    """``graph=builder.build()`` (directly or through a name bound once) whose ``add_edge`` and
    ``add_conditional_edges`` calls form a cycle."""
    bound = single_assignment(expr, scope) if not isinstance(expr, cst.Call) else None
    if bound is not None:
        expr, scope = bound
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "build"):
        return False
    builder = ctx.evaluator.evaluate(expr.func.value, scope)
    if not (isinstance(builder, Instance) and builder.kind == BUILDER):
        return False
    edges = nx.DiGraph()
    for site in ctx.facts.calls:
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in ("add_edge", "add_conditional_edges")):
            continue
        owner = ctx.evaluator.evaluate(func.value, site.scope)
        if not (isinstance(owner, Instance) and owner.call is builder.call):
            continue
        source = _node(ctx, find_argument(ctx, site.node, site.scope, "source", 0))
        for target in _targets(ctx, site.node, site.scope, func.attr.value):
            if source is not None and target is not None:
                edges.add_edge(source, target)
    return not nx.is_directed_acyclic_graph(edges)


def _targets(ctx: ExtractionContext, call: cst.Call, scope: Scope, method: str) -> list[str | None]:
    if method == "add_edge":
        return [_node(ctx, find_argument(ctx, call, scope, "target", 1))]
    found = find_argument(ctx, call, scope, "condition_to_target", 1)
    if not (isinstance(found, Given) and isinstance(found.expr, cst.Dict)):
        return []
    return [_node(ctx, Given(element.value, found.scope, element.value)) for element in found.expr.elements
            if isinstance(element, cst.DictElement)]


def _node(ctx: ExtractionContext, found: Given | None | object) -> str | None:
    """A graph node by agent name: a string, or an agent whose ``name`` is a string."""
    if not isinstance(found, Given):
        return None
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if isinstance(value, Literal) and isinstance(value.value, str):
        return value.value
    if isinstance(value, Instance):
        return literal_string(ctx, find_argument(ctx, value.call, value.scope, "name", 0))
    return None
