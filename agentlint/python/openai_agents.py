"""OpenAI Agents SDK (``openai-agents``, imported as ``agents``): agents, handoffs, agents as tools,
``Runner`` runs and the run outputs that become another run's input.

Facts checked against openai-agents 0.24.0 (``shared/frameworks.md`` section 4): ``Runner.run``,
``run_sync`` and ``run_streamed`` take ``max_turns=DEFAULT_MAX_TURNS`` (10, ``run_config.py:45``) and
``max_turns=None`` disables the check (``run.py:1598``, ``if max_turns is not None and current_turn >
max_turns``); ``Agent.as_tool(max_turns=None)`` means the default of 10 (``agent.py:755``); an agent
without ``output_type`` (or with ``str``) returns unvalidated text as ``final_output``; ``handoff(agent,
...)`` takes the target agent first. ``RunConfig`` has no turn limit. A project with its own top-level
``agents`` package shadows the SDK: assembly drops this adapter's facts then (``ROOTS``).
"""

from __future__ import annotations

import re

import libcst as cst

from agentlint.ir import Agent, Bound, BoundStatus, Call, CallKind, Hop, Provenance, RunSite
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.bounds import (
    Given,
    code,
    find_argument,
    given_limit,
    is_none,
    literal_string,
    opaque_kwargs,
    wrapper_bound,
)
from agentlint.python.clients import Catalog
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import is_builtin_str, single_assignment
from agentlint.python.identities import object_id
from agentlint.python.run_outputs import Source, add_hops, sources
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, ModuleRef

MODULES = ("agents",)
HINT = re.compile(r"\bagents\b|Runner")
FRAMEWORK = "openai-agents"
ROOTS: tuple[str, ...] = ("agents",)
CATALOG = Catalog(clients={}, functions={})

AGENT, RUNNER, HANDOFF, OUTPUT_SCHEMA = "agents.Agent", "agents.Runner", "agents.handoff", "agents.AgentOutputSchema"
CANONICAL = {
    "agents.agent.Agent": AGENT,
    "agents.run.Runner": RUNNER,
    "agents.handoffs.handoff": HANDOFF,
    "agents.agent_output.AgentOutputSchema": OUTPUT_SCHEMA,
}
RUN_METHODS = frozenset({f"{RUNNER}.run", f"{RUNNER}.run_sync", f"{RUNNER}.run_streamed"})
DEFAULT_MAX_TURNS = 10
_DEFAULT_TURNS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                       detail=f"the Agents SDK's default of {DEFAULT_MAX_TURNS} turns", value=DEFAULT_MAX_TURNS)
_NO_RUN_TIMEOUT = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                        detail="`Runner.run` sets no time limit of its own")
GUARDRAIL_SETTINGS = ("input_guardrails", "output_guardrails")
_PARALLEL_TOOLS = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                        detail="the SDK starts every function tool call of a turn at once")
_SETTINGS_DECIDE = Bound.unknown("`model_settings` may turn parallel tool calls off")
# What carries a run's reply on its result: the final output, or a cast of it.
_OUTPUT_ATTRIBUTE, _OUTPUT_METHODS = "final_output", frozenset({"final_output_as"})
_MAX_TRACE = 6


