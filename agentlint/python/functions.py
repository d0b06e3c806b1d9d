"""``FunctionFacts`` for every function of a module: what a graph node, a fan-out branch or a loop
body runs, recorded once per file so assembly can follow calls across modules."""

from __future__ import annotations

import re

import libcst as cst

from agentlint.ir import Call, FunctionFacts, GlobalUpdate, Writes
from agentlint.python import langgraph, outputs, processes, shared_updates
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.values import Instance

SEMAPHORES = frozenset({"asyncio.Semaphore", "asyncio.BoundedSemaphore", "anyio.Semaphore",
                        "anyio.CapacityLimiter", "threading.Semaphore", "threading.BoundedSemaphore"})
# A context manager by one of these names is taken to limit concurrency even when its construction
# is out of sight (a parameter, an attribute): generous, since a wrong guess only keeps rules quiet.
SEMAPHORE_LIKE = re.compile(r"sem|limit|throttl|capacity|pool|concurren", re.I)


def facts(ctx: ExtractionContext, calls: list[Call], graph_aware: bool) -> list[FunctionFacts]:
    by_scope: dict[str, list[str]] = {}
    for call in calls:
        by_scope.setdefault(call.scope, []).append(call.target)
    # Functions that run an agent capping its own concurrent runs (``Call.cap``) are capped as a whole.
    self_capped = {call.scope for call in calls if call.cap is not None}
    invoked: dict[str, list[str]] = {}
    for site in ctx.facts.calls:
        callee = ctx.evaluator.callee(site.node, site.scope)
        if callee is not None and "." in callee:
            invoked.setdefault(site.scope.qualname, []).append(callee)
    text = outputs.ModelText(ctx, [call for call in calls if call.kind in outputs.MODEL_WORK])
    updates: dict[int, list[GlobalUpdate]] = {}
    for name, node, scope_of_update, locked in ctx.facts.global_updates:
        updates.setdefault(id(scope_of_update), []).append(
            GlobalUpdate(name=name, location=ctx.locate(node), locked=locked))
    found = []
    for scope in ctx.facts.definitions:
        if scope.kind != "function":
            continue
        node = scope.node
        assert isinstance(node, cst.FunctionDef)
        writes, router, gotos = langgraph.routing(ctx, scope) if graph_aware else (Writes(complete=False), None, ())
        raw = outputs.raw_text_keys(ctx, scope, text) if graph_aware else []
        found.append(FunctionFacts(
            id=scope.dotted,
            location=ctx.locate_definition(scope),
            asynchronous=node.asynchronous is not None,
            writes=writes,
            calls=tuple(dict.fromkeys(by_scope.get(scope.qualname, ()))),
            invokes=tuple(dict.fromkeys(invoked.get(scope.qualname, ()))),
            limits_concurrency=limits_concurrency(ctx, scope) or scope.qualname in self_capped,
            tool=processes.tool_decorator(ctx, scope),
            router=router,
            command_gotos=gotos,
            parses=tuple(outputs.parses(ctx, scope, text)),
            raw_text_keys=tuple(key for key, source in raw if isinstance(source, Call)),
            raw_text_foreign=tuple((key, source) for key, source in raw if isinstance(source, str)),
            global_updates=tuple(updates.get(id(scope), ())),
            awaited_updates=tuple(shared_updates.read_modify_writes(ctx, scope)),
        ))
    return found


def limits_concurrency(ctx: ExtractionContext, scope: Scope) -> bool:
    for manager in ctx.facts.context_managers.get(id(scope), ()):
        value = ctx.evaluator.evaluate(manager, scope)
        if isinstance(value, Instance) and value.kind in SEMAPHORES:
            return True
        if SEMAPHORE_LIKE.search(cst.Module(body=[]).code_for_node(manager)):
            return True
    return False
