"""Mermaid ``flowchart`` for GitHub Markdown: one subgraph per LangGraph graph, and the functions
that call HTTP/LLM clients with each call's time bound. Unbounded things are drawn in red."""

from __future__ import annotations

import re

from agentlint.graph import END, START, PipelineGraph
from agentlint.ir import BoundStatus
from agentlint.views import GraphReport, bound_label, coverage_lines

_EDGE_STYLE = {"static": "-->", "conditional": "-.->", "command": "-.->", "send": "==>"}


def _id(*parts: str) -> str:
    return "n_" + re.sub(r"\W", "_", "_".join(parts))


def _label(text: str) -> str:
    """Quoted Mermaid label text: quotes and angle brackets as entities, so names never break syntax."""
    return '"' + text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def render(graph: PipelineGraph, report: GraphReport) -> str:
    lines = ["flowchart LR", "  classDef unbounded stroke:#d00,stroke-width:2px,color:#d00"]
    for fragment in report.fragments:
        for pipeline in fragment.graphs:
            gid = _id(pipeline.id)
            lines.append(f"  subgraph {gid}[{_label('graph ' + pipeline.id)}]")
            lines.append(f"    {_id(pipeline.id, START)}(({_label('START')}))")
            lines.append(f"    {_id(pipeline.id, END)}(({_label('END')}))")
            for node in pipeline.nodes:
                lines.append(f"    {_id(pipeline.id, node.name)}[{_label(node.name)}]")
            for source, target, data in graph.routes(pipeline).edges(data=True):
                label = "" if data["kind"] == "static" else f"|{_label(data['kind'])}|"
                lines.append(f"    {_id(pipeline.id, source)} {_EDGE_STYLE[data['kind']]}{label} {_id(pipeline.id, target)}")
            lines.append("  end")
    for team in graph.teams:
        lines.append(f"  subgraph {_id(team.id)}[{_label('crew ' + team.id)}]")
        for task in graph.tasks:
            if task.id in team.tasks:
                agent = graph.agent(task.agent)
                role = f" ({agent.name})" if agent and agent.name else ""
                lines.append(f"    {_id(task.id)}[{_label((task.name or task.id) + role)}]")
        lines.append("  end")
    for hop in graph.hops():
        label = {True: f"validated: {hop.validated_by}", False: "UNVALIDATED", None: "unknown"}[hop.validated]
        style = "-->" if hop.mechanism == "task-context" else "-.->"
        lines.append(f"  {_id(hop.producer)} {style}|{_label(label)}| {_id(hop.consumer)}")
    unbounded: list[str] = []
    declared: set[str] = set()

    def declare(line: str) -> None:
        if line not in declared:
            declared.add(line)
            lines.append(line)

    for client in graph.clients:
        cid = _id("client", client.id)
        lines.append(f"  {cid}[({_label(f'{client.kind} {client.id} timeout: {bound_label(client.timeout)}')})]")
        if client.timeout.status is BoundStatus.UNBOUNDED:
            unbounded.append(cid)
    for call in graph.calls():
        caller = _id("scope", call.scope)
        declare(f"  {caller}[{_label(call.scope)}]")
        target = _id("client", call.client) if call.client else _id("service", call.target)
        if not call.client:
            declare(f"  {target}{{{{{_label(call.target)}}}}}")
        lines.append(f"  {caller} -->|{_label(call.target.rsplit('.', 1)[-1] + ' ' + bound_label(call.timeout))}| {target}")
    if unbounded:
        lines.append(f"  class {','.join(dict.fromkeys(unbounded))} unbounded")
    lines += [f"  %% {line}" for line in coverage_lines(report.coverage)]
    return "\n".join(lines) + "\n"