class _Extraction:
    """One module's agents and runs. Agent ids are assigned first, so that an agent can name the
    agents it hands off to and a run its agent whatever order they appear in."""

    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.ids: dict[int, str] = {}  # ``Agent(...)`` call -> agent id
        self.runs: dict[int, str | None] = {}  # ``Runner.run(...)`` call -> the id of the agent it runs

    def run(self) -> FrameworkFacts:
        facts = FrameworkFacts()
        agents, runs = [], []
        for site in self.ctx.facts.calls:
            callee = self.ctx.evaluator.callee(site.node, site.scope)
            if callee == AGENT:
                self.ids[id(site.node)] = object_id(self.ctx, site, "Agent")
                agents.append(site)
            elif callee in RUN_METHODS:
                runs.append((site, callee))
        for site in agents:
            facts.agents.append(self._agent(site, facts))
        for site, _ in runs:
            self.runs[id(site.node)] = self._reference(_agent_argument(site.node), site.scope)
        for site, callee in runs:
            self._run(site, callee, facts)
        return facts

    def _reference(self, expr: cst.BaseExpression | None, scope: Scope) -> str | None:
        """The id of the agent an expression refers to: an ``Agent(...)`` of this module (directly, by
        name or through a factory), or the qualified name of an imported agent or factory, which
        assembly resolves."""
        if expr is None:
            return None
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance):
            return self.ids.get(id(value.call)) if value.kind == AGENT else value.kind
        if isinstance(value, ModuleRef):
            return value.qualified
        return None

    # agents ---------------------------------------------------------------------------------------
    def _agent(self, site: CallSite, facts: FrameworkFacts) -> Agent:
        agent_id = self.ids[id(site.node)]
        schema, schema_known = self._output_schema(site)
        tools, tool_agents = [], []
        for expr, scope in self._elements(site, "tools"):
            agent_tool = self._agent_tool(expr, scope, agent_id, facts)
            if agent_tool is not None:
                tool_agents.append(agent_tool[0])
            tools.append(agent_tool[1] if agent_tool else self.ctx.evaluator.qualified_name(expr, scope) or code(expr))
        name = literal_string(self.ctx, find_argument(self.ctx, site.node, site.scope, "name", 0))
        handoffs = tuple(dict.fromkeys(self._handoffs(site)))
        return Agent(
            id=agent_id, framework=FRAMEWORK, name=name, location=self.ctx.locate(site.node), output_schema=schema,
            tools=tuple(tools), delegates=tuple(dict.fromkeys((*handoffs, *tool_agents))), handoffs=handoffs,
            settings=tuple(keyword for keyword in GUARDRAIL_SETTINGS if self._given_list(site, keyword)),
            limits={"tool_concurrency": _SETTINGS_DECIDE if self._given_list(site, "model_settings") else _PARALLEL_TOOLS},
            complete=schema_known and not opaque_kwargs(self.ctx, site.node, site.scope),
        )

    def _given_list(self, site: CallSite, keyword: str) -> bool:
        """Whether ``keyword`` is given something other than ``None`` or an empty list (or may be,
        through an unreadable ``**kwargs``)."""
        found = find_argument(self.ctx, site.node, site.scope, keyword)
        if found is UNKNOWN:
            return True
        if not isinstance(found, Given) or is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return False
        return not (isinstance(found.expr, (cst.List, cst.Tuple)) and not found.expr.elements)

    def _output_schema(self, site: CallSite) -> tuple[str | None, bool]:
        """The schema ``output_type=`` checks the final output against (``AgentOutputSchema(M)``
        counts as ``M``); ``None`` for plain text. False when it may hide in ``**kwargs``."""
        found = find_argument(self.ctx, site.node, site.scope, "output_type")
        if found is UNKNOWN:
            return None, False
        if not isinstance(found, Given):
            return None, True
        expr, scope = found.expr, found.scope
        value = self.ctx.evaluator.evaluate(expr, scope)
        if is_none(value) or is_builtin_str(expr, scope):
            return None, True
        if isinstance(value, Instance) and value.kind == OUTPUT_SCHEMA:
            inner = argument(value.call, "output_type", 0)
            expr, scope = (inner, value.scope) if inner is not None else (expr, scope)
        return self.ctx.evaluator.qualified_name(expr, scope) or code(expr), True

    def _agent_tool(self, expr: cst.BaseExpression, scope: Scope, outer: str,
                    facts: FrameworkFacts) -> tuple[str, str] | None:
        """An agent used as a tool of ``outer`` (``inner.as_tool(...)``), with the tool's name: its
        output reaches ``outer`` (an ``agent-as-tool`` hop), and each call of the tool is a run of it
        with its own turn limit."""
        if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value == "as_tool"):
            return None
        inner = self._reference(expr.func.value, scope)
        if inner is None:
            return None
        location = self.ctx.locate(expr)
        # A custom extractor decides what the outer agent reads, and may well check it.
        if find_argument(self.ctx, expr, scope, "custom_output_extractor", 2) is None:
            facts.hops.append(Hop(id=f"{inner}->{outer}", producer=inner, producer_agent=inner, consumer=outer,
                                  consumer_agent=outer, mechanism="agent-as-tool", location=location))
        facts.run_sites.append(RunSite(id=f"{outer}->{inner}.as_tool", target=inner, method="as_tool",
                                       location=location, framework=FRAMEWORK,
                                       limits={"max_turns": self._max_turns(expr, scope, none_is_default=True)}))
        return inner, literal_string(self.ctx, find_argument(self.ctx, expr, scope, "tool_name", 0)) or inner

    def _handoffs(self, site: CallSite) -> list[str]:
        """The agents this one can hand the conversation to, directly or through ``handoff(agent)``."""
        targets = []
        for expr, scope in self._elements(site, "handoffs"):
            if isinstance(expr, cst.Call) and self.ctx.evaluator.qualified_name(expr.func, scope) == HANDOFF:
                expr = argument(expr, "agent", 0) or expr
            target = self._reference(expr, scope)
            if target is not None:
                targets.append(target)
        return targets

    def _elements(self, site: CallSite, keyword: str) -> list[tuple[cst.BaseExpression, Scope]]:
        found = find_argument(self.ctx, site.node, site.scope, keyword)
        if not isinstance(found, Given):
            return []
        expr, scope = single_assignment(found.expr, found.scope) or (found.expr, found.scope)
        if not isinstance(expr, (cst.List, cst.Tuple)):
            return []
        return [(element.value, scope) for element in expr.elements if not isinstance(element, cst.StarredElement)]

    # runs -----------------------------------------------------------------------------------------
    def _run(self, site: CallSite, callee: str, facts: FrameworkFacts) -> None:
        location = self.ctx.locate(site.node)
        scope = site.scope.qualname
        agent = self.runs[id(site.node)]
        target = agent or code(_agent_argument(site.node) or site.node.func)
        method = callee.rsplit(".", 1)[1]
        facts.calls.append(Call(id=f"{scope}->{callee}", kind=CallKind.AGENT, target=callee, scope=scope,
                                location=location, timeout=wrapper_bound(self.ctx, site) or _NO_RUN_TIMEOUT))
        run_config = find_argument(self.ctx, site.node, site.scope, "run_config")
        tools = _PARALLEL_TOOLS if run_config is None else Bound.unknown(
            "the run's `run_config` may cap tool concurrency or turn parallel tool calls off")
        facts.run_sites.append(RunSite(id=f"{scope}->{target}.{method}", target=target, method=method,
                                       location=location, framework=FRAMEWORK,
                                       limits={"max_turns": self._max_turns(site.node, site.scope),
                                               "tool_concurrency": tools}))
        given = argument(site.node, "input", 1)
        if agent is None or given is None:
            return
        # An agent continuing its own conversation is no hop; a whole conversation handed on
        # (``result.to_input_list()``) is a handoff, which AGL203 leaves alone.
        add_hops(facts.hops, sources(self.ctx, given, site.scope, output_of=self._final_output), agent, location,
                 prefix=f"{scope}:")

    def _max_turns(self, call: cst.Call, scope: Scope, *, none_is_default: bool = False) -> Bound:
        """``max_turns=`` of a run: the SDK's 10 when absent, no limit at all when ``None`` (except on
        ``as_tool``, where ``None`` means the default)."""
        return given_limit(self.ctx, find_argument(self.ctx, call, scope, "max_turns"), "max_turns", _DEFAULT_TURNS,
                           none_means=_DEFAULT_TURNS if none_is_default else None)

    def _final_output(self, expr: cst.BaseExpression, scope: Scope) -> list[Source] | None:
        """``result.final_output`` and ``result.final_output_as(...)``, for ``run_outputs.sources``:
        the output of the run ``result`` holds. Anything else read off a result (its whole history,
        ``to_input_list()``) is not its output."""
        if isinstance(expr, cst.Attribute) and expr.attr.value == _OUTPUT_ATTRIBUTE:
            return self._run_output(expr.value, scope)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in _OUTPUT_METHODS:
            return self._run_output(expr.func.value, scope)
        return None

    def _run_output(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[Source]:
        """The run whose result ``expr`` is (``result`` bound to ``await Runner.run(planner, q)``)."""
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            agent = self.runs.get(id(expr))
            return [Source(agent)] if agent is not None else []
        bound = single_assignment(expr, scope) if depth < _MAX_TRACE else None
        return self._run_output(*bound, depth + 1) if bound is not None else []


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return _Extraction(ctx).run()


def _agent_argument(call: cst.Call) -> cst.BaseExpression | None:
    return argument(call, "starting_agent", 0)

