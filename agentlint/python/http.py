"""HTTP clients: requests, httpx, aiohttp and urllib, and the time bound of every request they make.

Library facts (defaults and what disables them) are from ``shared/frameworks.md`` section 9, checked
against the libraries' sources: requests waits forever unless ``timeout`` is given; httpx defaults to
5 s and ``None`` disables it; an aiohttp session defaults to 300 s total (also when given ``None``), a
per-request ``timeout=None`` or a ``ClientTimeout`` without ``total``/``sock_read`` is unbounded;
``urlopen`` uses the socket default, which blocks unless ``socket.setdefaulttimeout`` was called.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from agentlint.ir import Bound, BoundStatus, Call, CallKind, Client, Provenance
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, number, wrapper_bound
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.values import UNKNOWN, Instance, Literal, ModuleRef

REQUEST_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

CANONICAL = {
    **{f"requests.api.{m}": f"requests.{m}" for m in REQUEST_METHODS},
    "requests.sessions.Session": "requests.Session",
    "requests.session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "aiohttp.client.ClientTimeout": "aiohttp.ClientTimeout",
    "httpx._client.Client": "httpx.Client",
    "httpx._client.AsyncClient": "httpx.AsyncClient",
    "httpx._config.Timeout": "httpx.Timeout",
}

REQUESTS_FUNCTIONS = {f"requests.{m}" for m in REQUEST_METHODS}
HTTPX_FUNCTIONS = {f"httpx.{m}" for m in (*REQUEST_METHODS, "stream")}
URLOPEN = "urllib.request.urlopen"


@dataclass(frozen=True)
class ClientKind:
    methods: frozenset[str]
    asynchronous: bool
    # Position of ``timeout`` in ``request(method, url, ...)`` for clients whose ``request`` takes it
    # positionally; ``None`` where it is keyword-only in practice.
    request_timeout_position: int | None = None


CLIENT_KINDS = {
    "requests.Session": ClientKind(frozenset(REQUEST_METHODS), asynchronous=False, request_timeout_position=8),
    "httpx.Client": ClientKind(frozenset((*REQUEST_METHODS, "stream", "send")), asynchronous=False),
    "httpx.AsyncClient": ClientKind(frozenset((*REQUEST_METHODS, "stream", "send")), asynchronous=True),
    "aiohttp.ClientSession": ClientKind(frozenset((*REQUEST_METHODS, "ws_connect")), asynchronous=True),
}

# Attributes of a requests session that cannot change how long a request waits.
_HARMLESS_SESSION_ATTRIBUTES = {"headers", "auth", "verify", "proxies", "cert", "params", "cookies", "trust_env",
                                "max_redirects", "stream", "hooks"}


def extract(ctx: ExtractionContext) -> tuple[list[Client], list[Call]]:
    clients: dict[int, Client] = {}
    patched = _patched_clients(ctx)
    calls: list[Call] = []
    for site in ctx.facts.calls:
        qualified = ctx.evaluator.qualified_name(site.node.func, site.scope)
        if qualified in CLIENT_KINDS:
            clients[id(site.node)] = _client(ctx, site, qualified, patched)
    for site in ctx.facts.calls:
        call = _request(ctx, site, clients, patched)
        if call is not None:
            calls.append(call)
    return list(clients.values()), calls


def _request(ctx: ExtractionContext, site: CallSite, clients: dict[int, Client], patched: dict[int, Bound]) -> Call | None:
    func = site.node.func
    qualified = ctx.evaluator.qualified_name(func, site.scope)
    if qualified in REQUESTS_FUNCTIONS:
        return _call(ctx, site, qualified, _requests_timeout(ctx, site, position=None))
    if qualified in HTTPX_FUNCTIONS:
        return _call(ctx, site, qualified, _per_call(ctx, site, _httpx_timeout, _HTTPX_DEFAULT))
    if qualified == URLOPEN:
        return _call(ctx, site, qualified, _urlopen_timeout(ctx, site))
    if not isinstance(func, cst.Attribute):
        return None
    owner = ctx.evaluator.evaluate(func.value, site.scope)
    if not isinstance(owner, Instance) or owner.kind not in CLIENT_KINDS:
        return None
    kind = CLIENT_KINDS[owner.kind]
    method = func.attr.value
    if method not in kind.methods:
        return None
    client = clients.get(id(owner.call)) or _client(ctx, CallSite(owner.call, owner.scope, ()), owner.kind, patched)
    target = f"{owner.kind}.{method}"
    if owner.kind == "requests.Session":
        position = kind.request_timeout_position if method == "request" else None
        own = _requests_timeout(ctx, site, position=position)
        if own.provenance is Provenance.DEFAULT and client.timeout.status is BoundStatus.UNKNOWN:
            own = client.timeout
        return _call(ctx, site, target, own, client)
    classify = _aiohttp_timeout if owner.kind == "aiohttp.ClientSession" else _httpx_timeout
    own = _per_call(ctx, site, classify, None)
    bound = own if own is not None else _inherit(client)
    if kind.asynchronous and bound.status is not BoundStatus.BOUNDED:
        bound = wrapper_bound(ctx, site) or bound
    return _call(ctx, site, target, bound, client)


def _call(ctx: ExtractionContext, site: CallSite, target: str, timeout: Bound, client: Client | None = None) -> Call:
    return Call(
        id=f"{site.scope.qualname}->{target}",
        kind=CallKind.HTTP,
        target=target,
        scope=site.scope.qualname,
        location=ctx.locate(site.node),
        timeout=timeout,
        client=client.id if client else None,
    )


def _client(ctx: ExtractionContext, site: CallSite, kind: str, patched: dict[int, Bound]) -> Client:
    name = ctx.facts.bound_names.get(id(site.node), f"<{kind}>")
    owner = site.scope.owner_class if name.startswith("self.") and site.scope.owner_class else site.scope
    scope_name = owner.qualname if owner.kind != "module" else f"{owner.qualname}:"
    client_id = f"{scope_name}.{name.removeprefix('self.')}".replace(":.", ":")
    if id(site.node) in patched:
        timeout = patched[id(site.node)]
    elif kind == "requests.Session":
        timeout = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                        detail="a requests session has no timeout setting")
    elif kind == "aiohttp.ClientSession":
        timeout = _per_call(ctx, site, _aiohttp_timeout, _AIOHTTP_SESSION_DEFAULT, none_means_default=True)
    else:
        timeout = _per_call(ctx, site, _httpx_timeout, _HTTPX_DEFAULT)
    return Client(id=client_id, kind=kind, location=ctx.locate(site.node), timeout=timeout)


def _inherit(client: Client) -> Bound:
    return Bound(
        status=client.timeout.status,
        provenance=Provenance.INHERITED if client.timeout.status is not BoundStatus.UNKNOWN else Provenance.UNKNOWN,
        detail=f"from `{client.id}`: {client.timeout.detail}",
        value=client.timeout.value,
        source=client.timeout.source or client.location,
    )


_HTTPX_DEFAULT = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, detail="httpx's default of 5 s", value=5.0)
_AIOHTTP_SESSION_DEFAULT = Bound(
    status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, detail="aiohttp's session default of 300 s", value=300.0
)


def _per_call(ctx, site, classify, default: Bound | None, *, none_means_default: bool = False) -> Bound | None:  # type: ignore[no-untyped-def]
    found = find_argument(ctx, site.node, site.scope, "timeout")
    if found is UNKNOWN:
        return Bound.unknown("`timeout` may come from `**kwargs` that could not be resolved")
    if found is None:
        return default
    assert isinstance(found, Given)
    if none_means_default and is_none(ctx.evaluator.evaluate(found.expr, found.scope)):
        return default
    return classify(ctx, found)


def _requests_timeout(ctx: ExtractionContext, site: CallSite, position: int | None) -> Bound:
    found = find_argument(ctx, site.node, site.scope, "timeout", position)
    if found is UNKNOWN:
        return Bound.unknown("`timeout` may come from `**kwargs` that could not be resolved")
    if found is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                     detail="requests waits forever when no `timeout` is given")
    assert isinstance(found, Given)
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` waits forever")
    if isinstance(value, Literal) and isinstance(value.value, tuple) and len(value.value) == 2:
        if value.value[1] is None:
            return explicit(ctx, found, BoundStatus.UNBOUNDED, "the read timeout in the `timeout` tuple is `None`")
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`")
    return _numeric(ctx, found, value)


def _numeric(ctx: ExtractionContext, found: Given, value: object) -> Bound:
    seconds = number(value)  # type: ignore[arg-type]
    if seconds is not None:
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`", seconds)
    return Bound.unknown(f"`timeout={code(found.expr)}` could not be resolved statically")


def _httpx_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` disables httpx's timeout")
    if isinstance(value, Instance) and value.kind == "httpx.Timeout":
        read = find_argument(ctx, value.call, value.scope, "read")
        if read is None:
            read = find_argument(ctx, value.call, value.scope, "timeout", 0)
        if isinstance(read, Given):
            if is_none(ctx.evaluator.evaluate(read.expr, read.scope)):
                return explicit(ctx, found, BoundStatus.UNBOUNDED, "the `httpx.Timeout` has no read timeout")
            return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`")
        return Bound.unknown(f"`timeout={code(found.expr)}` could not be resolved statically")
    return _numeric(ctx, found, value)


def _aiohttp_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` on a request sets no total timeout")
    if isinstance(value, Instance) and value.kind == "aiohttp.ClientTimeout":
        limits = [find_argument(ctx, value.call, value.scope, name, 0 if name == "total" else None)
                  for name in ("total", "sock_read")]
        if any(limit is UNKNOWN for limit in limits):
            return Bound.unknown("the `ClientTimeout` arguments could not be resolved")
        resolved = [ctx.evaluator.evaluate(limit.expr, limit.scope) for limit in limits if isinstance(limit, Given)]
        if all(is_none(item) for item in resolved):
            return explicit(ctx, found, BoundStatus.UNBOUNDED,
                            "a `ClientTimeout` without `total` or `sock_read` never times out a slow response")
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`")
    return _numeric(ctx, found, value)


def _urlopen_timeout(ctx: ExtractionContext, site: CallSite) -> Bound:
    found = find_argument(ctx, site.node, site.scope, "timeout", 2)
    if found is UNKNOWN:
        return Bound.unknown("`timeout` may come from `*args`/`**kwargs` that could not be resolved")
    if found is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                     detail="`urlopen` without `timeout` uses the socket default, which blocks forever")
    assert isinstance(found, Given)
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` blocks forever")
    return _numeric(ctx, found, value)


def _patched_clients(ctx: ExtractionContext) -> dict[int, Bound]:
    """Clients changed after construction, keyed by their constructor call: ``client.timeout = x``
    re-bounds an httpx client; a mounted adapter or a patched method makes a session's bound unknown."""
    patched: dict[int, Bound] = {}
    for write in ctx.facts.attribute_writes:
        owner = ctx.evaluator.evaluate(write.base, write.scope)
        if not isinstance(owner, Instance) or owner.kind not in CLIENT_KINDS:
            continue
        if owner.kind.startswith("httpx.") and write.attr == "timeout":
            given = Given(write.value, write.scope, write.node)
            patched[id(owner.call)] = _httpx_timeout(ctx, given)
        elif owner.kind == "requests.Session" and write.attr not in _HARMLESS_SESSION_ATTRIBUTES | {"timeout"}:
            patched[id(owner.call)] = Bound.unknown(f"the session's `{write.attr}` is replaced after construction")
        elif owner.kind == "aiohttp.ClientSession":
            patched[id(owner.call)] = Bound.unknown(f"the session's `{write.attr}` is replaced after construction")
    for site in ctx.facts.calls:
        func = site.node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "mount":
            owner = ctx.evaluator.evaluate(func.value, site.scope)
            if isinstance(owner, Instance) and owner.kind == "requests.Session":
                patched[id(owner.call)] = Bound.unknown("a transport adapter is mounted on the session")
    return patched


def socket_default_timeout(ctx: ExtractionContext) -> cst.Call | None:
    """``socket.setdefaulttimeout(N)`` with a non-None ``N`` anywhere in the module."""
    for site in ctx.facts.calls:
        if ctx.evaluator.qualified_name(site.node.func, site.scope) == "socket.setdefaulttimeout":
            limit = argument(site.node, "timeout", 0)
            if limit is not None and not is_none(ctx.evaluator.evaluate(limit, site.scope)):
                return site.node
    return None


__all__ = ["CANONICAL", "extract", "socket_default_timeout", "ModuleRef"]
