"""``agentlint graph``: the extracted pipeline as data (JSON, round-trippable through ``GraphReport``)
or as a picture (Mermaid for GitHub Markdown, Graphviz dot), ending with what was not understood."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from agentlint.graph import PipelineGraph
from agentlint.ir import Agent, Bound, BoundStatus, CallKind, Fragment, Hop, Provenance, Team


class Coverage(BaseModel):
    """How much of the project agentlint understood; ``unknown_values`` counts limits (timeouts,
    recursion limits, caps) it found but could not resolve, where rules stayed quiet."""

    model_config = ConfigDict(frozen=True)

    files: int
    files_with_facts: int
    agents: int
    tasks: int
    teams: int
    teams_without_external_stop: int
    hops: int
    unvalidated_hops: int
    agent_runs: int
    fan_outs: int
    loops: int
    clients: int
    calls: int
    graphs: int
    graph_nodes: int
    incomplete_graphs: int
    run_sites: int
    unknown_values: int


class GraphReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    fragments: tuple[Fragment, ...]
    coverage: Coverage


def _has_facts(fragment: Fragment) -> bool:
    return bool(fragment.clients or fragment.calls or fragment.graphs or fragment.run_sites or fragment.schemas
                or fragment.agents or fragment.tasks or fragment.teams or fragment.flows or fragment.config_entries
                or fragment.retries or fragment.fan_outs or fragment.loops or fragment.hops or fragment.delegations)


def build_report(graph: PipelineGraph, files: int, version: str) -> GraphReport:
    fragments = tuple(fragment for fragment in graph.fragments if _has_facts(fragment))
    bounds: list[Bound] = [client.timeout for fragment in fragments for client in fragment.clients]
    calls = list(graph.calls())
    bounds += [call.timeout for call in calls]
    bounds += [limit for fragment in fragments for run in fragment.run_sites for limit in run.limits.values()]
    bounds += [limit for agent in graph.agents for limit in agent.limits.values()]
    bounds += [limit for team in graph.teams for limit in team.limits.values()]
    graphs = [pipeline for fragment in fragments for pipeline in fragment.graphs]
    return GraphReport(
        version=version,
        fragments=fragments,
        coverage=Coverage(
            files=files,
            files_with_facts=len(fragments),
            agents=len(graph.agents),
            tasks=len(graph.tasks),
            teams=len(graph.teams),
            teams_without_external_stop=sum(termination_label(team) in ("none", "self-decided") for team in graph.teams),
            hops=len(hops := graph.hops()),
            unvalidated_hops=sum(hop.validated is False for hop in hops),
            agent_runs=sum(call.kind is CallKind.AGENT for call in calls),
            fan_outs=sum(len(fragment.fan_outs) for fragment in fragments),
            loops=sum(len(fragment.loops) for fragment in fragments),
            clients=sum(len(fragment.clients) for fragment in fragments),
            calls=len(calls),
            graphs=len(graphs),
            graph_nodes=sum(len(pipeline.nodes) for pipeline in graphs),
            incomplete_graphs=sum(not graph.routes_known(pipeline) for pipeline in graphs),
            run_sites=sum(len(fragment.run_sites) for fragment in fragments),
            unknown_values=sum(bound.status is BoundStatus.UNKNOWN for bound in bounds),
        ),
    )


def bound_label(bound: Bound | None, unit: str = " s") -> str:
    if bound is None:
        return "not set"
    if bound.status is BoundStatus.BOUNDED:
        return f"{bound.value:g}{unit}" if bound.value is not None else "set"
    return "NONE" if bound.status is BoundStatus.UNBOUNDED else "unknown"


def termination_label(team: Team) -> str | None:
    """How a team stops, for pictures and the summary: ``None`` where the framework has no such idea
    (a CrewAI crew ends after its tasks)."""
    condition, turns = team.limits.get("termination_condition"), team.limits.get("max_turns")
    if condition is None and turns is None:
        return None
    if turns is not None and turns.status is BoundStatus.BOUNDED:
        return f"max_turns {turns.value:g}" if turns.value is not None else "max_turns"
    if condition is None or condition.status is BoundStatus.UNKNOWN:
        return "unknown"
    if condition.status is BoundStatus.BOUNDED:
        return condition.detail
    return "self-decided" if condition.provenance is not Provenance.DEFAULT else "none"


def team_label(team: Team) -> str:
    kind = "crew" if team.framework == "crewai" else f"{team.framework} team"
    details = [f"stop: {stop}"] if (stop := termination_label(team)) else []
    details += [f"{key} {bound_label(bound, unit='')}" for key, bound in sorted(team.limits.items())
                if key not in ("termination_condition", "max_turns")]
    return f"{kind} {team.name or team.id}" + (f" ({'; '.join(details)})" if details else "")


def agent_label(agent: Agent) -> str:
    name = agent.name or agent.id.rsplit(".", 1)[-1]
    limits = ", ".join(f"{key} {bound_label(bound, unit='')}" for key, bound in sorted(agent.limits.items()))
    schema = f"output: {agent.output_schema}" if agent.output_schema else "output: free text"
    return f"{agent.framework} agent {name} ({schema}{'; ' + limits if limits else ''})"


def agent_runs(graph: PipelineGraph) -> list[tuple[str, str, str]]:
    """(calling scope, id of the agent or team it runs, label with the run's limits) for each run an
    agent-framework adapter found whose target assembly knows."""
    found = []
    for fragment in graph.fragments:
        for run in fragment.run_sites:
            target = graph.agent(run.target) or graph.team(run.target)
            if run.framework is None or target is None:
                continue
            limits = ", ".join(f"{key} {bound_label(bound, unit='')}" for key, bound in sorted(run.limits.items()))
            found.append((run.id.split("->", 1)[0], target.id, f"{run.method}{' (' + limits + ')' if limits else ''}"))
    return found


def hop_label(hop: Hop) -> str:
    verdict = {True: f"validated: {hop.validated_by}", False: "UNVALIDATED", None: "unknown"}[hop.validated]
    return f"{hop.mechanism}, {verdict}"


def delegations(graph: PipelineGraph) -> list[tuple[str, str, str, bool]]:
    """(parent agent id, sub-agent id, label, whether the sub-run has a budget of its own) for each
    sub-agent run inside a tool whose two agents assembly knows."""
    found = []
    for delegation in graph.delegations:
        parent, child = graph.agent(delegation.parent), graph.agent(delegation.child)
        if parent is None or child is None:
            continue
        budget = {True: "shares the budget", False: "OWN BUDGET", None: "budget unknown"}[delegation.shares_budget]
        found.append((parent.id, child.id, f"runs it in tool {delegation.tool.rsplit('.', 1)[-1]}, {budget}",
                      delegation.shares_budget is False))
    return found


def coverage_lines(coverage: Coverage) -> list[str]:
    return [
        f"files: {coverage.files} ({coverage.files_with_facts} with pipeline facts)",
        f"agents: {coverage.agents}, tasks: {coverage.tasks}, teams: {coverage.teams} "
        f"({coverage.teams_without_external_stop} with no external stop), agent runs: {coverage.agent_runs}",
        f"hops: {coverage.hops} ({coverage.unvalidated_hops} unvalidated), fan-outs: {coverage.fan_outs}, "
        f"loops: {coverage.loops}",
        f"clients: {coverage.clients}, calls: {coverage.calls}",
        f"graphs: {coverage.graphs} ({coverage.graph_nodes} nodes, {coverage.incomplete_graphs} not fully readable), "
        f"run sites: {coverage.run_sites}",
        f"unknown values (rules stayed quiet): {coverage.unknown_values}",
    ]
