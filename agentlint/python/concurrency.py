"""Retries (tenacity, backoff) and fan-out (``asyncio.gather`` over a comprehension, ``create_task``
in a loop): how many times and how widely a call can be multiplied.

Facts from ``shared/frameworks.md`` section 9, checked against the libraries: tenacity's default
``stop`` is ``stop_never``; backoff's ``max_tries`` and ``max_time`` default to ``None`` (retry forever);
asyncio's ``gather``/``TaskGroup``/``create_task`` have no concurrency cap.
"""

from __future__ import annotations

import re

import libcst as cst

from agentlint.ir import Bound, BoundStatus, Call, FanOut, Provenance, Retry
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, number
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.functions import SEMAPHORE_LIKE, SEMAPHORES
from agentlint.python.widths import width
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, Literal, ModuleRef

MODULES = ("tenacity", "backoff", "asyncio", "anyio", "concurrent", "threading")
CANONICAL = {
    "tenacity.asyncio.AsyncRetrying": "tenacity.AsyncRetrying",
    "tenacity.stop.stop_never": "tenacity.stop_never",
    "tenacity.stop.stop_after_attempt": "tenacity.stop_after_attempt",
    "tenacity.stop.stop_after_delay": "tenacity.stop_after_delay",
    "asyncio.tasks.gather": "asyncio.gather",
    "asyncio.taskgroups.TaskGroup": "asyncio.TaskGroup",
    "concurrent.futures.thread.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "asyncio.threads.to_thread": "asyncio.to_thread",
}
TENACITY = frozenset({"tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying"})
BACKOFF = frozenset({"backoff.on_exception", "backoff.on_predicate"})
GATHERS = frozenset({"asyncio.gather", "asyncio.wait", "asyncio.as_completed"})
SPAWNS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
EXECUTORS = frozenset({"concurrent.futures.ThreadPoolExecutor"})
TO_THREAD = frozenset({"asyncio.to_thread"})


def retries(ctx: ExtractionContext) -> list[Retry]:
    found = []
    for scope in ctx.facts.definitions:
        if scope.kind != "function":
            continue
        node = scope.node
        assert isinstance(node, cst.FunctionDef)
        for decorator in node.decorators:
            retry = _retry(ctx, decorator.decorator, scope.parent or scope, scope.dotted)
            if retry is not None:
                found.append(retry)
    for site in ctx.facts.calls:
        if ctx.evaluator.callee(site.node, site.scope) in ("tenacity.Retrying", "tenacity.AsyncRetrying"):
            retry = _retry(ctx, site.node, site.scope, None)
            if retry is not None:
                found.append(retry)
    return found


def _retry(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope, target: str | None) -> Retry | None:
    call = expr if isinstance(expr, cst.Call) else None
    mechanism = ctx.evaluator.qualified_name(call.func if call else expr, scope)
    if mechanism in TENACITY:
        stop = _tenacity_stop(ctx, call, scope)
    elif mechanism in BACKOFF and call is not None:
        stop = _backoff_stop(ctx, call, scope)
    else:
        return None
    return Retry(id=f"{target or scope.qualname}:{mechanism}", mechanism=mechanism, location=ctx.locate(expr),
                 stop=stop, target=target)


def _tenacity_stop(ctx: ExtractionContext, call: cst.Call | None, scope: Scope) -> Bound:
    never = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                  detail="tenacity retries forever when no `stop=` is given")
    if call is None:
        return never
    found = find_argument(ctx, call, scope, "stop")
    if found is UNKNOWN:
        return Bound.unknown("`stop` may come from `**kwargs` that could not be resolved")
    if found is None:
        return never
    assert isinstance(found, Given)
    status = _stop_status(ctx, found.expr, found.scope)
    if status is BoundStatus.UNKNOWN:
        return Bound.unknown(f"`stop={code(found.expr)}` could not be resolved statically")
    detail = f"`stop={code(found.expr)}`" + (" never stops" if status is BoundStatus.UNBOUNDED else "")
    return explicit(ctx, found, status, detail, _attempts(ctx, found.expr, found.scope))


