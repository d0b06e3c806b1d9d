"""What the team termination rules share: how a team stops, how it is named in a message, and where it runs."""

from __future__ import annotations

from collections.abc import Iterator

from agentlint.findings import Finding, Location, RelatedLocation
from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Team
from agentlint.rule import GraphRule


class TeamStopRule(GraphRule):
    """A rule about teams whose turn limit leaves them unbounded (no ``max_turns``, or ``None``):
    subclasses say which termination conditions they report and how."""

    fix: str

    def reports(self, condition: Bound) -> bool:
        raise NotImplementedError

    def primary(self, team: Team, condition: Bound) -> Location:
        raise NotImplementedError

    def message(self, team: str, condition: Bound, turns: str) -> str:
        raise NotImplementedError

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for team in graph.teams:
            condition, turns = team.limits.get("termination_condition"), team.limits.get("max_turns")
            if (condition is None or turns is None or turns.status is not BoundStatus.UNBOUNDED
                    or not self.reports(condition)):
                continue
            missing = "sets `max_turns=None`" if turns.source is not None else "sets no `max_turns`"
            yield self.finding(self.primary(team, condition), self.message(describe(graph, team), condition, missing),
                               related=run_sites(graph, team), fix_title=self.fix, anchor=team.id)


def describe(graph: PipelineGraph, team: Team) -> str:
    """``team `research` (`writer`, `critic`)``: the team and its participants by name."""
    name = team.name or team.id.rsplit(".", 1)[-1]
    if name.startswith("<"):  # an unnamed team, ``<RoundRobinGroupChat:29>``
        kind, _, row = name.strip("<>").partition(":")
        return f"`{kind}` team on line {row}" + _members(graph, team)
    return f"team `{name}`" + _members(graph, team)


def _members(graph: PipelineGraph, team: Team) -> str:
    members = []
    for member in team.agents:
        agent = graph.agent(member)
        members.append(f"`{(agent.name if agent and agent.name else None) or member.rsplit('.', 1)[-1]}`")
    return f" ({', '.join(members)})" if members else ""


def run_sites(graph: PipelineGraph, team: Team) -> list[RelatedLocation]:
    return [RelatedLocation(location=run.location, message=f"the team runs here (`{run.method}`)")
            for fragment in graph.fragments for run in fragment.run_sites
            if run.framework == team.framework and team.id in (run.target, graph.resolve(run.target))]
