"""Pydantic AI: agents, their runs and usage limits, the output one run hands to the next, and
sub-agents run inside another agent's tools.

Facts checked against pydantic-ai-slim 2.68.0 (``shared/frameworks.md`` section 5; paths under
``pydantic_ai/``): a run given no ``usage_limits`` (or ``None``) applies ``UsageLimits()``
(``agent/__init__.py:1836``), whose ``request_limit`` is 50 (``usage.py:559``; ``UsageLimits`` is a
keyword-only dataclass, ``usage.py:547``); a run counts its requests in the ``usage`` it is given, a
fresh ``RunUsage()`` when none is (``agent/__init__.py:1754``), so a sub-agent run inside a tool is
outside the parent's limits unless the tool passes ``usage=ctx.usage``; ``run(timeout=...)`` and
``Agent(tool_timeout=...)`` default to ``None`` (``agent/abstract.py:557``, ``agent/__init__.py:690``);
``output_type`` defaults to ``str`` (``agent/__init__.py:676``); ``max_concurrency`` (a number, a
``ConcurrencyLimit`` or a limiter) caps the agent's concurrent runs and ``None`` means no cap
(``agent/__init__.py:691, 861``; ``concurrency.py:307-330``).

A run of a name imported from another module of the project (``from app.agents import planner``)
is recorded with that name as its target, since it may be an agent built there, but it is model work
for the fan-out and loop rules only when the agent is built in the same file: elsewhere it could be
any object's ``run``. Files that never mention ``pydantic_ai`` are not read at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from agentlint.ir import Agent, Bound, BoundStatus, Call, CallKind, Delegation, Hop, Provenance, RunSite
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.bounds import (
    Given,
    code,
    explicit,
    find_argument,
    is_none,
    literal_string,
    numeric_limit,
    wrapper_bound,
)
from agentlint.python.clients import Catalog
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import is_builtin_str, single_assignment
from agentlint.python.identities import object_id
from agentlint.python.outputs import VALIDATORS
from agentlint.python.run_outputs import Source, add_hops
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, ModuleRef

MODULES = ("pydantic_ai",)
HINT = re.compile(r"pydantic_ai")
FRAMEWORK = "pydantic-ai"
ROOTS: tuple[str, ...] = ()
CATALOG = Catalog(clients={}, functions={})
AGENT, USAGE_LIMITS, TOOL = "pydantic_ai.Agent", "pydantic_ai.UsageLimits", "pydantic_ai.Tool"
CONCURRENCY_LIMITS = frozenset({"pydantic_ai.ConcurrencyLimit", "pydantic_ai.ConcurrencyLimiter"})
CANONICAL = {
    "pydantic_ai.agent.Agent": AGENT,
    "pydantic_ai.usage.UsageLimits": USAGE_LIMITS,
    "pydantic_ai.tools.Tool": TOOL,
    "pydantic_ai.concurrency.ConcurrencyLimit": "pydantic_ai.ConcurrencyLimit",
    "pydantic_ai.concurrency.ConcurrencyLimiter": "pydantic_ai.ConcurrencyLimiter",
}
RUN_METHODS = frozenset({"run", "run_sync", "run_stream", "run_stream_sync", "run_stream_events", "iter"})
TOOL_DECORATORS = frozenset({"tool", "tool_plain"})
DEFAULT_REQUEST_LIMIT = 50
_MAX_DEPTH = 4
# String methods whose arguments end up in the result (``template.format(plan=result.output)``).
_PASSING_ARGUMENTS = frozenset({"format", "join", "replace"})

_DEFAULT_REQUESTS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=DEFAULT_REQUEST_LIMIT,
                          detail=f"Pydantic AI's default `UsageLimits()` allows {DEFAULT_REQUEST_LIMIT} requests per run")
_NO_RUN_TIMEOUT = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                        detail="Pydantic AI sets no run timeout by default")
_NO_TOOL_TIMEOUT = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                         detail="Pydantic AI sets no tool timeout by default")
# Tool calls of one model response run at once unless a tool is ``sequential=True`` (``tools.py:305``)
# or model settings turn ``parallel_tool_calls`` off.
_PARALLEL_TOOLS = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                        detail="the tool calls of one model response run at once")
_SETTINGS_DECIDE = Bound.unknown("`model_settings` may turn parallel tool calls off")
_NO_CONCURRENCY_CAP = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                            detail="Pydantic AI runs any number of an agent's runs at once by default")


@dataclass(frozen=True)
class _Run:
    """A run: the call, and the id of the agent it runs (the qualified name of an imported one)."""

    site: CallSite
    agent: str


class _Extraction:
    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.ids: dict[int, str] = {}  # ``Agent(...)`` call -> agent id
        self.runs: dict[int, _Run] = {}  # run call -> the run

    def run(self) -> FrameworkFacts:
        sites = [site for site in self.ctx.facts.calls if self._builds_agent(site)]
        for site in sites:
            self.ids[id(site.node)] = object_id(self.ctx, site, "Agent")
        tools = self._tools(sites)
        facts = FrameworkFacts(agents=[self._agent(site, tools) for site in sites])
        caps = {agent.id: agent.limits["max_concurrency"] for agent in facts.agents}
        for site in self.ctx.facts.calls:
            agent = self._run_target(site)
            if agent is None:
                continue
            self.runs[id(site.node)] = _Run(site, agent)
            timeout = numeric_limit(self.ctx, site.node, site.scope, "timeout", _NO_RUN_TIMEOUT)
            facts.run_sites.append(self._run_site(site, agent, timeout))
            if agent in caps:  # built here, so certainly an agent: model work for the fan-out and loop rules
                facts.calls.append(self._call(site, timeout, caps[agent]))
        for run in self.runs.values():
            self._hops(run, facts.hops)
        parents: dict[str, list[str]] = {}  # tool function -> the agents it is registered on
        for agent, owned in tools.items():
            for tool in owned:
                parents.setdefault(tool, []).append(agent)
        facts.delegations = [delegation for run in self.runs.values() for delegation in self._delegations(run, parents)]
        return facts

    def _qualified(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        return self.ctx.evaluator.qualified_name(expr, scope)

    def _builds_agent(self, site: CallSite) -> bool:
        """``Agent(...)``, also parametrised (``Agent[Deps, Plan](...)``), but not a factory's call."""
        value = self.ctx.evaluator.evaluate(site.node, site.scope)
        return isinstance(value, Instance) and value.kind == AGENT and value.call is site.node

    def _agent_of(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The id of the agent built in this file that ``expr`` evaluates to, else the qualified name
        of a name imported from another module of the project: possibly an agent built there, which
        assembly and the rules look up before they rely on it."""
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind == AGENT:
            return self.ids.get(id(value.call))
        module = self.ctx.module_name
        if (isinstance(value, ModuleRef) and value.qualified.split(".", 1)[0] == module.split(".", 1)[0]
                and not value.qualified.startswith(f"{module}.")):
            return value.qualified
        return None

    # agents and their tools ---------------------------------------------------------------------
    def _tools(self, sites: list[CallSite]) -> dict[str, list[str]]:
        """Each agent's tool functions by qualified name: ``tools=[...]`` (functions or ``Tool(fn)``),
        ``@agent.tool`` / ``@agent.tool_plain`` (bare or called) and ``agent.tool(fn)``."""
        tools: dict[str, list[str]] = {self.ids[id(site.node)]: [] for site in sites}
        for site in sites:
            found = find_argument(self.ctx, site.node, site.scope, "tools")
            if isinstance(found, Given) and isinstance(found.expr, (cst.List, cst.Tuple)):
                functions = (self._tool_function(element.value, found.scope) for element in found.expr.elements)
                tools[self.ids[id(site.node)]] += [function for function in functions if function]
        for scope in self.ctx.facts.definitions:
            if scope.kind == "function" and isinstance(scope.node, cst.FunctionDef):
                for decorator in scope.node.decorators:
                    agent = self._registering_agent(decorator.decorator, scope.parent or scope)
                    if agent is not None:
                        tools.setdefault(agent, []).append(scope.dotted)
        for site in self.ctx.facts.calls:
            agent = self._registering_agent(site.node.func, site.scope)
            function = argument(site.node, "func", 0)
            if agent is not None and function is not None:
                tools.setdefault(agent, []).extend(name for name in [self._tool_function(function, site.scope)] if name)
        return tools

    def _registering_agent(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        if isinstance(expr, cst.Call):
            expr = expr.func
        if isinstance(expr, cst.Attribute) and expr.attr.value in TOOL_DECORATORS:
            return self._agent_of(expr.value, scope)
        return None

    def _tool_function(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind == TOOL:
            function = argument(value.call, "function", 0)
            return self._qualified(function, value.scope) if function is not None else None
        return value.qualified if isinstance(value, ModuleRef) else None

    def _agent(self, site: CallSite, tools: dict[str, list[str]]) -> Agent:
        agent_id = self.ids[id(site.node)]
        schema, readable = self._output_schema(site)
        name = literal_string(self.ctx, find_argument(self.ctx, site.node, site.scope, "name"))
        return Agent(
            id=agent_id, framework=FRAMEWORK, name=name, location=self.ctx.locate(site.node),
            output_schema=schema,
            limits={
                "tool_timeout": numeric_limit(self.ctx, site.node, site.scope, "tool_timeout", _NO_TOOL_TIMEOUT),
                "max_concurrency": self._concurrency(site),
                "tool_concurrency": self._tool_concurrency(site),
            },
            complete=readable, tools=tuple(dict.fromkeys(tools[agent_id])),
        )

    def _output_schema(self, site: CallSite) -> tuple[str | None, bool]:
        """What validates the agent's output (anything but ``str``), and whether ``output_type`` could
        be read at all."""
        found = find_argument(self.ctx, site.node, site.scope, "output_type")
        if found is UNKNOWN:
            return None, False
        if not isinstance(found, Given) or is_builtin_str(found.expr, found.scope):
            return None, True
        return self._qualified(found.expr, found.scope) or code(found.expr), True

    def _concurrency(self, site: CallSite) -> Bound:
        """``max_concurrency``: a number, or a ``ConcurrencyLimit``/``ConcurrencyLimiter``."""
        found = find_argument(self.ctx, site.node, site.scope, "max_concurrency")
        if isinstance(found, Given):
            value = self.ctx.evaluator.evaluate(found.expr, found.scope)
            if isinstance(value, Instance) and value.kind in CONCURRENCY_LIMITS:
                return explicit(self.ctx, found, BoundStatus.BOUNDED, f"`max_concurrency={code(found.expr)}`")
        return numeric_limit(self.ctx, site.node, site.scope, "max_concurrency", _NO_CONCURRENCY_CAP)

    # runs ---------------------------------------------------------------------------------------
    def _run_target(self, site: CallSite) -> str | None:
        func = site.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in RUN_METHODS:
            return self._agent_of(func.value, site.scope)
        return None

    def _call(self, site: CallSite, own: Bound, cap: Bound) -> Call:
        """The run as model work: its own ``timeout=`` or an enclosing wrapper's, and the agent's
        ``max_concurrency`` as a cap any fan-out over it inherits."""
        wrapper = wrapper_bound(self.ctx, site) if own.status is not BoundStatus.BOUNDED else None
        target = f"{AGENT}.{_method(site)}"
        return Call(id=f"{site.scope.qualname}->{target}", kind=CallKind.AGENT, target=target,
                    scope=site.scope.qualname, location=self.ctx.locate(site.node), timeout=wrapper or own,
                    cap=cap if cap.status is BoundStatus.BOUNDED else None)

    def _run_site(self, site: CallSite, agent: str, timeout: Bound) -> RunSite:
        method = _method(site)
        return RunSite(id=f"{site.scope.qualname}->{agent}.{method}", target=agent, method=method,
                       location=self.ctx.locate(site.node), framework=FRAMEWORK,
                       limits={"request_limit": self._request_limit(site), "timeout": timeout,
                               "tool_concurrency": self._tool_concurrency(site)})

    def _tool_concurrency(self, site: CallSite) -> Bound:
        """Whether the tool calls of a turn run at once, as far as this agent or run decides it."""
        return _SETTINGS_DECIDE if find_argument(self.ctx, site.node, site.scope, "model_settings") else _PARALLEL_TOOLS

    def _request_limit(self, site: CallSite) -> Bound:
        """``usage_limits=``: absent or ``None`` is ``UsageLimits()``; a ``UsageLimits(...)`` given
        directly, through a variable or a module constant is read for its ``request_limit``."""
        found = find_argument(self.ctx, site.node, site.scope, "usage_limits")
        if found is UNKNOWN:
            return Bound.unknown("`usage_limits` may come from `**kwargs` that could not be resolved")
        if not isinstance(found, Given):
            return _DEFAULT_REQUESTS
        value = self.ctx.evaluator.evaluate(found.expr, found.scope)
        if is_none(value):
            return _DEFAULT_REQUESTS
        if not (isinstance(value, Instance) and value.kind == USAGE_LIMITS):
            return Bound.unknown(f"`usage_limits={code(found.expr)}` could not be resolved statically")
        return numeric_limit(self.ctx, value.call, value.scope, "request_limit", _DEFAULT_REQUESTS)

    # hops: one run's output in another run's prompt ---------------------------------------------
    def _hops(self, consumer: _Run, hops: list[Hop]) -> None:
        prompt = argument(consumer.site.node, "user_prompt", 0)
        if prompt is None:
            return
        found = [Source(producer.agent, validated_by or self._run_output_type(producer))
                 for producer, validated_by in self._outputs(prompt, consumer.site.scope, None, 0)]
        add_hops(hops, found, consumer.agent, self.ctx.locate(consumer.site.node),
                 prefix=f"{consumer.site.scope.qualname}:")

    def _outputs(
        self, expr: cst.BaseExpression, scope: Scope, validated_by: str | None, depth: int
    ) -> Iterator[tuple[_Run, str | None]]:
        """The runs whose ``.output`` ``expr`` carries: directly, in an f-string, through ``str()``,
        ``+``, a method of the output or ``.format()``, or a name bound to one; with the validator
        applied on the way, if any (``Plan.model_validate_json(result.output)``). A call to any other
        function ends the trail: it may check or rewrite the value."""
        if depth > _MAX_DEPTH:
            return
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Attribute) and expr.attr.value == "output":
            run = self._run_result(expr.value, scope, depth)
            if run is not None:
                yield run, validated_by
                return
        if isinstance(expr, (cst.Attribute, cst.Subscript)):  # ``result.output.steps[0]``
            yield from self._outputs(expr.value, scope, validated_by, depth + 1)
        elif isinstance(expr, cst.Name):
            bound = single_assignment(expr, scope)
            if bound is not None:
                yield from self._outputs(*bound, validated_by, depth + 1)
        elif isinstance(expr, cst.FormattedString):
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    yield from self._outputs(part.expression, scope, validated_by, depth + 1)
        elif isinstance(expr, cst.BinaryOperation):
            yield from self._outputs(expr.left, scope, validated_by, depth + 1)
            yield from self._outputs(expr.right, scope, validated_by, depth + 1)
        elif isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in VALIDATORS:
                validated_by = code(func.value)
            elif isinstance(func, cst.Attribute):  # a method of the output (``.strip()``) or of a template
                yield from self._outputs(func.value, scope, validated_by, depth + 1)
                if func.attr.value not in _PASSING_ARGUMENTS:
                    return
            elif not is_builtin_str(func, scope):
                return
            for arg in expr.args:
                yield from self._outputs(arg.value, scope, validated_by, depth + 1)

    def _run_result(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> _Run | None:
        """The run whose result ``expr`` is: ``await agent.run(q)``, ``agent.run_sync(q)``, or a name
        bound to one."""
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            return self.runs.get(id(expr))
        bound = single_assignment(expr, scope) if isinstance(expr, cst.Name) else None
        return self._run_result(*bound, depth + 1) if bound is not None and depth < _MAX_DEPTH else None

    def _run_output_type(self, run: _Run) -> str | None:
        """A per-run ``output_type=`` other than ``str`` validates that run's output."""
        found = find_argument(self.ctx, run.site.node, run.site.scope, "output_type")
        if not isinstance(found, Given) or is_builtin_str(found.expr, found.scope) or is_none(
                self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return None
        return self._qualified(found.expr, found.scope) or code(found.expr)

    # delegation: a sub-agent run inside a tool --------------------------------------------------
    def _delegations(self, run: _Run, parents: dict[str, list[str]]) -> Iterator[Delegation]:
        tool = _enclosing_tool(run.site.scope, parents)
        if tool is None:
            return
        found = find_argument(self.ctx, run.site.node, run.site.scope, "usage")
        shares: bool | None
        if found is UNKNOWN:
            shares = None
        else:
            shares = isinstance(found, Given) and not is_none(self.ctx.evaluator.evaluate(found.expr, found.scope))
        for parent in parents[tool]:
            yield Delegation(id=f"{tool}->{run.agent}", framework=FRAMEWORK, tool=tool, parent=parent,
                             child=run.agent, location=self.ctx.locate(run.site.node), shares_budget=shares)


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return _Extraction(ctx).run()


# helpers ------------------------------------------------------------------------------------------


def _method(site: CallSite) -> str:
    assert isinstance(site.node.func, cst.Attribute)
    return site.node.func.attr.value



def _enclosing_tool(scope: Scope | None, tools: dict[str, list[str]]) -> str | None:
    """The tool function a call runs in (itself, or a function nested in it)."""
    while scope is not None and scope.kind == "function":
        if scope.dotted in tools:
            return scope.dotted
        scope = scope.parent
    return None
