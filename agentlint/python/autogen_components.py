"""AutoGen declarative components: teams and agents written as JSON (AutoGen Studio galleries,
``Component.dump_component()``), loaded with ``Team.load_component(...)``.

The same facts as for teams built in code, so the termination rules read both alike. The shape, from
autogen-agentchat 0.7.5's config models (``RoundRobinGroupChatConfig``, ``AssistantAgentConfig``,
``AndTerminationConditionConfig``...): ``{"provider": "autogen_agentchat.teams.RoundRobinGroupChat",
"config": {"participants": [...], "termination_condition": {...}, "max_turns": null}}``; a ``GraphFlow``
config holds ``graph.nodes`` by name, each with ``edges`` to ``target`` names.

The JSON is composed with YAML's composer (JSON is YAML's flow syntax) because it keeps each node's
position, so findings point at the lines that decide them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import yaml

from agentlint import data
from agentlint.findings import Location
from agentlint.ir import Agent, Bound, BoundStatus, Provenance, Team
from agentlint.python.autogen import ASSISTANT, CANONICAL, USER_PROXY, GRAPH_FLOW, NO_TURN_LIMIT, TEAM_KINDS, TOOL_ITERATIONS, TURN_DEFAULTS
from agentlint.python.autogen_conditions import (
    AND,
    OR,
    TOKEN_LIMITS,
    UNKNOWN,
    Verdict,
    condition_bound,
    either,
    every,
    leaf,
    with_people,
)
from agentlint.python.autogen_support import FRAMEWORK

_CONDITIONS = "autogen_agentchat.conditions."


@dataclass
class Components:
    teams: list[Team] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)


def components(path: str, text: str) -> Components:
    """Every team and assistant agent in a JSON file of AutoGen components; nothing for other files
    or when the file cannot be composed (composed rather than loaded: findings need positions)."""
    if not data.AUTOGEN_COMPONENT.search(text):
        return Components()
    loader = data.YAML_LOADER(text.replace("\t", " "))  # a raw tab is only ever whitespace in valid JSON
    try:
        root = loader.get_single_node()
        if root is None:
            return Components()
        reader = _Reader(path, loader)
        reader.visit(root, "")
        return reader.found
    except yaml.YAMLError:
        return Components()
    finally:
        loader.dispose()


class _Reader:
    def __init__(self, path: str, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader
        self.found = Components()

    def visit(self, node: yaml.Node, pointer: str) -> None:
        if isinstance(node, yaml.MappingNode):
            provider = self._provider(node)
            if provider in TEAM_KINDS:
                self.found.teams.append(self._team(node, provider, pointer))
            elif provider == ASSISTANT:
                self.found.agents.append(self._agent(node, pointer))
            for key, value in node.value:
                self.visit(value, f"{pointer}/{key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.visit(item, f"{pointer}/{index}")

    # reading nodes ------------------------------------------------------------------------------
    def _provider(self, node: yaml.Node) -> str | None:
        value = self._value(_get(node, "provider"))
        return CANONICAL.get(value, value) if isinstance(value, str) else None

    def _value(self, node: yaml.Node | None) -> object:
        return data.node_value(self.loader, node) if node is not None else None

    def _locate(self, start: yaml.Node, end: yaml.Node | None = None) -> Location:
        return data.span(self.path, start, end or start)

    def _anchor(self, node: yaml.MappingNode) -> Location:
        """A component's ``"provider": "..."`` line."""
        key = next(key for key, _ in node.value if key.value == "provider")
        return self._locate(key, _get(node, "provider"))

    def _setting(self, node: yaml.Node, name: str) -> tuple[yaml.Node, yaml.Node] | None:
        """The ``config`` entry ``name`` as (key, value) nodes."""
        config = _get(node, "config")
        if isinstance(config, yaml.MappingNode):
            for key, value in config.value:
                if key.value == name:
                    return key, value
        return None

    def _id(self, pointer: str, name: str | None = None) -> str:
        """A qualified name like the ids of code: the file as a module, then the JSON path to the
        component (``config`` levels left out); a participant is named by its ``name``."""
        parts = [part for part in pointer.split("/") if part and part != "config"]
        if name and len(parts) >= 2 and parts[-2] == "participants":
            parts[-2:] = [name]
        return ".".join([self.path.removesuffix(".json").replace("/", "."), *parts])

    def _name(self, node: yaml.Node) -> str | None:
        name = self._setting(node, "name")
        value = self._value(name[1]) if name else None
        return value if isinstance(value, str) else None

    # facts --------------------------------------------------------------------------------------
    def _agent(self, node: yaml.MappingNode, pointer: str) -> Agent:
        name = self._name(node)
        schema = self._setting(node, "structured_message_factory")
        return Agent(id=self._id(pointer, name), framework=FRAMEWORK, name=name,
                     location=self._anchor(node),
                     output_schema="structured_message_factory" if schema and self._value(schema[1]) else None,
                     limits={"max_tool_iterations": self._number(node, "max_tool_iterations", TOOL_ITERATIONS)})

    def _team(self, node: yaml.MappingNode, provider: str, pointer: str) -> Team:
        participants = self._setting(node, "participants")
        members = participants[1].value if participants and isinstance(participants[1], yaml.SequenceNode) else []
        agents = tuple(self._id(f"{pointer}/config/participants/{index}", self._name(member))
                       for index, member in enumerate(members)
                       if isinstance(member, yaml.MappingNode) and self._provider(member) == ASSISTANT)
        people = [self._name(member) or "user" for member in members
                  if isinstance(member, yaml.MappingNode) and self._provider(member) == USER_PROXY]
        condition = with_people(self._condition(node), people[0] if people else None)
        if provider == GRAPH_FLOW and condition.status is not BoundStatus.BOUNDED and not self._cyclic(node):
            condition = Bound.unknown("a `GraphFlow` ends when its graph has no next agent, and this graph has no cycle")
        label = self._value(_get(node, "label"))
        return Team(id=self._id(pointer), framework=FRAMEWORK, name=label if isinstance(label, str) else None,
                    location=self._anchor(node), agents=agents,
                    limits={"termination_condition": condition,
                            "max_turns": self._number(node, "max_turns", TURN_DEFAULTS.get(provider, NO_TURN_LIMIT))},
                    complete=len(agents) == len(members))

    def _number(self, node: yaml.Node, name: str, fallback: Bound) -> Bound:
        found = self._setting(node, name)
        if found is None:
            return fallback
        value = self._value(found[1])
        source = self._locate(*found)
        if value is None:
            return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT, detail=f"`\"{name}\": null`",
                         source=source)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, detail=f"`\"{name}\": {value}`",
                         value=float(value), source=source)
        return Bound.unknown(f"`\"{name}\"` is not a number")

    def _condition(self, node: yaml.Node) -> Bound:
        found = self._setting(node, "termination_condition")
        if found is None or self._value(found[1]) is None:
            return condition_bound(None, self._locate(*found) if found else None)
        return condition_bound(self._verdict(found[1]), self._locate(*found))

    def _verdict(self, node: yaml.Node, depth: int = 0) -> Verdict:
        provider = self._provider(node) if isinstance(node, yaml.MappingNode) else None
        if provider is None or depth > 16:
            return Verdict(UNKNOWN, detail="a termination condition could not be read")
        if provider in (AND, OR):
            found = self._setting(node, "conditions")
            parts = found[1].value if found and isinstance(found[1], yaml.SequenceNode) else []
            if not parts:
                return Verdict(UNKNOWN, detail=f"`{provider}` lists no conditions")
            verdicts = [self._verdict(part, depth + 1) for part in parts]
            return either(verdicts) if provider == OR else every(verdicts)
        name = provider.removeprefix(_CONDITIONS)
        if name == "TokenUsageTermination":
            limited = any(isinstance(self._value(found[1]), (int, float))
                          for limit in TOKEN_LIMITS if (found := self._setting(node, limit)))
            return leaf(name, bounding=True if limited else None)
        # Whoever loads the team can reach an ``ExternalTermination`` inside it: not decidable here.
        return leaf(name, bounding=None if name == "ExternalTermination" else True)

    def _cyclic(self, node: yaml.Node) -> bool:
        found = self._setting(node, "graph")
        graph = self._value(found[1]) if found else None
        nodes = graph.get("nodes") if isinstance(graph, dict) else None
        edges = nx.DiGraph()
        for name, spec in (nodes.items() if isinstance(nodes, dict) else ()):
            for edge in (spec.get("edges") or []) if isinstance(spec, dict) else []:
                if isinstance(edge, dict) and isinstance(edge.get("target"), str):
                    edges.add_edge(name, edge["target"])
        return not nx.is_directed_acyclic_graph(edges)


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value
    return None
