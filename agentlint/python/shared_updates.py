"""Read-modify-write of shared state across an ``await``: an async function reads a module-level
dict entry or object attribute into a local, awaits, then writes back a value computed from that
local. Two copies of the coroutine running concurrently interleave at the ``await`` and one update is
lost. Recognised in source order within one function; a block under ``async with <lock>`` is safe.

A LlamaIndex workflow's store is shared the same way by every step of a run: ``n = await
ctx.store.get("n")`` ... ``await ctx.store.set("n", n + 1)`` with another ``await`` in between. Reads
take no lock and each ``set`` takes the writer lock only for itself, whereas ``async with
ctx.store.edit_state() as state:`` holds it for the whole block (``workflows/context/state_store.py``,
``get`` at 1073, ``set`` at 1080, ``edit_state`` at 1106), so the block counts as locked."""

from __future__ import annotations

import libcst as cst

from agentlint.ir import GlobalUpdate
from agentlint.python.collector import LOCK_LIKE, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope


def read_modify_writes(ctx: ExtractionContext, scope: Scope) -> list[GlobalUpdate]:
    node = scope.node
    if not isinstance(node, cst.FunctionDef) or node.asynchronous is None:
        return []
    contexts = _run_contexts(node)
    if not contexts and id(scope) not in ctx.facts.shared_writers:
        return []
    module_names = {name for name, bindings in ctx.facts.module.bindings.items()
                    if any(binding.kind == "assign" for binding in bindings)}
    tracker = _Tracker(module_names - set(scope.bindings), contexts)
    node.body.visit(tracker)
    return [GlobalUpdate(name=target, location=ctx.locate(write), locked=False) for target, write in tracker.races]


def _run_contexts(function: cst.FunctionDef) -> set[str]:
    """Parameters holding an agent run's context, shared by every tool call of the run: the Agents
    SDK's ``RunContextWrapper`` (its ``.context``) and Pydantic AI's ``RunContext`` (its ``.deps``). A
    Pydantic AI tool registered with ``sequential=True`` never runs alongside another, so it has none."""
    for decorator in function.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and any(arg.keyword is not None and arg.keyword.value == "sequential"
                                              and isinstance(arg.value, cst.Name) and arg.value.value == "True"
                                              for arg in call.args):
            return set()
    return {param.name.value for param in (*function.params.posonly_params, *function.params.params)
            if param.annotation is not None and "RunContext" in _type_name(param.annotation.annotation)}


def _type_name(annotation: cst.BaseExpression) -> str:
    """The class an annotation names: ``RunContext`` for ``RunContext[Deps]`` or ``agents.RunContextWrapper``."""
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    if isinstance(annotation, cst.Attribute):
        return annotation.attr.value
    return annotation.value if isinstance(annotation, cst.Name) else ""


def _context_object(expr: cst.BaseExpression, contexts: set[str]) -> str | None:
    """``ctx.context.cart`` or ``ctx.deps.cache`` on a run-context parameter, as text."""
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Attribute) \
            and expr.value.attr.value in ("context", "deps") and isinstance(expr.value.value, cst.Name) \
            and expr.value.value.value in contexts:
        return f"{expr.value.value.value}.{expr.value.attr.value}.{expr.attr.value}"
    return None


def _shared_target(expr: cst.BaseExpression, shared: set[str], contexts: set[str]) -> str | None:
    """``STATE["n"]``, ``STATE.get("n")`` or ``STATS.total`` on a module-level name, or the same on
    an object of the run's context (``ctx.deps.usage["n"]``, ``ctx.context.total``), as text."""

    def owner(node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name) and node.value in shared:
            return node.value
        return _context_object(node, contexts)

    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" \
            and expr.args and isinstance(expr.args[0].value, cst.SimpleString):
        found = owner(expr.func.value)
        return f"{found}[{expr.args[0].value.value}]" if found else None
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index) \
            and isinstance(expr.slice[0].slice.value, cst.SimpleString):
        found = owner(expr.value)
        return f"{found}[{expr.slice[0].slice.value.value}]" if found else None
    if isinstance(expr, cst.Attribute):
        if isinstance(expr.value, cst.Name) and expr.value.value in shared:
            return f"{expr.value.value}.{expr.attr.value}"
        return _context_object(expr, contexts)
    return None


