"""Hand-written agent loops: ``while`` loops whose body calls a model and that only the model's
output can end (no counter, no length check, no numeric comparison in the loop's exits)."""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Call, Loop
from agentlint.python.context import ExtractionContext
from agentlint.python.exits import externally_bounded


def loops(ctx: ExtractionContext, calls: list[Call]) -> list[Loop]:
    model_calls = {(call.location.start.row, call.location.start.column): call for call in calls
                   if call.kind.value == "llm"}
    found = []
    for loop, scope in ctx.facts.while_loops:
        inside = [
            model_calls[key] for site in ctx.facts.calls if loop in site.loops
            for key in [(ctx.locate(site.node).start.row, ctx.locate(site.node).start.column)] if key in model_calls
        ]
        if not inside:
            continue
        exits = _exit_conditions(loop)
        external = externally_bounded(exits)
        render = cst.Module(body=[]).code_for_node
        detail = "exits: " + "; ".join(f"`{render(test)}`" for test in exits) if exits else "no exit condition"
        found.append(Loop(
            id=f"{scope.qualname}:while@{inside[0].target}",
            location=ctx.locate(loop),
            scope=scope.qualname,
            calls=tuple(dict.fromkeys(call.target for call in inside)),
            external_exit=external,
            exit_detail=detail,
        ))
    return found


def _exit_conditions(loop: cst.While) -> list[cst.BaseExpression]:
    """The loop test (unless it is a constant) and the tests of ``if``s that ``break`` or ``return``."""
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
