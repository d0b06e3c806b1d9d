"""The MCP Python SDK's client session as data for ``clients``.

Facts from ``shared/frameworks.md`` section 9 (mcp v1.29.0, checked against its source):
``ClientSession(read, write, read_timeout_seconds=None)`` sets no per-request timeout, and
``call_tool(..., read_timeout_seconds=None)`` overrides it per call. Over ``sse_client`` or
``streamablehttp_client`` the HTTP transport bounds reads (300 s); over ``stdio_client`` nothing does,
so an unbounded session is reported only where its streams come from stdio.
"""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Bound, BoundStatus, CallKind, Provenance
from agentlint.python.bounds import Given, code, explicit, is_none, number
from agentlint.python.clients import Catalog, ClientSpec, always
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.values import Instance

MODULES = ("mcp",)
CANONICAL = {
    "mcp.client.session.ClientSession": "mcp.ClientSession",
    "mcp.client.stdio.stdio_client": "mcp.client.stdio.stdio_client",
}
_STDIO = "mcp.client.stdio.stdio_client"
_HTTP_TRANSPORTS = frozenset({"mcp.client.sse.sse_client", "mcp.client.streamable_http.streamablehttp_client",
                              "mcp.client.streamable_http.streamable_http_client"})


def _read_timeout(ctx: ExtractionContext, found: Given) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`read_timeout_seconds=None` waits forever")
    if isinstance(value, Instance) and value.kind == "datetime.timedelta":
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`read_timeout_seconds={code(found.expr)}`")
    seconds = number(value)  # mcp 2.x takes seconds as a float
    if seconds is not None:
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`read_timeout_seconds={code(found.expr)}`", seconds)
    return Bound.unknown(f"`read_timeout_seconds={code(found.expr)}` could not be resolved statically")


def _transport_default(ctx: ExtractionContext, node: cst.Call, scope: Scope) -> Bound:
    """Unbounded when the session's scope opens a stdio transport and no HTTP one; unknown otherwise."""
    transports = set()
    for site in ctx.facts.calls:
        if site.scope is scope:
            target = ctx.evaluator.callee(site.node, site.scope)
            if target == _STDIO or target in _HTTP_TRANSPORTS:
                transports.add(target)
    if transports == {_STDIO}:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                     detail="an MCP session over stdio has no read timeout unless `read_timeout_seconds` is set")
    if transports and _STDIO not in transports:
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                     detail="the HTTP transport's read timeout (300 s)", value=300.0)
    return Bound.unknown("the session's transport could not be determined")


CATALOG = Catalog(
    clients={
        "mcp.ClientSession": ClientSpec(
            kind="mcp.ClientSession",
            call_kind=CallKind.MCP,
            methods=frozenset({"call_tool", "list_tools", "read_resource", "get_prompt", "list_resources",
                               "list_prompts", "initialize", "complete"}),
            asynchronous=always,
            default=Bound.unknown("the session's transport could not be determined"),
            default_for=_transport_default,
            classify=_read_timeout,
            keywords=("read_timeout_seconds",),
            call_keyword="read_timeout_seconds",
        ),
    },
    functions={},
)