class _Tracker(cst.CSTVisitor):
    def __init__(self, shared: set[str], contexts: set[str]) -> None:
        self.shared = shared
        self.contexts = contexts
        self.reads: dict[str, tuple[str, int]] = {}  # local -> (shared target, awaits seen when read)
        self.awaits = 0
        self.locks = 0
        self.lock_stack: list[bool] = []
        self.races: list[tuple[str, cst.CSTNode]] = []

    def visit_With(self, node: cst.With) -> None:
        locked = any(LOCK_LIKE.search(cst.Module(body=[]).code_for_node(item.item))
                     or _store_call(item.item, "edit_state") is not None for item in node.items)
        self.lock_stack.append(locked)
        self.locks += locked

    def leave_With(self, original_node: cst.With) -> None:
        self.locks -= self.lock_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Await(self, node: cst.Await) -> None:
        self.awaits += 1

    def leave_Assign(self, original_node: cst.Assign) -> None:
        if self.locks:
            return
        for target in original_node.targets:
            if isinstance(target.target, cst.Name):
                source = _unwrap(original_node.value)
                shared = _shared_target(source, self.shared, self.contexts) or _store_key(_store_call(source, "get"))
                if shared is not None:
                    self.reads[target.target.value] = (shared, self.awaits)
                continue
            written = _shared_target(target.target, self.shared, self.contexts)
            if written is None:
                continue
            for local, (read, awaits_then) in self.reads.items():
                if read == written and self.awaits > awaits_then and _mentions(original_node.value, local):
                    self.races.append((written, original_node))


    def leave_Await(self, original_node: cst.Await) -> None:
        """``await ctx.store.set("n", n + 1)`` after ``n = await ctx.store.get("n")``, with an ``await``
        in between besides the ``set``'s own."""
        call = _store_call(original_node.expression, "set")
        written = _store_key(call)
        value = argument(call, "value", 1) if call is not None else None
        if written is None or value is None or self.locks:
            return
        for local, (read, awaits_then) in self.reads.items():
            if read == written and self.awaits - 1 > awaits_then and _mentions(value, local):
                self.races.append((written, original_node))

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        """``STATE["n"] += await f()`` loads the old value before the ``await`` runs."""
        written = _shared_target(original_node.target, self.shared, self.contexts)
        if written is not None and not self.locks and _awaits(original_node.value):
            self.races.append((written, original_node))


def _awaits(expr: cst.BaseExpression) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Await(self, node: cst.Await) -> None:
            nonlocal found
            found = True

    expr.visit(_Finder())
    return found


def _store_call(expr: cst.BaseExpression, method: str) -> cst.Call | None:
    """``ctx.store.<method>(...)`` on a name (a LlamaIndex workflow ``Context``)."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == method:
        store = expr.func.value
        if isinstance(store, cst.Attribute) and store.attr.value == "store" and isinstance(store.value, cst.Name):
            return expr
    return None


def _store_key(call: cst.Call | None) -> str | None:
    """``ctx.store["n"]`` for a store call whose path is a string literal."""
    if call is None or not call.args or not isinstance(call.args[0].value, cst.SimpleString):
        return None
    store = call.func.value  # type: ignore[attr-defined]
    return f"{store.value.value}.store[{call.args[0].value.value}]"


def _unwrap(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.expression if isinstance(expr, cst.Await) else expr


def _mentions(expr: cst.BaseExpression, name: str) -> bool:
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found |= node.value == name

    expr.visit(_Finder())
    return found