def _attempts(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> float | None:
    """The most attempts a tenacity stop allows, when it counts them: ``a | b`` stops at the first
    that fires (the smaller count), ``a & b`` needs both (the larger, and only if both count)."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitOr, cst.BitAnd)):
        sides = [_attempts(ctx, expr.left, scope), _attempts(ctx, expr.right, scope)]
        if isinstance(expr.operator, cst.BitOr):
            known = [side for side in sides if side is not None]
            return min(known) if known else None
        return max(sides) if None not in sides else None  # type: ignore[type-var]
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, Instance) and value.kind == "tenacity.stop_after_attempt":
        count = argument(value.call, "max_attempt_number", 0)
        return number(ctx.evaluator.evaluate(count, value.scope)) if count is not None else None
    return None


def _stop_status(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> BoundStatus:
    """tenacity's stop algebra: ``a | b`` stops when either does, ``a & b`` only when both do."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitOr, cst.BitAnd)):
        left, right = _stop_status(ctx, expr.left, scope), _stop_status(ctx, expr.right, scope)
        pair = {left, right}
        if isinstance(expr.operator, cst.BitOr):
            return BoundStatus.BOUNDED if BoundStatus.BOUNDED in pair else (
                BoundStatus.UNKNOWN if BoundStatus.UNKNOWN in pair else BoundStatus.UNBOUNDED)
        return BoundStatus.UNBOUNDED if BoundStatus.UNBOUNDED in pair else (
            BoundStatus.UNKNOWN if BoundStatus.UNKNOWN in pair else BoundStatus.BOUNDED)
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, ModuleRef) and value.qualified == "tenacity.stop_never":
        return BoundStatus.UNBOUNDED
    if isinstance(value, Instance) and value.kind.startswith("tenacity.stop_"):
        # Stops only if some other code sets the event: nothing agentlint can see bounds it.
        return BoundStatus.UNKNOWN if value.kind == "tenacity.stop_when_event_set" else BoundStatus.BOUNDED
    return BoundStatus.UNKNOWN


def _backoff_stop(ctx: ExtractionContext, call: cst.Call, scope: Scope) -> Bound:
    uncertain = False
    for keyword in ("max_tries", "max_time"):
        found = find_argument(ctx, call, scope, keyword)
        if found is UNKNOWN:
            uncertain = True
        elif isinstance(found, Given) and not is_none(ctx.evaluator.evaluate(found.expr, found.scope)):
            tries = number(ctx.evaluator.evaluate(found.expr, found.scope)) if keyword == "max_tries" else None
            return explicit(ctx, found, BoundStatus.BOUNDED, f"`{keyword}={code(found.expr)}`", tries)
    if uncertain:
        return Bound.unknown("`max_tries`/`max_time` may come from `**kwargs` that could not be resolved")
    return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                 detail="backoff retries forever when neither `max_tries` nor `max_time` is given")


def fan_outs(ctx: ExtractionContext, calls: list[Call]) -> list[FanOut]:
    by_node = {(call.location.start.row, call.location.start.column): call for call in calls}
    found = []
    for site in ctx.facts.calls:
        mechanism = ctx.evaluator.callee(site.node, site.scope)
        if mechanism in GATHERS:
            fan_out = _gather(ctx, site, mechanism, by_node)
        elif mechanism in SPAWNS or _is_task_group_spawn(ctx, site):
            fan_out = _spawn_in_loop(ctx, site, mechanism or "asyncio.TaskGroup.create_task", by_node)
            if fan_out is not None and mechanism is None:  # a task group cancels the rest and raises
                fan_out = fan_out.model_copy(update={"fails_together": True})
        elif mechanism == "threading.Thread" or _executor_method(ctx, site):
            fan_out = _thread_spawn(ctx, site, mechanism)
        else:
            continue
        if fan_out is not None:
            found.append(fan_out)
    return found


