"""Hand-written agent loops: ``while`` loops whose body calls a model and that only the model's
output can end (no counter, no length check, no numeric comparison in the loop's exits)."""

from __future__ import annotations

import keyword
import re

import libcst as cst

from agentlint.ir import Call, Loop
from agentlint.python.context import ExtractionContext

_COMPARED_NUMBER = re.compile(r"(?:[<>]=?|==|!=)\s*-?\d|\d\s*(?:[<>]=?|==|!=)|\blen\(|\brange\(")
_COUNTER = re.compile(r"(?:^|_)(?:remaining|iterations?|attempts?|counts?|counter|retries|retry|tries|rounds?|"
                      r"steps?|turns?|loops?|revisions?|limit|budget|max|deadline|timeout|elapsed|monotonic|time)"
                      r"(?:_|$)", re.I)


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
        external = any(_bounded(text) for text in exits)
        detail = "exits: " + "; ".join(f"`{text}`" for text in exits) if exits else "no exit condition"
        found.append(Loop(
            id=f"{scope.qualname}:while@{inside[0].target}",
            location=ctx.locate(loop),
            scope=scope.qualname,
            calls=tuple(dict.fromkeys(call.target for call in inside)),
            external_exit=external,
            exit_detail=detail,
        ))
    return found


def _exit_conditions(loop: cst.While) -> list[str]:
    """The loop test (unless it is a constant) and the tests of ``if``s that ``break`` or ``return``."""
    render = cst.Module(body=[]).code_for_node
    conditions = [] if _constant_true(loop.test) else [render(loop.test)]

    class _Exits(cst.CSTVisitor):
        def visit_If(self, node: cst.If) -> None:
            if _leaves(node.body):
                conditions.append(render(node.test))

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


def _bounded(condition: str) -> bool:
    if _COMPARED_NUMBER.search(condition):
        return True
    identifiers = set(re.findall(r"[A-Za-z_]\w*", condition)) - set(keyword.kwlist)
    return any(_COUNTER.search(identifier) for identifier in identifiers)
