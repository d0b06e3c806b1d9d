"""AutoGen AgentChat (0.4+) teams, agents and runs, and legacy AutoGen 0.2 / AG2 group chats.

Facts checked against autogen-agentchat 0.7.5 and autogen-ext 0.7.5 (``shared/frameworks.md`` section 3):
``RoundRobinGroupChat``, ``SelectorGroupChat``, ``Swarm`` and ``GraphFlow`` take ``termination_condition=None,
max_turns=None`` (keyword-only) and run until something stops them; ``MagenticOneGroupChat`` defaults to
``max_turns=20``; a ``GraphFlow`` also ends when its graph has no next node, so only a cyclic graph
needs a stop. ``AssistantAgent(name, model_client, *, tools, handoffs, max_tool_iterations=1,
output_content_type=None)``. ``team.run``/``run_stream`` take no time limit. ``OpenAIChatCompletionClient``
hands ``timeout`` to ``openai.AsyncOpenAI`` (``models/openai/_openai_client.py:131-134``), so omitting
it keeps the SDK's 600 s and ``timeout=None`` removes the limit.

Legacy ``import autogen`` (0.2 / AG2) is a different package and lives in ``autogen_legacy``.
"""

from __future__ import annotations

import re

import libcst as cst

from agentlint.ir import Agent, Bound, BoundStatus, CallKind, Hop, Provenance, Team
from agentlint.python import autogen_graphflow, autogen_legacy
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.autogen_conditions import (
    AND,
    BOUNDING,
    CONDITIONS,
    OR,
    SELF_DECIDED,
    TOKEN_LIMITS,
    UNKNOWN as UNREADABLE,
    Verdict,
    condition_bound,
    either,
    every,
    leaf,
    with_people,
)
from agentlint.python.autogen_support import FRAMEWORK, default, record_run
from agentlint.python.bounds import Given, code, find_argument, given_limit, is_none, literal_string, numeric_limit, opaque_kwargs
from agentlint.python.clients import Catalog, ClientSpec, always
from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext
from agentlint.python.identities import object_id, of_project
from agentlint.python.expressions import list_elements, single_assignment
from agentlint.python.http import httpx_timeout
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, Literal, ModuleRef

MODULES = ("autogen_agentchat", "autogen_ext", "autogen_core", "autogen")
# A team built by a project factory in another module is often run where nothing mentions AutoGen.
RUN_MARKER = r"\.run(?:_stream)?\(\s*task\s*="
HINT = re.compile(rf"autogen|{RUN_MARKER}")
ROOTS: tuple[str, ...] = ()

TEAMS = "autogen_agentchat.teams"
TEAM_MODULES = {
    "RoundRobinGroupChat": "_round_robin_group_chat", "SelectorGroupChat": "_selector_group_chat",
    "Swarm": "_swarm_group_chat", "MagenticOneGroupChat": "_magentic_one._magentic_one_group_chat",
    "GraphFlow": "_graph._digraph_group_chat",
}
TEAM_KINDS = frozenset(f"{TEAMS}.{name}" for name in TEAM_MODULES)
MAGENTIC_ONE, GRAPH_FLOW = f"{TEAMS}.MagenticOneGroupChat", f"{TEAMS}.GraphFlow"
AGENTS = "autogen_agentchat.agents."
ASSISTANT = f"{AGENTS}AssistantAgent"
USER_PROXY = "autogen_agentchat.agents.UserProxyAgent"
AGENT_TOOL = "autogen_agentchat.tools.AgentTool"
OPENAI_CLIENTS = ("OpenAIChatCompletionClient", "AzureOpenAIChatCompletionClient")

CANONICAL = {
    **{f"{TEAMS}._group_chat.{module}.{name}": f"{TEAMS}.{name}" for name, module in TEAM_MODULES.items()},
    f"{TEAMS}._group_chat._magentic_one.MagenticOneGroupChat": MAGENTIC_ONE,
    f"{TEAMS}._group_chat._graph.GraphFlow": GRAPH_FLOW,
    **{f"{CONDITIONS}._terminations.{name}": f"{CONDITIONS}.{name}" for name in (*BOUNDING, *SELF_DECIDED)},
    "autogen_agentchat.base._termination.AndTerminationCondition": AND,
    "autogen_agentchat.base._termination.OrTerminationCondition": OR,
    "autogen_agentchat.agents._assistant_agent.AssistantAgent": ASSISTANT,
    "autogen_agentchat.agents._user_proxy_agent.UserProxyAgent": USER_PROXY,
    "autogen_agentchat.tools._agent.AgentTool": AGENT_TOOL,
    **{f"autogen_ext.models.openai._openai_client.{name}": f"autogen_ext.models.openai.{name}"
       for name in OPENAI_CLIENTS},
    **autogen_graphflow.CANONICAL,
    **autogen_legacy.CANONICAL,
}