def _executor_method(ctx: ExtractionContext, site: CallSite) -> str | None:
    func = site.node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in ("map", "submit")):
        return None
    owner = ctx.evaluator.evaluate(func.value, site.scope)
    return func.attr.value if isinstance(owner, Instance) and owner.kind in EXECUTORS else None


def _thread_spawn(ctx: ExtractionContext, site: CallSite, mechanism: str | None) -> FanOut | None:
    """Work handed to threads: ``executor.map(f, items)``, ``executor.submit(f, x)`` or
    ``threading.Thread(target=f)`` in a loop. Executors cap the threads (``max_workers``); threads
    started in a loop do not."""
    method = _executor_method(ctx, site)
    if method == "map":
        function, items = argument(site.node, "fn", 0), argument(site.node, "iterables", 1)
        width_status = width(ctx, items, site.scope) if items is not None else BoundStatus.UNKNOWN
    else:
        function = argument(site.node, "target", None) if method is None else argument(site.node, "fn", 0)
        loops = [loop for loop in site.loops if isinstance(loop, cst.For)]
        if not loops or function is None:
            return None
        width_status = width(ctx, loops[-1].iter, site.scope)
    capped = method is not None
    return FanOut(
        id=f"{site.scope.qualname}->{mechanism or 'executor.' + (method or '')}",
        mechanism="ThreadPoolExecutor." + method if method else "threading.Thread",
        location=ctx.locate(site.node),
        scope=site.scope.qualname,
        width=width_status,
        cap=Bound(status=BoundStatus.BOUNDED if capped else BoundStatus.UNBOUNDED,
                  provenance=Provenance.DEFAULT,
                  detail="the executor's `max_workers`" if capped else "one thread per item"),
        spawns=ctx.evaluator.qualified_name(function, site.scope) if function is not None else None,
        threads=True,
    )


def _is_task_group_spawn(ctx: ExtractionContext, site: CallSite) -> bool:
    func = site.node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "create_task"):
        return False
    owner = ctx.evaluator.evaluate(func.value, site.scope)
    return isinstance(owner, Instance) and owner.kind in ("asyncio.TaskGroup", "anyio.create_task_group")


def _gather(ctx: ExtractionContext, site: CallSite, mechanism: str, by_node: dict) -> FanOut | None:  # type: ignore[type-arg]
    starred = [arg.value for arg in site.node.args if arg.star == "*"]
    positional = [arg.value for arg in site.node.args if not arg.star and arg.keyword is None]
    source = starred[0] if starred else positional[0] if positional and mechanism != "asyncio.gather" else None
    if source is None:
        return None  # ``gather(a(), b())``: a fixed set of awaitables
    comprehension = _comprehension(ctx, source, site.scope)
    if comprehension is None:
        return _fan_out(ctx, site, mechanism, BoundStatus.UNKNOWN, None, site.scope, by_node)
    element, iterable, scope = comprehension
    fan_out = _fan_out(ctx, site, mechanism, width(ctx, iterable, scope), element, scope, by_node)
    return fan_out.model_copy(update={"fails_together": _raises_first_error(ctx, site, mechanism)})


def _raises_first_error(ctx: ExtractionContext, site: CallSite, mechanism: str) -> bool:
    """``gather`` raises the first branch's exception unless ``return_exceptions`` is true; ``wait``
    and ``as_completed`` hand each result back on its own."""
    if mechanism != "asyncio.gather":
        return False
    found = find_argument(ctx, site.node, site.scope, "return_exceptions")
    return found is None or (isinstance(found, Given) and
                             ctx.evaluator.evaluate(found.expr, found.scope) == Literal(False))


