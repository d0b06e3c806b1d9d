"""Clients and the calls that go through them, for any library whose objects carry a timeout.

A library is described by data (``ClientSpec``/``FunctionSpec``: constructor names, request methods,
default bound, how to read a timeout value) and this module does the rest: construct a ``Client`` fact
per constructor call, follow variables, ``self.x`` attributes and derived clients (``with_options``,
``bind_tools``) to the client a call goes through, and give each call its bound with provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from agentlint.ir import Bound, BoundStatus, Call, CallKind, Client, ForeignCall, Provenance
from agentlint.python.bounds import Given, explicit, find_argument, imported_kwargs, is_none, number, pending, wrapper_bound
from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext
from agentlint.python.identities import plain_factory, returns
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance

Classifier = Callable[[ExtractionContext, Given], Bound]
# Libraries whose module-level names are never a project's client objects.
_LIBRARY_ROOTS = frozenset({"requests", "httpx", "aiohttp", "urllib", "openai", "anthropic", "langchain_openai",
                            "langchain_anthropic", "mcp", "os", "json", "asyncio", "langgraph", "typing"})
Patcher = Callable[[ExtractionContext, str, Given], Bound | None]


@dataclass(frozen=True)
class ClientSpec:
    kind: str  # canonical constructor
    call_kind: CallKind
    methods: frozenset[str]  # request methods as attribute paths from the client: "get", "chat.completions.create"
    asynchronous: Callable[[str], bool]  # whether a method is awaited (only then can asyncio wrappers bound it)
    default: Bound  # the bound when the constructor is given no timeout
    classify: Classifier  # reads a timeout value given to the constructor or a call
    keywords: tuple[str, ...] = ("timeout",)  # constructor keywords that set the timeout, in priority order
    none_means_default: bool = False  # aiohttp: ``ClientSession(timeout=None)`` means the default
    derivers: frozenset[str] = frozenset()  # methods returning a client of the same kind (``with_options``)
    call_keyword: str | None = "timeout"  # the per-call timeout keyword, if calls take one
    call_position: Callable[[str], int | None] = lambda method: None
    call_classify: Classifier | None = None  # per-call reading, when it differs from the constructor's
    per_call_default: Bound | None = None  # a call without timeout ignores the client (requests sessions)
    patch: Patcher | None = None  # how attribute writes (``client.timeout = x``) change the bound
    unknown_after: frozenset[str] = frozenset()  # methods that make the bound unknown (``session.mount``)
    # The constructor keyword for the client's own retries, and their default.
    retries_keyword: str | None = None
    default_retries: int = 0
    # When the default depends on the surroundings (an MCP session is unbounded only over stdio).
    default_for: Callable[[ExtractionContext, cst.Call, Scope], Bound] | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """A module-level function that makes a request by itself (``requests.get``, ``urlopen``)."""

    target: str
    call_kind: CallKind
    default: Bound
    classify: Classifier
    position: int | None = None


def always(method: str) -> bool:
    return True


def never(method: str) -> bool:
    return False


@dataclass(frozen=True)
class Catalog:
    clients: dict[str, ClientSpec]
    functions: dict[str, FunctionSpec]

    def __or__(self, other: Catalog) -> Catalog:
        return Catalog({**self.clients, **other.clients}, {**self.functions, **other.functions})

    @property
    def derivers(self) -> dict[str, dict[str, str]]:
        return {kind: dict.fromkeys(spec.derivers, kind) for kind, spec in self.clients.items() if spec.derivers}


def extract(ctx: ExtractionContext, catalog: Catalog) -> tuple[list[Client], list[Call], list[ForeignCall]]:
    patched = _patched(ctx, catalog)
    clients: dict[int, Client] = {}
    for site in ctx.facts.calls:
        kind = ctx.evaluator.callee(site.node, site.scope)
        if kind in catalog.clients:
            clients[id(site.node)] = _client(ctx, site.node, site.scope, catalog.clients[kind], patched)
    calls = []
    foreign = []
    other_uses: dict[int, list[str]] = {}
    last_components = {method.rsplit(".", 1)[-1] for spec in catalog.clients.values() for method in spec.methods}
    for site in ctx.facts.calls:
        call = _function_call(ctx, site, catalog)
        if call is None:
            # ``fetch = functools.partial(session.get, timeout=10)`` then ``fetch(url)``: the method
            # is the partial's (its keywords reach the call through ``find_argument``).
            partial = ctx.evaluator.partial(site.node, site.scope)
            func, scope = (partial.call.args[0].value, partial.scope) if partial else (site.node.func, site.scope)
            owner, method = _owner(ctx, func, scope, catalog.clients)
            spec = catalog.clients[owner.kind] if owner is not None else None
            if owner is not None and spec is not None and method in spec.methods:
                call = _method_call(ctx, site, owner, method, spec, clients, patched)
            elif owner is not None and spec is not None and method not in spec.derivers:
                other_uses.setdefault(id(_root(owner).call), []).append(method)
        if call is not None:
            calls.append(call)
            continue
        if isinstance(site.node.func, cst.Attribute) and site.node.func.attr.value in last_components:
            pending = _foreign_call(ctx, site)
            if pending is not None:
                foreign.append(pending)
    found = [client.model_copy(update={"other_uses": tuple(dict.fromkeys(other_uses[key]))})
             if key in other_uses else client for key, client in clients.items()]
    return found, calls, foreign


def _foreign_call(ctx: ExtractionContext, site: CallSite) -> ForeignCall | None:
    """A request method called on something imported from another module, or on what an imported
    factory returns (``make_llm().invoke(...)``, recorded as ``app.models.make_llm().invoke``): kept
    for assembly, which knows the clients other modules export."""
    path = ctx.evaluator.callee(site.node, site.scope)
    if path is None and isinstance(site.node.func, cst.Attribute):
        made = ctx.evaluator.evaluate(site.node.func.value, site.scope)
        if isinstance(made, Instance) and made.parent is None and not made.call.args:
            path = f"{made.kind}().{site.node.func.attr.value}"
    if path is None or path.split(".", 1)[0] in _LIBRARY_ROOTS:
        return None
    found = find_argument(ctx, site.node, site.scope, "timeout")
    own = None
    if found is UNKNOWN:
        own = Bound.unknown("`timeout` may come from `**kwargs` that could not be resolved")
    elif isinstance(found, Given):
        value = ctx.evaluator.evaluate(found.expr, found.scope)
        own = explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` disables the timeout") if is_none(value) \
            else Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, detail="`timeout` is given",
                       value=number(value), source=ctx.locate(found.anchor))
    return ForeignCall(path=path, scope=site.scope.qualname, location=ctx.locate(site.node), own=own,
                       wrapper=wrapper_bound(ctx, site))


def _function_call(ctx: ExtractionContext, site: CallSite, catalog: Catalog) -> Call | None:
    # ``fetch = functools.partial(requests.get, timeout=10)``: the callee and, through
    # ``find_argument``, the keywords of a partial count as the call's own.
    spec = catalog.functions.get(ctx.evaluator.callee(site.node, site.scope) or "")
    if spec is None:
        return None
    bound = _read(ctx, site.node, site.scope, ("timeout",), spec.position, spec.classify, fallback=spec.default)
    return _call(ctx, site, spec.target, spec.call_kind, bound or spec.default)


def _method_call(
    ctx: ExtractionContext,
    site: CallSite,
    owner: Instance,
    method: str,
    spec: ClientSpec,
    clients: dict[int, Client],
    patched: dict[int, Bound],
) -> Call:
    """A request method called on a client (``owner``), directly or through a ``functools.partial``,
    with the bound that applies to it."""
    root = _root(owner)
    client = clients.get(id(root.call)) or _client(ctx, root.call, root.scope, spec, patched)
    classify = spec.call_classify or spec.classify
    own = None
    if spec.call_keyword is not None:
        own = _read(ctx, site.node, site.scope, (spec.call_keyword,), spec.call_position(method), classify)
    if own is not None:
        bound = own
    elif spec.per_call_default is not None and client.timeout.status is not BoundStatus.UNKNOWN:
        bound = spec.per_call_default
    else:
        bound = _through(ctx, owner, spec, client)
    if spec.asynchronous(method) and bound.status is not BoundStatus.BOUNDED:
        bound = wrapper_bound(ctx, site) or bound
    return _call(ctx, site, f"{owner.kind}.{method}", spec.call_kind, bound, client)


def _owner(ctx: ExtractionContext, func: cst.BaseExpression, scope: Scope,
           kinds: dict[str, ClientSpec]) -> tuple[Instance | None, str]:
    """The client a called method belongs to, and the method path from it: for
    ``self.llm.chat.completions.create`` that is (the ``self.llm`` instance, ``chat.completions.create``)."""
    path: list[str] = []
    expr = func
    while isinstance(expr, cst.Attribute):
        path.append(expr.attr.value)
        expr = expr.value
        value = ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind in ctx.evaluator.known_instances:
            return (value, ".".join(reversed(path))) if value.kind in kinds else (None, "")
        if value is not UNKNOWN:
            return None, ""
    return None, ""


def _root(instance: Instance) -> Instance:
    while instance.parent is not None:
        instance = instance.parent
    return instance


def _through(ctx: ExtractionContext, owner: Instance, spec: ClientSpec, client: Client) -> Bound:
    """The bound a call inherits: the nearest ``with_options(timeout=...)`` on the way to the client."""
    instance: Instance | None = owner
    while instance is not None and instance.parent is not None:
        own = _read(ctx, instance.call, instance.scope, ("timeout",), None, spec.classify)
        if own is not None:
            return own
        instance = instance.parent
    return client.inherited_bound()


def _client(
    ctx: ExtractionContext, node: cst.Call, scope: Scope, spec: ClientSpec, patched: dict[int, Bound]
) -> Client:
    name = ctx.facts.bound_names.get(id(node), f"<{spec.kind}>")
    owner = scope.owner_class if name.startswith("self.") and scope.owner_class else scope
    prefix = owner.qualname if owner.kind != "module" else f"{owner.qualname}:"
    client_id = f"{prefix}.{name.removeprefix('self.')}".replace(":.", ":")
    if id(node) in patched:
        timeout = patched[id(node)]
    else:
        timeout = _read(ctx, node, scope, spec.keywords, None, spec.classify, none_is_absent=spec.none_means_default,
                        fallback=spec.default if spec.default_for is None else None)
        timeout = timeout or (spec.default_for(ctx, node, scope) if spec.default_for else spec.default)
    exported = f"{scope.dotted}.{name}" if scope.kind == "module" and not name.startswith("<") else None
    if exported is None and _made_by_factory(ctx, node, scope):
        exported, client_id = f"{scope.dotted}()", f"{scope.qualname}()"
    retries: float | None = float(spec.default_retries)
    if spec.retries_keyword is not None:
        given = find_argument(ctx, node, scope, spec.retries_keyword)
        if given is UNKNOWN:
            retries = None
        elif isinstance(given, Given):
            value = ctx.evaluator.evaluate(given.expr, given.scope)
            retries = float(spec.default_retries) if is_none(value) else number(value)
    return Client(id=client_id, kind=spec.kind, category=spec.call_kind, location=ctx.locate(node), timeout=timeout,
                  has_timeout_setting=bool(spec.keywords), exported_as=exported, retries=retries,
                  methods={method: spec.asynchronous(method) for method in sorted(spec.methods)})


def _made_by_factory(ctx: ExtractionContext, node: cst.Call, scope: Scope) -> bool:
    """A factory other modules can call (``plain_factory``) that returns this client."""
    return plain_factory(scope) and any(returns(statement.value, node, scope)
                                        for statement in ctx.facts.returns.get(id(scope), []))


def _read(
    ctx: ExtractionContext,
    node: cst.Call,
    scope: Scope,
    keywords: tuple[str, ...],
    position: int | None,
    classify: Classifier,
    *,
    none_is_absent: bool = False,
    fallback: Bound | None = None,
) -> Bound | None:
    """The bound set at this call, ``None`` when no timeout is given here. With a ``fallback`` (the
    bound when the keyword is absent), keywords from an imported ``**dict`` are left for assembly."""
    for index, keyword in enumerate(keywords):
        found = find_argument(ctx, node, scope, keyword, position if index == 0 else None)
        if found is UNKNOWN:
            imported = imported_kwargs(ctx, node, scope) if fallback is not None else None
            if imported is not None:
                return pending(ctx, imported, node, keyword, fallback)
            return Bound.unknown(f"`{keyword}` may come from `*args`/`**kwargs` that could not be resolved")
        if isinstance(found, Given):
            if none_is_absent and is_none(ctx.evaluator.evaluate(found.expr, found.scope)):
                return None
            return classify(ctx, found)
    return None


def _call(
    ctx: ExtractionContext, site: CallSite, target: str, kind: CallKind, timeout: Bound, client: Client | None = None
) -> Call:
    return Call(
        id=f"{site.scope.qualname}->{target}",
        kind=kind,
        target=target,
        scope=site.scope.qualname,
        location=ctx.locate(site.node),
        timeout=timeout,
        client=client.id if client else None,
    )


def _patched(ctx: ExtractionContext, catalog: Catalog) -> dict[int, Bound]:
    """Clients changed after construction, keyed by their constructor call."""
    patched: dict[int, Bound] = {}
    for write in ctx.facts.attribute_writes:
        owner = ctx.evaluator.evaluate(write.base, write.scope)
        if isinstance(owner, Instance) and owner.kind in catalog.clients:
            patch = catalog.clients[owner.kind].patch
            bound = patch(ctx, write.attr, Given(write.value, write.scope, write.node)) if patch else None
            if bound is not None:
                patched[id(_root(owner).call)] = bound
    for site in ctx.facts.calls:
        func = site.node.func
        if isinstance(func, cst.Attribute):
            owner = ctx.evaluator.evaluate(func.value, site.scope)
            if (isinstance(owner, Instance) and owner.kind in catalog.clients
                    and func.attr.value in catalog.clients[owner.kind].unknown_after):
                patched[id(_root(owner).call)] = Bound.unknown(f"`{func.attr.value}` is called on the client")
    return patched
