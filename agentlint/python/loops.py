"""Hand-written agent loops: ``while`` loops whose body calls a model and that only the model's
output can end. An exit is the loop test (unless constant) or the test of an ``if`` that ``break``s,
``return``s or ``raise``s; the loop is model-decided when every exit reads the model's reply (or a value
derived from it) and none is bounded by a counter, a length, a number or a deadline. Exits that read
anything else (user input, a shutdown event) and loops under an ``asyncio.timeout`` are left alone."""

from __future__ import annotations

import libcst as cst

from agentlint.findings import Location
from agentlint.ir import Call, Loop
from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext
from agentlint.python.exits import externally_bounded
from agentlint.python.outputs import MODEL_WORK
from agentlint.python.scopes import Scope


def loops(ctx: ExtractionContext, calls: list[Call]) -> list[Loop]:
    model_calls = {(call.location.start.row, call.location.start.column): call for call in calls
                   if call.kind in MODEL_WORK}
    if not model_calls:
        return []
    found = []
    for loop, scope in ctx.facts.while_loops:
        sites = [site for site in ctx.facts.calls if loop in site.loops and _key(ctx, site) in model_calls]
        if not sites:
            continue
        where = ctx.locate(loop)
        exits = _exit_conditions(loop)
        model_nodes = {id(site.node) for site in ctx.facts.calls if site.scope is scope and _key(ctx, site) in model_calls}
        derived = _model_names(scope, model_nodes)
        # A loop with no exit at all (a console chat, a worker) is not one the model ends.
        model_decided = bool(exits) and all(_mentions(test, model_nodes, derived) for test in exits)
        external = (externally_bounded(exits) or not model_decided or _under_deadline(ctx, sites, where)
                    or _person_in_the_loop(loop, scope) or _shared_budget(sites))
        render = cst.Module(body=[]).code_for_node
        detail = "exits: " + "; ".join(f"`{render(test)}`" for test in exits) if exits else "no exit condition"
        targets = [model_calls[_key(ctx, site)].target for site in sites]
        found.append(Loop(
            id=f"{scope.qualname}:while@{targets[0]}",
            location=where,
            scope=scope.qualname,
            calls=tuple(dict.fromkeys(targets)),
            external_exit=external,
            exit_detail=detail,
        ))
    return found


def _key(ctx: ExtractionContext, site: CallSite) -> tuple[int, int]:
    where = ctx.locate(site.node)
    return where.start.row, where.start.column


def _under_deadline(ctx: ExtractionContext, sites: list[CallSite], loop: Location) -> bool:
    """An ``asyncio.timeout``/``anyio.fail_after`` around the whole loop bounds it."""
    for site in sites:
        for wrapper in site.wrappers:
            outer = ctx.locate(wrapper.node)
            if wrapper.limit is not None and (outer.start.row, outer.start.column) <= (loop.start.row, loop.start.column):
                return True
    return False


def _person_in_the_loop(loop: cst.While, scope: Scope) -> bool:
    """Every pass waits on a person: it reads ``input()``, or it handles a run's ``interruptions``
    (tool calls waiting for approval; the Agents SDK resumes the same run, whose turn limit holds)."""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            found |= isinstance(node.func, cst.Name) and node.func.value == "input" and not scope.lookup("input")

        def visit_Attribute(self, node: cst.Attribute) -> None:
            nonlocal found
            found |= node.attr.value == "interruptions"

    loop.visit(_Finder())
    return found


def _shared_budget(sites: list[CallSite]) -> bool:
    """The runs draw on one usage budget across passes (Pydantic AI's ``usage=``, checked against
    the run's usage limits, 50 requests by default): the budget ends the loop."""
    return any(arg.keyword is not None and arg.keyword.value == "usage" for site in sites for arg in site.node.args)


def _model_names(scope: Scope, model_nodes: set[int]) -> set[str]:
    """Names in the function bound to a model reply, or to something computed from one."""
    names: set[str] = set()
    for _ in range(4):
        before = len(names)
        for name, bindings in scope.bindings.items():
            if any(b.kind == "assign" and b.node is not None and _mentions(b.node, model_nodes, names) for b in bindings):
                names.add(name)
        if len(names) == before:
            break
    return names


def _mentions(expr: cst.CSTNode, model_nodes: set[int], names: set[str]) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            found |= id(node) in model_nodes

        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found |= node.value in names

    expr.visit(_Finder())
    return found


def _exit_conditions(loop: cst.While) -> list[cst.BaseExpression]:
    conditions = [] if _constant_true(loop.test) else [loop.test]

    class _Exits(cst.CSTVisitor):
        def visit_If(self, node: cst.If) -> None:
            if _leaves(node.body):
                conditions.append(node.test)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_While(self, node: cst.While) -> bool:
            return node is loop

        def visit_For(self, node: cst.For) -> bool:
            return False

    loop.visit(_Exits())
    return conditions


def _leaves(body: cst.BaseSuite) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Break(self, node: cst.Break) -> None:
            nonlocal found
            found = True

        def visit_Return(self, node: cst.Return) -> None:
            nonlocal found
            found = True

        def visit_Raise(self, node: cst.Raise) -> None:
            nonlocal found
            found = True

    body.visit(_Finder())
    return found


def _constant_true(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "True") or (
        isinstance(test, cst.Integer) and test.value != "0")