SDK_TIMEOUT = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=600.0,
                    detail="the openai SDK default of 600 s, which AutoGen's client keeps")
# The model clients: ``create``/``create_stream`` are awaited; a call takes no timeout of its own.
CATALOG = Catalog(
    clients={
        f"autogen_ext.models.openai.{name}": ClientSpec(
            kind=f"autogen_ext.models.openai.{name}", call_kind=CallKind.LLM,
            methods=frozenset({"create", "create_stream"}), asynchronous=always, default=SDK_TIMEOUT,
            classify=httpx_timeout, call_keyword=None, retries_keyword="max_retries", default_retries=2,
        )
        for name in OPENAI_CLIENTS
    },
    functions={},
)

RUN_METHODS = frozenset({"run", "run_stream"})
# A team a project factory in another module builds: its run site is matched to the team at assembly.
FACTORY_TEAM = f"{TEAMS}.Team"
NO_TURN_LIMIT = default(None, "no `max_turns`")
TURN_DEFAULTS = {MAGENTIC_ONE: default(20, "MagenticOneGroupChat's default of 20 turns")}
TOOL_ITERATIONS = default(1, "AutoGen's default of 1 tool iteration per turn")


class _Extraction:
    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.ids: dict[int, str] = {}  # team/agent constructor call -> id
        self.handoffs: dict[str, list[str]] = {}  # agent id -> the agent names it hands off to
        self.externals_set = self._externals_set()

    def run(self) -> FrameworkFacts:
        facts = FrameworkFacts()
        teams: list[tuple[CallSite, str]] = []
        agents: list[CallSite] = []
        for site in self.ctx.facts.calls:
            kind = self.ctx.evaluator.callee(site.node, site.scope)
            if kind in TEAM_KINDS:
                teams.append((site, kind))
                self.ids[id(site.node)] = object_id(self.ctx, site, kind.rsplit(".", 1)[1])
            elif kind == ASSISTANT:
                agents.append(site)
                self.ids[id(site.node)] = object_id(self.ctx, site, "AssistantAgent")
        built = [self._agent(site, facts) for site in agents]
        names = {agent.name: agent.id for agent in built if agent.name}
        facts.agents = [agent.model_copy(update={"delegates": (*agent.delegates, *(
            names[name] for name in self.handoffs[agent.id] if name in names))}) for agent in built]
        facts.teams = [self._team(site, kind) for site, kind in teams]
        self._runs(facts)
        return facts

    # agents -------------------------------------------------------------------------------------
    def _agent(self, site: CallSite, facts: FrameworkFacts) -> Agent:
        given = {name: find_argument(self.ctx, site.node, site.scope, name, position)
                 for name, position in (("name", 0), ("tools", None), ("handoffs", None),
                                        ("max_tool_iterations", None), ("output_content_type", None))}
        schema = given["output_content_type"]
        output = None
        if isinstance(schema, Given) and not is_none(self.ctx.evaluator.evaluate(schema.expr, schema.scope)):
            output = self.ctx.evaluator.qualified_name(schema.expr, schema.scope) or code(schema.expr)
        tools, tool_agents = [], []
        for expr, scope in self._items(given["tools"]):
            inner = self._agent_tool(expr, scope)
            if inner is not None:
                tool_agents.append(inner)
                facts.hops.append(Hop(id=f"{inner}->{self.ids[id(site.node)]}", producer=inner, producer_agent=inner,
                                      consumer=self.ids[id(site.node)], consumer_agent=self.ids[id(site.node)],
                                      mechanism="agent-as-tool", location=self.ctx.locate(expr)))
            tools.append(self.ctx.evaluator.qualified_name(expr, scope) or code(expr))
        self.handoffs[self.ids[id(site.node)]] = [
            name for expr, scope in self._items(given["handoffs"]) if (name := self._handoff_target(expr, scope))]
        return Agent(
            id=self.ids[id(site.node)], framework=FRAMEWORK, name=literal_string(self.ctx, given["name"]),
            location=self.ctx.locate(site.node), output_schema=output,
            limits={"max_tool_iterations": given_limit(self.ctx, given["max_tool_iterations"], "max_tool_iterations",
                                                       TOOL_ITERATIONS)},
            settings=tuple(name for name, found in given.items() if found is UNKNOWN or isinstance(found, Given)),
            complete=not opaque_kwargs(self.ctx, site.node, site.scope), tools=tuple(tools),
            delegates=tuple(tool_agents),
        )

    def _agent_tool(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The agent an ``AgentTool(agent)`` wraps: its answer comes back to the calling agent as the
        tool's result."""
        value = self.ctx.evaluator.evaluate(expr, scope)
        if not (isinstance(value, Instance) and value.kind == AGENT_TOOL):
            return None
        wrapped = find_argument(self.ctx, value.call, value.scope, "agent", 0)
        return self._reference(wrapped.expr, wrapped.scope, frozenset({ASSISTANT})) if isinstance(wrapped, Given) else None

    def _items(self, found: Given | None | object) -> list[tuple[cst.BaseExpression, Scope]]:
        return (list_elements(found.expr, found.scope) or []) if isinstance(found, Given) else []

    def _handoff_target(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The agent name a handoff goes to: ``"refunds"`` or ``Handoff(target="refunds")``."""
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Literal) and isinstance(value.value, str):
            return value.value
        if isinstance(value, Instance) and value.kind.endswith(".Handoff"):
            return literal_string(self.ctx, find_argument(self.ctx, value.call, value.scope, "target"))
        return None

    # teams --------------------------------------------------------------------------------------
    def _team(self, site: CallSite, kind: str) -> Team:
        found = find_argument(self.ctx, site.node, site.scope, "participants", 0)
        listed = list_elements(found.expr, found.scope) if isinstance(found, Given) else None
        members = [(expr, self.ctx.evaluator.evaluate(expr, scope)) for expr, scope in listed or ()]
        people = [expr for expr, value in members if isinstance(value, Instance) and value.kind == USER_PROXY]
        agents = [self.ids.get(id(value.call)) if isinstance(value, Instance) and value.kind == ASSISTANT else None
                  for _, value in members if not (isinstance(value, Instance) and value.kind == USER_PROXY)]
        condition = with_people(self._condition(site), code(people[0]) if people else None)
        if condition.status is not BoundStatus.BOUNDED and (listed is None or not all(
                isinstance(value, Instance) and value.kind.startswith(AGENTS) for _, value in members)):
            # A participant agentlint cannot see may be a person, who would decide when to stop.
            condition = Bound.unknown("the participants could not all be read; a person may be among them")
        if kind == GRAPH_FLOW and condition.status is not BoundStatus.BOUNDED and not self._graph_cycles(site):
            condition = Bound.unknown("a `GraphFlow` ends when its graph has no next agent; agentlint could not "
                                      "tell that this graph has a cycle")
        turns = numeric_limit(self.ctx, site.node, site.scope, "max_turns", TURN_DEFAULTS.get(kind, NO_TURN_LIMIT))
        return Team(
            id=self.ids[id(site.node)], framework=FRAMEWORK, location=self.ctx.locate(site.node),
            name=literal_string(self.ctx, find_argument(self.ctx, site.node, site.scope, "name")),
            agents=tuple(agent for agent in agents if agent is not None),
            limits={"termination_condition": condition, "max_turns": turns},
            complete=bool(members) and None not in agents and not opaque_kwargs(self.ctx, site.node, site.scope),
        )

    def _graph_cycles(self, site: CallSite) -> bool:
        found = find_argument(self.ctx, site.node, site.scope, "graph", 1)
        return isinstance(found, Given) and autogen_graphflow.cyclic(self.ctx, found.expr, found.scope)

    def _reference(self, expr: cst.BaseExpression, scope: Scope, kinds: frozenset[str]) -> str | None:
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind in kinds:
            return self.ids.get(id(value.call))
        return None

    def _condition(self, site: CallSite) -> Bound:
        found = find_argument(self.ctx, site.node, site.scope, "termination_condition")
        if found is UNKNOWN:
            return Bound.unknown("`termination_condition` may come from `**kwargs` that could not be resolved")
        if not isinstance(found, Given):
            return condition_bound(None, None)
        source = self.ctx.locate(found.anchor)
        if is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return condition_bound(None, source)
        return condition_bound(self._verdict(found.expr, found.scope), source)

    def _verdict(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Verdict:
        """How a termination condition expression can fire: the ``|``/``&`` algebra, condition classes,
        names bound once, and module-level helpers that return a condition."""
        unreadable = Verdict(UNREADABLE, detail=f"`{code(expr)}` could not be read")
        if depth > 8:
            return unreadable
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitOr, cst.BitAnd)):
            sides = [self._verdict(side, scope, depth + 1) for side in (expr.left, expr.right)]
            return either(sides) if isinstance(expr.operator, cst.BitOr) else every(sides)
        if isinstance(expr, cst.Call):
            return self._call_verdict(expr, scope, depth) or unreadable
        bound = single_assignment(expr, scope)
        if bound is not None:
            return self._verdict(bound[0], bound[1], depth + 1)
        if isinstance(self.ctx.evaluator.evaluate(expr, scope), ModuleRef):
            return Verdict(UNREADABLE, detail=f"`{code(expr)}` is defined in another module")
        return unreadable

    def _call_verdict(self, expr: cst.Call, scope: Scope, depth: int) -> Verdict | None:
        kind = self.ctx.evaluator.qualified_name(expr.func, scope)
        if kind in (AND, OR):
            found = find_argument(self.ctx, expr, scope, "conditions", 0)
            parts = list_elements(found.expr, found.scope) if isinstance(found, Given) else None
            if not parts:
                return None
            verdicts = [self._verdict(part, part_scope, depth + 1) for part, part_scope in parts]
            return either(verdicts) if kind == OR else every(verdicts)
        if kind is not None and kind.startswith(f"{CONDITIONS}."):
            name = kind.rsplit(".", 1)[1]
            return leaf(name, bounding=self._bounding(expr, scope, name))
        returned = self.ctx.evaluator.factory_returns(kind)
        if returned:
            verdicts = [self._verdict(value, body, depth + 1) for value, body in returned]
            return verdicts[0] if all(verdict == verdicts[0] for verdict in verdicts) else None
        return None

    def _bounding(self, expr: cst.Call, scope: Scope, name: str) -> bool | None:
        if name == "ExternalTermination":
            return True if id(expr) in self.externals_set else self._reachable(expr, scope)
        if name == "TokenUsageTermination":
            found = [find_argument(self.ctx, expr, scope, keyword, index) for index, keyword in enumerate(TOKEN_LIMITS)]
            if any(isinstance(item, Given) and not is_none(self.ctx.evaluator.evaluate(item.expr, item.scope))
                   for item in found):
                return True
            return None
        return True

    def _reachable(self, expr: cst.Call, scope: Scope) -> bool | None:
        """An ``ExternalTermination`` this module never ``.set()``s: ``False`` (it never fires) when its
        name is used nowhere in its function but as a team's ``termination_condition``; ``None`` when a
        module-level name or an attribute holds it, or the function uses it any other way (returns
        it, hands it or its ``set`` to other code), since that code may set it."""
        name = self.ctx.facts.bound_names.get(id(expr))
        if name is None:
            return False
        if name.startswith("self.") or scope.kind != "function" or not isinstance(scope.node, cst.FunctionDef):
            return None
        uses = _OtherUses(name)
        scope.node.body.visit(uses)
        return None if uses.found else False

    def _externals_set(self) -> set[int]:
        """``ExternalTermination()`` calls whose object some code in this module ``.set()``s."""
        found = set()
        for site in self.ctx.facts.calls:
            func = site.node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "set":
                value = self.ctx.evaluator.evaluate(func.value, site.scope)
                if isinstance(value, Instance) and value.kind == f"{CONDITIONS}.ExternalTermination":
                    found.add(id(value.call))
        return found

    # runs ---------------------------------------------------------------------------------------
    def _runs(self, facts: FrameworkFacts) -> None:
        for site in self.ctx.facts.calls:
            func = site.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in RUN_METHODS):
                continue
            found = self._run_target(site, func.value)
            if found is not None:
                run, call = record_run(self.ctx, site, found[0], f"{found[1]}.{func.attr.value}")
                facts.run_sites.append(run)
                if found[1] != FACTORY_TEAM:  # what a factory returns may be no team: no model work then
                    facts.calls.append(call)

    def _run_target(self, site: CallSite, expr: cst.BaseExpression) -> tuple[str, str] | None:
        """(id, class) of the team or agent a ``run`` runs; a team built by a factory of this project in
        another module is named after the factory, which assembly matches against the teams it knows
        (only for ``run(task=...)``: ``run`` alone is too common a method name to guess on)."""
        value = self.ctx.evaluator.evaluate(expr, site.scope)
        if not isinstance(value, Instance):
            return None
        if value.kind in TEAM_KINDS or value.kind == ASSISTANT:
            target = self.ids.get(id(value.call))
            return (target, value.kind) if target is not None else None
        if of_project(self.ctx, value.kind) and any(
                arg.keyword is not None and arg.keyword.value == "task" for arg in site.node.args):
            return value.kind, FACTORY_TEAM
        return None


class _OtherUses(cst.CSTVisitor):
    """Finds a name used other than as an assignment target or inside a ``termination_condition=``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Arg(self, node: cst.Arg) -> bool:
        return not (node.keyword is not None and node.keyword.value == "termination_condition")

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.found |= node.value == self.name


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    facts = _Extraction(ctx).run()
    facts.extend(autogen_legacy.extract(ctx))
    return facts
