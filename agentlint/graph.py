"""The assembled pipeline graph that rules read.

Fragments stay the source of truth for facts; assembly indexes them across files (functions, state
schemas, graphs and run sites by qualified name, following re-exports) and holds the relations
between them in networkx graphs, which is what rules and ``agentlint graph`` traverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cached_property

import networkx as nx

from agentlint.findings import Location
from agentlint.ir import (
    END,
    START,
    UNKNOWN_TARGET,
    Agent,
    Bound,
    BoundStatus,
    Call,
    CallKind,
    Client,
    ConfigEntry,
    ConfigRef,
    ConfigValue,
    Delegation,
    ForeignCall,
    Fragment,
    Provenance,
    FunctionFacts,
    Flow,
    Graph,
    Hop,
    RunSite,
    StateKey,
    StateSchema,
    Task,
    Team,
)
from agentlint.python import crewai
from agentlint.python.extract import ADAPTERS

_ADD_MESSAGES = "langgraph.graph.add_messages"
# Schemas that come from libraries, with the keys they contribute.
_LIBRARY_SCHEMAS = {
    "langgraph.graph.MessagesState": (("messages", _ADD_MESSAGES),),
}
_MAX_REEXPORT_HOPS = 10


class PipelineGraph:
    def __init__(self, fragments: Iterable[Fragment]) -> None:
        fragments = list(fragments)
        self._exports: dict[str, str] = {}
        for fragment in fragments:
            self._exports.update(fragment.exports)
        constants = {name: value for fragment in fragments for name, value in fragment.constants.items()}
        shadowed = _shadowed_frameworks(fragments)
        self.fragments = sorted((_settle(_without(fragment, shadowed), constants, self.resolve) for fragment in fragments),
                                key=lambda fragment: fragment.path)
        self.relations = nx.MultiDiGraph()
        self._functions: dict[str, FunctionFacts] = {}
        self._schemas: dict[str, StateSchema] = {}
        for fragment in self.fragments:
            self._functions.update((facts.id, facts) for facts in fragment.functions)
            self._schemas.update((schema.id, schema) for schema in fragment.schemas)
            for client in fragment.clients:
                self.relations.add_node(("client", fragment.path, client.id), fact=client)
            for call in fragment.calls:
                self._relate(call, fragment.path)
        self._exported_clients = {client.exported_as: client for client in self.clients if client.exported_as}
        self._foreign_calls = [call for fragment in self.fragments for foreign in fragment.foreign_calls
                               for call in [self._resolve_foreign(foreign)] if call is not None]
        client_paths = {client.id: client.location.path for client in self._exported_clients.values()}
        for call in self._foreign_calls:
            self._relate(call, client_paths.get(call.client or "", ""))

    def _relate(self, call: Call, client_path: str) -> None:
        node = ("call", call.location.path, call.id, call.location.start.row, call.location.start.column)
        self.relations.add_node(node, fact=call)
        if call.client is not None:
            self.relations.add_edge(node, ("client", client_path, call.client), relation="via")

    def foreign_client(self, path: str) -> tuple[Client, str] | None:
        """The client another module exports that ``path`` (``app.models.llm.invoke``) calls, and the
        method path, when the method is one of that client's request methods."""
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            client = self._exported_clients.get(self.resolve_made(".".join(parts[:cut])))
            if client is not None:
                method = ".".join(parts[cut:])
                return (client, method) if method in client.methods else None
        return None

    def model_call(self, path: str) -> str | None:
        """The target (``langchain_openai.ChatOpenAI.invoke``) when ``path`` calls an exported LLM client."""
        found = self.foreign_client(path)
        if found is None or found[0].category is not CallKind.LLM:
            return None
        return f"{found[0].kind}.{found[1]}"

    def _resolve_foreign(self, foreign: ForeignCall) -> Call | None:
        found = self.foreign_client(foreign.path)
        if found is None:
            return None
        client, method = found
        bound = foreign.own or client.inherited_bound()
        if client.methods[method] and bound.status is not BoundStatus.BOUNDED and foreign.wrapper is not None:
            bound = foreign.wrapper
        target = f"{client.kind}.{method}"
        return Call(id=f"{foreign.scope}->{target}", kind=client.category, target=target, scope=foreign.scope,
                    location=foreign.location, timeout=bound, client=client.id)

    # clients and calls --------------------------------------------------------------------------
    @property
    def clients(self) -> Iterator[Client]:
        for fragment in self.fragments:
            yield from fragment.clients

    def calls(self, kind: CallKind | None = None) -> Iterator[Call]:
        every = [call for fragment in self.fragments for call in fragment.calls] + self._foreign_calls
        yield from (call for call in every if kind is None or call.kind is kind)

    def calls_through(self, client: Client) -> list[Call]:
        node = ("client", client.location.path, client.id)
        if node not in self.relations:
            return []
        return [self.relations.nodes[caller]["fact"] for caller, _ in self.relations.in_edges(node)]

    @property
    def socket_default_timeouts(self) -> list[Location]:
        return [fragment.socket_default_timeout for fragment in self.fragments if fragment.socket_default_timeout]

    # names across modules -----------------------------------------------------------------------
    def resolve(self, qualified: str) -> str:
        """Follow re-exports (``pkg/__init__.py`` importing ``pkg.nodes.research``) to the definition."""
        for _ in range(_MAX_REEXPORT_HOPS):
            target = self._exports.get(qualified)
            if target is None or target == qualified:
                return qualified
            qualified = target
        return qualified

    def resolve_made(self, qualified: str) -> str:
        """``resolve`` for names that may stand for what a factory returns (``pkg.build_graph()``)."""
        made = qualified.endswith("()")
        return self.resolve(qualified.removesuffix("()")) + ("()" if made else "")

    def function(self, qualified: str | None) -> FunctionFacts | None:
        return self._functions.get(self.resolve(qualified)) if qualified else None

    def state_keys(self, schema: str | None, _seen: frozenset[str] = frozenset()) -> tuple[dict[str, StateKey], bool] | None:
        """The keys of a state schema, merged with its bases, and whether every base was found."""
        if schema is None or schema in _seen:
            return None
        resolved = self.resolve(schema)
        if resolved in _LIBRARY_SCHEMAS:
            return {name: StateKey(name=name, reducer=reducer, location=Location.at("", 1))
                    for name, reducer in _LIBRARY_SCHEMAS[resolved]}, True
        found = self._schemas.get(resolved)
        if found is None:
            return None
        keys: dict[str, StateKey] = {}
        complete = True
        for base in found.bases:
            inherited = self.state_keys(base, _seen | {schema})
            if inherited is None:
                complete = False
            else:
                keys.update(inherited[0])
                complete &= inherited[1]
        if found.kind == "messages-state":
            keys["messages"] = StateKey(name="messages", reducer=_ADD_MESSAGES, location=found.location)
        keys.update((key.name, key) for key in found.keys)
        return keys, complete

    def work(self, function: str | None, depth: int = 3) -> tuple[tuple[str, ...], bool]:
        """The HTTP/LLM calls a function makes, directly or through the functions it calls (a few
        levels deep), and whether a semaphore-like limit is entered on the way."""
        facts = self.function(function)
        if facts is None:
            return (), False
        calls = list(facts.calls)
        limited = facts.limits_concurrency
        if depth > 0:
            for callee in facts.invokes:
                if self.resolve(callee) == facts.id:
                    continue
                inner, inner_limited = self.work(callee, depth - 1)
                calls.extend(inner)
                limited |= inner_limited and bool(inner)
        return tuple(dict.fromkeys(calls)), limited

    def facts_of(self, kind: str) -> Iterator:  # type: ignore[type-arg]
        """Every fact of one kind (``retries``, ``fan_outs``, ``loops``) across the project."""
        for fragment in self.fragments:
            yield from getattr(fragment, kind)

    # graphs -------------------------------------------------------------------------------------
    @property
    def graphs(self) -> Iterator[Graph]:
        for fragment in self.fragments:
            yield from fragment.graphs

    def run_sites(self, graph: Graph, _inside: frozenset[str] = frozenset()) -> list[RunSite]:
        """Every run of this graph, in any module, including the runs of graphs that use it as a node
        (a subgraph runs under its parent's config); a run through an exported name that carries
        ``with_config`` limits gets them, under whatever its own config sets."""
        names = {graph.id, *graph.compiled}
        runs = []
        for fragment in self.fragments:
            for run in fragment.run_sites:
                target = run.target if run.target in names else self.resolve_made(run.target)
                if target not in names:
                    continue
                inherited = graph.export_limits.get(target, {}) if run.location.path != graph.location.path else {}
                runs.append(run.model_copy(update={"limits": {**inherited, **run.limits}}) if inherited else run)
        for parent in self.graphs:
            if parent.id != graph.id and parent.id not in _inside and any(
                    node.function and self.resolve(node.function) in names for node in parent.nodes):
                runs += self.run_sites(parent, _inside | {graph.id})
        return runs

    @cached_property
    def _node_deadlines(self) -> dict[str, Bound]:
        """Functions a LangGraph run cancels after a deadline: async nodes with a ``timeout=`` (their
        own or ``set_node_defaults``), or in a compiled graph whose ``step_timeout`` is set. Sync
        nodes never count: LangGraph refuses node timeouts on them at compile time, and a step
        timeout abandons their thread rather than interrupting the call. Keyed by qualified name."""
        deadlines: dict[str, Bound] = {}
        for graph in self.graphs:
            step = graph.step_timeout if graph.step_timeout and graph.step_timeout.status is BoundStatus.BOUNDED else None
            for node in graph.nodes:
                facts = self.function(node.function)
                if facts is None or not facts.asynchronous:
                    continue
                own = node.timeout if node.timeout and node.timeout.status is BoundStatus.BOUNDED else None
                bound = own or step
                if bound is not None:
                    deadlines[facts.id] = bound
        return deadlines

    def node_deadline(self, scope: str) -> Bound | None:
        """The LangGraph deadline that cancels work done directly in ``scope`` (a call's scope), if any."""
        return self._node_deadlines.get(scope.replace(":", ".")) if self._node_deadlines else None

    def routes(self, graph: Graph) -> nx.MultiDiGraph:
        """Every way control can move between the graph's nodes: static edges (a join contributes an
        edge from each source), conditional edges (to the path map, or to what the router can
        return), ``Command(goto=...)`` and ``Send``. Edge attribute ``kind`` tells which."""
        routes = nx.MultiDiGraph()
        routes.add_nodes_from(node.name for node in graph.nodes)
        for edge in graph.edges:
            for source in edge.sources:
                routes.add_edge(source, edge.target, kind="static", location=edge.location)
        for conditional in graph.conditional:
            router = self.function(conditional.router)
            targets = conditional.path_map
            if targets is None and router is not None and router.router is not None:
                targets = router.router.targets
            for target in targets or ():
                routes.add_edge(conditional.source, target, kind="conditional", location=conditional.location)
            if router is not None and router.router is not None:
                for target in router.router.sends:
                    routes.add_edge(conditional.source, target, kind="send", location=conditional.location,
                                    many=router.router.send_many)
        for node in graph.nodes:
            facts = self.function(node.function)
            for target in facts.command_gotos if facts else ():
                if target != UNKNOWN_TARGET:
                    routes.add_edge(node.name, target, kind="command", location=node.location)
        return routes

    def routes_known(self, graph: Graph) -> bool:
        """Whether ``routes`` is the whole story: every builder call read, every router understood."""
        if not graph.complete:
            return False
        for node in graph.nodes:
            facts = self.function(node.function)
            if facts is not None and UNKNOWN_TARGET in facts.command_gotos:
                return False
        for conditional in graph.conditional:
            if conditional.path_map is not None:
                continue
            router = self.function(conditional.router)
            if router is None or router.router is None or not router.router.targets_complete:
                return False
        return True

    # crews: agents, tasks and the hops between them -----------------------------------------------
    @cached_property
    def _crew_members(self) -> tuple[dict[str, Agent], dict[str, Task], dict[str, Team]]:
        """Agents and tasks with the YAML entries they load merged in (by the config file's path
        relative to the defining module and the entry's key), and crews, each by id."""
        entries = {(fragment.path, entry.key): entry
                   for fragment in self.fragments for entry in fragment.config_entries}

        def entry(ref: ConfigRef | None) -> ConfigEntry | None:
            return entries.get((ref.path, ref.key)) if ref is not None else None

        agents = {agent.id: crewai.join_agent(agent, entry(agent.config_ref))
                  for fragment in self.fragments for agent in fragment.agents}
        tasks = {task.id: crewai.join_task(task, entry(task.config_ref))
                 for fragment in self.fragments for task in fragment.tasks}
        teams = {team.id: team for fragment in self.fragments for team in fragment.teams}
        return agents, tasks, teams

    @property
    def agents(self) -> list[Agent]:
        return list(self._crew_members[0].values())

    @property
    def tasks(self) -> list[Task]:
        return list(self._crew_members[1].values())

    @property
    def teams(self) -> list[Team]:
        return list(self._crew_members[2].values())

    def agent(self, agent_id: str | None) -> Agent | None:
        """An agent by id, also through a re-export or an import from the defining module."""
        if not agent_id:
            return None
        agents = self._crew_members[0]
        return agents.get(agent_id) or agents.get(self.resolve(agent_id))

    def task(self, task_id: str | None) -> Task | None:
        return self._crew_members[1].get(task_id) if task_id else None

    def team(self, team_id: str | None) -> Team | None:
        """A crew by id, also through a re-exported class (``pkg.ResearchCrew.crew``)."""
        if not team_id:
            return None
        teams = self._crew_members[2]
        owner, _, method = team_id.rpartition(".")
        return teams.get(team_id) or teams.get(self.resolve(team_id)) or teams.get(f"{self.resolve(owner)}.{method}")

    @property
    def flows(self) -> Iterator[Flow]:
        for fragment in self.fragments:
            yield from fragment.flows

    @cached_property
    def environment(self) -> dict[str, ConfigValue]:
        """Environment variables the project's deployment files set; where two files disagree, the
        variable is left out, since agentlint cannot tell which one the run uses."""
        found: dict[str, ConfigValue] = {}
        conflicting: set[str] = set()
        for fragment in self.fragments:
            for name, setting in fragment.environment.items():
                if name in found and found[name].value != setting.value:
                    conflicting.add(name)
                found.setdefault(name, setting)
        return {name: setting for name, setting in found.items() if name not in conflicting}

    def parallel_tools(self, frameworks: frozenset[str]) -> Iterator[tuple[FunctionFacts, Agent]]:
        """Tool functions an agent of these frameworks may run several of at once (``tool_concurrency``
        other than one at a time), with the agent. A framework whose runs may change that (a run
        config, run-level model settings) is left out whole: such a run also drives the agents it
        hands off to."""
        undecided = {run.framework for fragment in self.fragments for run in fragment.run_sites
                     if (limit := run.limits.get("tool_concurrency")) is not None and limit.status is BoundStatus.UNKNOWN}
        for agent in self.agents:
            concurrency = agent.limits.get("tool_concurrency")
            if (agent.framework not in frameworks or agent.framework in undecided or not agent.complete
                    or concurrency is None or concurrency.status is BoundStatus.UNKNOWN or concurrency.value == 1):
                continue
            for tool in agent.tools:
                facts = self.function(tool)
                if facts is not None:
                    yield facts, agent

    @property
    def delegations(self) -> Iterator[Delegation]:
        for fragment in self.fragments:
            yield from fragment.delegations

    def hops(self) -> list[Hop]:
        """Every output another agent or task receives: agent-to-agent hops the adapters found, with
        their validation decided from the producer's ``output_schema`` where the site left it open;
        CrewAI task ``context=[...]``; and, for tasks that leave ``context`` unspecified in a
        sequential crew, implicitly (a sync task gets every earlier output, an async one the last
        sync output)."""
        found = [self._agent_hop(hop) for fragment in self.fragments for hop in fragment.hops]
        found += [self._hop(producer, task, "task-context", task.context_location or task.location)
                 for task in self.tasks for producer in task.context or ()]
        for team in self.teams:
            if team.process != "sequential" or not team.complete:
                continue
            earlier: list[str] = []
            last_sync: str | None = None
            for task_id in team.tasks:
                task = self.task(task_id)
                if task is None:
                    break
                if task.context is None and task.complete:
                    producers = ([last_sync] if last_sync else []) if task.asynchronous else earlier
                    found += [self._hop(producer, task, "sequential", task.location) for producer in producers]
                earlier.append(task_id)
                last_sync = last_sync if task.asynchronous else task_id
        return found

    def _agent_hop(self, hop: Hop) -> Hop:
        if hop.validated is not None:
            return hop
        producer = self.agent(hop.producer)
        if producer is None:
            return hop
        if producer.output_schema:
            return hop.model_copy(update={"validated_by": producer.output_schema, "validated": True})
        return hop.model_copy(update={"validated": False} if producer.complete else {})

    def _hop(self, producer_id: str, consumer: Task, mechanism: str, location: Location) -> Hop:
        producer = self.task(producer_id)
        validated_by = None
        validated: bool | None = None
        if producer is not None:
            validated_by = producer.output_schema or ("guardrail" if producer.guardrail else None) or (
                "human review" if producer.human_review else None)
            validated = True if validated_by else (False if producer.complete else None)
        return Hop(
            id=f"{producer_id}->{consumer.id}", producer=producer_id,
            producer_agent=producer.agent if producer else None, consumer=consumer.id,
            consumer_agent=consumer.agent, mechanism=mechanism, location=location,
            validated_by=validated_by, validated=validated,
        )


