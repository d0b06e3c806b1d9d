"""Ids for framework objects built in code (agents, teams): human-readable qualified names that survive
edits elsewhere in the file, so suppressions, baselines and fingerprints keep pointing at them."""

from __future__ import annotations

import libcst as cst

from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope


def object_id(ctx: ExtractionContext, site: CallSite, label: str) -> str:
    """The function that returns the object (a factory), else the variable it is bound to, else its
    line (``pkg.mod.<Agent:12>``)."""
    scope = site.scope
    if scope.kind == "function" and any(returns(statement.value, site.node, scope)
                                        for statement in ctx.facts.returns.get(id(scope), [])):
        return scope.dotted
    name = ctx.facts.bound_names.get(id(site.node))
    if name is not None:
        return f"{scope.dotted}.{name.removeprefix('self.')}"
    return f"{scope.dotted}.<{label}:{ctx.locate(site.node).start.row}>"


def plain_factory(scope: Scope) -> bool:
    """A module-level function that takes no arguments: another module that calls it gets what it
    returns, so assembly can follow the result there (``pkg.models.make_llm()``)."""
    node = scope.node
    if not (scope.kind == "function" and scope.parent is not None and scope.parent.kind == "module"
            and isinstance(node, cst.FunctionDef)):
        return False
    params = node.params
    return not (params.params or params.posonly_params or params.kwonly_params
                or isinstance(params.star_arg, cst.Param) or params.star_kwarg)


def of_project(ctx: ExtractionContext, qualified: str) -> bool:
    """Whether a qualified name belongs to the analysed module's own top-level package (a
    ``build_team`` imported from a sibling module), rather than to a library."""
    return "." in qualified and qualified.split(".", 1)[0] == ctx.module_name.split(".", 1)[0]


def returns(value: cst.BaseExpression | None, node: cst.Call, scope: Scope) -> bool:
    """Whether a returned value is ``node``: ``return Agent(...)``, or ``return agent`` where ``agent``
    is bound once, to that call."""
    if value is node:
        return True
    if isinstance(value, cst.Name):
        bindings = scope.bindings.get(value.value, [])
        return len(bindings) == 1 and bindings[0].node is node
    return False
