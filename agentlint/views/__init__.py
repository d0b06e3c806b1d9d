"""``agentlint graph``: the extracted pipeline as data (JSON, round-trippable through ``GraphReport``)
or as a picture (Mermaid for GitHub Markdown, Graphviz dot), ending with what was not understood."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Fragment


class Coverage(BaseModel):
    """How much of the project agentlint understood; ``unknown_values`` counts limits (timeouts,
    recursion limits, caps) it found but could not resolve, where rules stayed quiet."""

    model_config = ConfigDict(frozen=True)

    files: int
    files_with_facts: int
    agents: int
    tasks: int
    hops: int
    unvalidated_hops: int
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
                or fragment.retries or fragment.fan_outs or fragment.loops)


def build_report(graph: PipelineGraph, files: int, version: str) -> GraphReport:
    fragments = tuple(fragment for fragment in graph.fragments if _has_facts(fragment))
    bounds: list[Bound] = [client.timeout for fragment in fragments for client in fragment.clients]
    calls = list(graph.calls())
    bounds += [call.timeout for call in calls]
    bounds += [limit for fragment in fragments for run in fragment.run_sites for limit in run.limits.values()]
    graphs = [pipeline for fragment in fragments for pipeline in fragment.graphs]
    return GraphReport(
        version=version,
        fragments=fragments,
        coverage=Coverage(
            files=files,
            files_with_facts=len(fragments),
            agents=len(graph.agents),
            tasks=len(graph.tasks),
            hops=len(hops := graph.hops()),
            unvalidated_hops=sum(hop.validated is False for hop in hops),
            clients=sum(len(fragment.clients) for fragment in fragments),
            calls=len(calls),
            graphs=len(graphs),
            graph_nodes=sum(len(pipeline.nodes) for pipeline in graphs),
            incomplete_graphs=sum(not graph.routes_known(pipeline) for pipeline in graphs),
            run_sites=sum(len(graph.run_sites(pipeline)) for pipeline in graphs),
            unknown_values=sum(bound.status is BoundStatus.UNKNOWN for bound in bounds),
        ),
    )


def bound_label(bound: Bound | None) -> str:
    if bound is None:
        return "not set"
    if bound.status is BoundStatus.BOUNDED:
        return f"{bound.value:g} s" if bound.value is not None else "set"
    return "NONE" if bound.status is BoundStatus.UNBOUNDED else "unknown"


def coverage_lines(coverage: Coverage) -> list[str]:
    return [
        f"files: {coverage.files} ({coverage.files_with_facts} with pipeline facts)",
        f"agents: {coverage.agents}, tasks: {coverage.tasks}, hops: {coverage.hops} ({coverage.unvalidated_hops} unvalidated)",
        f"clients: {coverage.clients}, calls: {coverage.calls}",
        f"graphs: {coverage.graphs} ({coverage.graph_nodes} nodes, {coverage.incomplete_graphs} not fully readable), "
        f"run sites: {coverage.run_sites}",
        f"unknown values (rules stayed quiet): {coverage.unknown_values}",
    ]
