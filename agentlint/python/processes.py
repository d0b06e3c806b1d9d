"""Child processes as data for ``clients``: ``subprocess`` and the decorators that make a function an
agent's tool, so that a blocking child process can be judged where an agent waits on it.

``subprocess.run/call/check_call/check_output`` and ``Popen.communicate/wait`` take ``timeout=None``
by default and then wait as long as the child runs (CPython documentation).
"""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Bound, BoundStatus, CallKind, Provenance
from agentlint.python.bounds import Given, explicit, is_none
from agentlint.python.clients import Catalog, ClientSpec, FunctionSpec, never
from agentlint.python.context import ExtractionContext
from agentlint.python.http import seconds
from agentlint.python.scopes import Scope

MODULES = ("subprocess",)
# Decorators that register a function as a tool an agent calls (LangChain, CrewAI, the OpenAI Agents
# SDK, smolagents); the function runs while the agent waits on it.
TOOL_DECORATORS = frozenset({
    "langchain_core.tools.tool", "langchain.tools.tool", "langchain.agents.tool", "crewai.tools.tool",
    "agents.function_tool", "smolagents.tool",
})

_WAITS_FOREVER = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                       detail="it waits as long as the child process runs when no `timeout` is given")


def _timeout(ctx: ExtractionContext, found: Given) -> Bound:
    if is_none(ctx.evaluator.evaluate(found.expr, found.scope)):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, "`timeout=None` waits as long as the child runs")
    return seconds(ctx, found, ctx.evaluator.evaluate(found.expr, found.scope))


CATALOG = Catalog(
    clients={
        "subprocess.Popen": ClientSpec(
            kind="subprocess.Popen", call_kind=CallKind.SUBPROCESS, methods=frozenset({"communicate", "wait"}),
            asynchronous=never, default=_WAITS_FOREVER, classify=_timeout, keywords=(),
            per_call_default=_WAITS_FOREVER,
        ),
    },
    functions={
        f"subprocess.{name}": FunctionSpec(f"subprocess.{name}", CallKind.SUBPROCESS, _WAITS_FOREVER, _timeout)
        for name in ("run", "call", "check_call", "check_output")
    },
)


def tool_decorator(ctx: ExtractionContext, scope: Scope) -> str | None:
    node = scope.node
    if not isinstance(node, cst.FunctionDef):
        return None
    for decorator in node.decorators:
        target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        name = ctx.evaluator.qualified_name(target, scope.parent or scope)
        if name in TOOL_DECORATORS:
            return name
    return None