def _shadowed_frameworks(fragments: list[Fragment]) -> dict[str, str]:
    """Frameworks whose import root is also a top-level module of the project (a local ``agents``
    package): ``import agents`` then means the project's code, so the adapter's facts are dropped.
    Maps each such framework to its root."""
    local_roots = {fragment.module.split(".", 1)[0] for fragment in fragments}
    return {adapter.FRAMEWORK: root for adapter in ADAPTERS for root in adapter.ROOTS if root in local_roots}


def _without(fragment: Fragment, shadowed: dict[str, str]) -> Fragment:
    if not shadowed:
        return fragment
    frameworks = set(shadowed)
    roots = tuple(f"{root}." for root in shadowed.values())
    dropped = {agent.id for agent in fragment.agents if agent.framework in frameworks}
    runs = {call.target for call in fragment.calls if call.kind is CallKind.AGENT and call.target.startswith(roots)}
    return fragment.model_copy(update={
        "agents": tuple(agent for agent in fragment.agents if agent.framework not in frameworks),
        "teams": tuple(team for team in fragment.teams if team.framework not in frameworks),
        "tasks": tuple(task for task in fragment.tasks if task.framework not in frameworks),
        "delegations": tuple(item for item in fragment.delegations if item.framework not in frameworks),
        "run_sites": tuple(run for run in fragment.run_sites if run.framework not in frameworks),
        "calls": tuple(call for call in fragment.calls
                       if not (call.kind is CallKind.AGENT and call.target.startswith(roots))),
        "hops": tuple(hop for hop in fragment.hops if hop.producer not in dropped and hop.consumer not in dropped),
        # What the analyses derived from those runs: loops and fan-outs around them, replies parsed.
        "loops": tuple(loop for loop in fragment.loops if not runs.issuperset(loop.calls)),
        "fan_outs": tuple(fan_out.model_copy(update={"work": tuple(w for w in fan_out.work if w not in runs)})
                          for fan_out in fragment.fan_outs if not fan_out.mechanism.startswith(roots)),
        "functions": tuple(facts.model_copy(update={
            "calls": tuple(call for call in facts.calls if call not in runs),
            "parses": tuple(parse for parse in facts.parses if not (parse.origin == "model" and parse.source in runs)),
        }) for facts in fragment.functions),
    })