def _spawn_in_loop(ctx: ExtractionContext, site: CallSite, mechanism: str, by_node: dict) -> FanOut | None:  # type: ignore[type-arg]
    loops = [loop for loop in site.loops if isinstance(loop, cst.For)]
    if not loops or not site.node.args or _one_at_a_time(ctx, site, loops[-1]):
        return None
    iterable = loops[-1].iter
    return _fan_out(ctx, site, mechanism, width(ctx, iterable, site.scope), site.node.args[0].value, site.scope,
                    by_node)


def _one_at_a_time(ctx: ExtractionContext, site: CallSite, loop: cst.For) -> bool:
    """A task created in a loop that never has two in flight: awaited in the same iteration
    (``task = create_task(...)`` then ``await task``, done to make a call cancellable), or created only
    when the previous one is gone (``if not task: task = create_task(...)``)."""
    name = ctx.facts.bound_names.get(id(site.node))
    if name is None:
        return False
    body = cst.Module(body=[]).code_for_node(loop.body)
    variable = re.escape(name)
    awaited = rf"\bawait\s+(?:asyncio\.(?:wait_for|shield)\(\s*)?{variable}\b(?!\.)"
    guarded = rf"\bif\b[^\n]*(?:\bnot\s+{variable}\b|\b{variable}\s+is\s+None\b)"
    return re.search(f"{awaited}|{guarded}", body) is not None


def _comprehension(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope):  # type: ignore[no-untyped-def]
    """(element, iterable, scope) of a comprehension given directly or bound to a name once."""
    if isinstance(expr, cst.Name):
        bindings = scope.lookup(expr.value)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
            return _comprehension(ctx, bindings[0].node, bindings[0].scope or scope)
        return None
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)) and expr.for_in.inner_for_in is None:
        return expr.elt, expr.for_in.iter, scope
    return None


def _fan_out(
    ctx: ExtractionContext, site: CallSite, mechanism: str, width: BoundStatus,
    element: cst.BaseExpression | None, scope: Scope, by_node: dict,  # type: ignore[type-arg]
) -> FanOut:
    work: list[str] = []
    spawns = None
    own_cap: Bound | None = None  # a cap the called object enforces itself (``Call.cap``)
    if isinstance(element, cst.Await):
        element = element.expression
    if (isinstance(element, cst.Call) and element.args
            and ctx.evaluator.callee(element, scope) in ("asyncio.create_task", "asyncio.ensure_future")):
        element = element.args[0].value  # gathering tasks: what each task runs is the work
    threads = False
    if isinstance(element, cst.Call) and ctx.evaluator.qualified_name(element.func, scope) in TO_THREAD \
            and element.args:
        spawns, threads = ctx.evaluator.qualified_name(element.args[0].value, scope), True
    elif isinstance(element, cst.Call):
        position = ctx.locate(element)
        direct = by_node.get((position.start.row, position.start.column))
        if direct is not None:
            work.append(direct.target)
            own_cap = direct.cap
        else:
            spawns = ctx.evaluator.qualified_name(element.func, scope)
    return FanOut(
        id=f"{site.scope.qualname}->{mechanism}",
        mechanism=mechanism,
        location=ctx.locate(site.node),
        scope=site.scope.qualname,
        width=width,
        cap=Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                  detail="the default executor's workers") if threads else own_cap or _cap(ctx, element, scope),
        work=tuple(work),
        spawns=spawns,
        threads=threads,
    )


def _cap(ctx: ExtractionContext, element: cst.BaseExpression | None, scope: Scope) -> Bound:
    """A semaphore handed to each branch; slices count as a bounded width, not as a cap."""
    if isinstance(element, cst.Call) and any(
        SEMAPHORE_LIKE.search(code(arg.value))
        or (isinstance(value := ctx.evaluator.evaluate(arg.value, scope), Instance) and value.kind in SEMAPHORES)
        for arg in element.args
    ):
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                     detail="a semaphore is passed to each branch", source=ctx.locate(element))
    return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                 detail="asyncio starts every branch at once")
