"""Is a loop's exit bounded by something other than the model? Shared by LangGraph routers and
hand-written agent loops, so both judge "external" the same way.

An exit counts as external when a condition compares against a number, measures a ``len(...)``, or
reads a counter-, budget- or time-like name (``attempts``, ``remaining_steps``, ``max_revisions``,
``deadline``). Deliberately generous: a false "external" only keeps a rule quiet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

COUNTER = re.compile(
    r"(?:^|_)(?:remaining|iterations?|attempts?|counts?|counter|retries|retry|tries|rounds?|steps?|turns?|"
    r"loops?|revisions?|limit|budget|max|deadline|timeout|elapsed|monotonic)(?:_|$)|^n_",
    re.I,
)


class _Evidence(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Comparison(self, node: cst.Comparison) -> None:
        operands = [node.left, *(target.comparator for target in node.comparisons)]
        if any(isinstance(operand, (cst.Integer, cst.Float)) for operand in operands):
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("len", "range"):
            self.found = True

    def visit_Name(self, node: cst.Name) -> None:
        self.found |= bool(COUNTER.search(node.value))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.found |= bool(COUNTER.search(node.attr.value))

    def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        index = node.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            self.found |= isinstance(key, str) and bool(COUNTER.search(key))


def externally_bounded(nodes: Iterable[cst.CSTNode]) -> bool:
    evidence = _Evidence()
    for node in nodes:
        node.visit(evidence)
        if evidence.found:
            return True
    return False