def _settle(fragment: Fragment, constants: dict[str, object], resolve: Callable[[str], str]) -> Fragment:
    """Fill in bounds that waited on another module's constant; calls that inherit a settled client
    are re-derived from it."""
    if not any(bound.pending for bound in _bounds(fragment)):
        return fragment
    clients = {client.id: client.model_copy(update={"timeout": _settled(client.timeout, constants, resolve)})
               for client in fragment.clients}
    calls = []
    for call in fragment.calls:
        bound = _settled(call.timeout, constants, resolve)
        client = clients.get(call.client or "")
        if client is not None and bound.provenance is Provenance.UNKNOWN and not bound.pending \
                and call.timeout.detail.startswith(f"from `{client.id}`"):
            bound = client.inherited_bound()
        calls.append(call.model_copy(update={"timeout": bound}))
    return fragment.model_copy(update={"clients": tuple(clients.values()), "calls": tuple(calls)})


def _bounds(fragment: Fragment) -> Iterator[Bound]:
    yield from (client.timeout for client in fragment.clients)
    yield from (call.timeout for call in fragment.calls)


def _settled(bound: Bound, constants: dict[str, object], resolve: Callable[[str], str]) -> Bound:
    if bound.pending is None:
        return bound
    name = resolve(bound.pending)
    if name not in constants:
        return bound
    value = constants[name]
    where = f"`{name.rsplit('.', 1)[-1]}`"
    if bound.pending_key is not None:
        if not isinstance(value, dict):
            return bound
        if bound.pending_key not in value:
            return bound.fallback or bound
        value = value[bound.pending_key]
        where = f"`{bound.pending_key}` in `{name.rsplit('.', 1)[-1]}`"
    if value is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"{where} is `None`, which waits forever", source=bound.source)
    if isinstance(value, list) and len(value) == 2 and value[1] is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"the read timeout in {where} is `None`", source=bound.source)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, detail=f"{where} = {value}",
                     value=float(value), source=bound.source)
    if isinstance(value, list) and all(isinstance(item, (int, float)) for item in value):
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, detail=f"{where} = {value}",
                     source=bound.source)
    return bound
