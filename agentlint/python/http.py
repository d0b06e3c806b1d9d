"""HTTP libraries as data for ``clients``: requests, httpx, aiohttp and urllib.

Facts from ``shared/frameworks.md`` section 9, checked against the libraries' sources: requests waits
forever unless ``timeout`` is given and a session has no timeout setting (assigning ``session.timeout``
does nothing); httpx defaults to 5 s and ``None`` disables it; an aiohttp session defaults to 300 s
total (also when given ``None``), while a per-request ``timeout=None`` or a ``ClientTimeout`` without
``total``/``sock_read`` is unbounded; ``urlopen`` uses the socket default, which blocks unless
``socket.setdefaulttimeout`` was called.
"""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Bound, BoundStatus, CallKind, Provenance
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, number, pending
from agentlint.python.clients import Catalog, ClientSpec, FunctionSpec, always, never
from agentlint.python.collector import argument
from agentlint.python.context import ExtractionContext
from agentlint.python.values import UNKNOWN, Instance, Literal, ModuleRef, Value

MODULES = ("requests", "httpx", "aiohttp", "urllib")
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

# Attributes of a requests session that cannot change how long a request waits; ``timeout`` is among
# them because requests never reads it.
_HARMLESS_SESSION_ATTRIBUTES = frozenset({
    "headers", "auth", "verify", "proxies", "cert", "params", "cookies", "trust_env", "max_redirects", "stream",
    "hooks", "timeout",
})


def _unbounded_default(detail: str) -> Bound:
    return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT, detail=detail)


def _bounded_default(detail: str, seconds: float) -> Bound:
    return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, detail=detail, value=seconds)


def seconds(ctx: ExtractionContext, found: Given, value: Value) -> Bound:
    """A plain number of seconds, or unknown: the shared tail of every timeout reading."""
    limit = number(value)
    if limit is not None:
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`", limit)
    if isinstance(value, ModuleRef):
        return pending(ctx, value.qualified, found.anchor)
    return Bound.unknown(f"`timeout={code(found.expr)}` could not be resolved statically")


def _requests_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` waits forever")
    if isinstance(value, Literal) and isinstance(value.value, tuple) and len(value.value) == 2:
        if value.value[1] is None:
            return explicit(ctx, found, BoundStatus.UNBOUNDED, "the read timeout in the `timeout` tuple is `None`")
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`")
    return seconds(ctx, found, value)


def httpx_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    """httpx-style timeouts (also used by the openai and anthropic SDKs, which are built on httpx)."""
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` disables the timeout")
    if isinstance(value, Instance) and value.kind == "httpx.Timeout":
        read = find_argument(ctx, value.call, value.scope, "read")
        if read is None:
            read = find_argument(ctx, value.call, value.scope, "timeout", 0)
        if isinstance(read, Given):
            if is_none(ctx.evaluator.evaluate(read.expr, read.scope)):
                return explicit(ctx, found, BoundStatus.UNBOUNDED, "the `httpx.Timeout` has no read timeout")
            return explicit(ctx, found, BoundStatus.BOUNDED, f"`timeout={code(found.expr)}`")
        return Bound.unknown(f"`timeout={code(found.expr)}` could not be resolved statically")
    return seconds(ctx, found, value)


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
    return seconds(ctx, found, value)


def _urlopen_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` blocks forever")
    return seconds(ctx, found, value)


def _patch_httpx(ctx: ExtractionContext, attribute: str, given: Given) -> Bound | None:
    return httpx_timeout(ctx, given) if attribute == "timeout" else None


def _patch_session(ctx: ExtractionContext, attribute: str, given: Given) -> Bound | None:
    if attribute in _HARMLESS_SESSION_ATTRIBUTES:
        return None
    return Bound.unknown(f"the session's `{attribute}` is replaced after construction")


_REQUESTS_DEFAULT = _unbounded_default("requests waits forever when no `timeout` is given")
_HTTPX_DEFAULT = _bounded_default("httpx's default of 5 s", 5.0)
_HTTPX_METHODS = frozenset((*REQUEST_METHODS, "stream", "send"))

CATALOG = Catalog(
    clients={
        "requests.Session": ClientSpec(
            kind="requests.Session",
            call_kind=CallKind.HTTP,
            methods=frozenset(REQUEST_METHODS),
            asynchronous=never,
            default=_unbounded_default("a requests session has no timeout setting"),
            classify=_requests_timeout,
            keywords=(),
            call_position=lambda method: 8 if method == "request" else None,
            per_call_default=_REQUESTS_DEFAULT,
            patch=_patch_session,
            unknown_after=frozenset({"mount"}),
        ),
        **{
            kind: ClientSpec(kind=kind, call_kind=CallKind.HTTP, methods=_HTTPX_METHODS,
                             asynchronous=always if kind == "httpx.AsyncClient" else never, default=_HTTPX_DEFAULT,
                             classify=httpx_timeout, patch=_patch_httpx)
            for kind in ("httpx.Client", "httpx.AsyncClient")
        },
        "aiohttp.ClientSession": ClientSpec(
            kind="aiohttp.ClientSession",
            call_kind=CallKind.HTTP,
            methods=frozenset(REQUEST_METHODS),  # not ws_connect: its ``timeout`` is the close timeout
            asynchronous=always,
            default=_bounded_default("aiohttp's session default of 300 s", 300.0),
            classify=_aiohttp_timeout,
            none_means_default=True,
            patch=lambda ctx, attribute, given: Bound.unknown(
                f"the session's `{attribute}` is replaced after construction"),
        ),
    },
    functions={
        **{f"requests.{m}": FunctionSpec(f"requests.{m}", CallKind.HTTP, _REQUESTS_DEFAULT, _requests_timeout)
           for m in REQUEST_METHODS},
        **{f"httpx.{m}": FunctionSpec(f"httpx.{m}", CallKind.HTTP, _HTTPX_DEFAULT, httpx_timeout)
           for m in (*REQUEST_METHODS, "stream")},
        "urllib.request.urlopen": FunctionSpec(
            "urllib.request.urlopen", CallKind.HTTP,
            _unbounded_default("`urlopen` without `timeout` uses the socket default, which blocks forever"),
            _urlopen_timeout, position=2,
        ),
    },
)


def socket_default_timeout(ctx: ExtractionContext) -> cst.Call | None:
    """``socket.setdefaulttimeout(N)`` with a number ``N``: a process-wide default that bounds
    ``urlopen``. A value passed through (a helper that sets and restores it) says nothing about how
    the application runs."""
    for site in ctx.facts.calls:
        if ctx.evaluator.callee(site.node, site.scope) == "socket.setdefaulttimeout":
            limit = argument(site.node, "timeout", 0)
            if limit is not None and number(ctx.evaluator.evaluate(limit, site.scope)) is not None:
                return site.node
    return None
