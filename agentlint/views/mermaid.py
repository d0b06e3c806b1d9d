"""Mermaid ``flowchart`` for GitHub Markdown: one subgraph per LangGraph graph, and the functions
that call HTTP/LLM clients with each call's time bound. Unbounded things are drawn in red."""

from __future__ import annotations

import re

from agentlint.graph import END, START, PipelineGraph
from agentlint.ir import BoundStatus, CallKind
from agentlint.views import GraphReport, agent_label, agent_runs, bound_label, coverage_lines, delegations, hop_label, team_label

_EDGE_STYLE = {"static": "-->", "conditional": "-.->", "command": "-.->", "send": "==>"}


def _id(*parts: str) -> str:
    return "n_" + re.sub(r"\W", "_", "_".join(parts))


def _label(text: str) -> str:
    """Quoted Mermaid label text: quotes and angle brackets as entities, so names never break syntax."""
    return '"' + text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def render(graph: PipelineGraph, report: GraphReport) -> str:
    lines = ["flowchart LR", "  classDef unbounded stroke:#d00,stroke-width:2px,color:#d00"]
    unbounded: list[str] = []
    declared: set[str] = set()

    def declare(line: str) -> None:
        if line not in declared:
            declared.add(line)
            lines.append(line)

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
    drawn: set[str] = set()
    for team in graph.teams:
        lines.append(f"  subgraph {_id(team.id)}[{_label(team_label(team))}]")
        for task in graph.tasks:
            if task.id in team.tasks:
                agent = graph.agent(task.agent)
                role = f" ({agent.name})" if agent and agent.name else ""
                lines.append(f"    {_id(task.id)}[{_label((task.name or task.id) + role)}]")
        if not team.tasks:
            for member in team.agents:
                agent = graph.agent(member)
                drawn.add(agent.id if agent else member)
                lines.append(f"    {_id(agent.id if agent else member)}[{_label(agent_label(agent) if agent else member)}]")
        lines.append("  end")
    for agent in graph.agents:
        if agent.framework != "crewai" and agent.id not in drawn:
            lines.append(f"  {_id(agent.id)}[{_label(agent_label(agent))}]")
        for delegate in agent.delegates:
            target = graph.agent(delegate)
            lines.append(f"  {_id(agent.id)} -.->|{_label('delegates')}| {_id(target.id if target else delegate)}")
    for hop in graph.hops():
        style = "-->" if hop.mechanism in ("task-context", "run-output") else "-.->"
        lines.append(f"  {_id(hop.producer)} {style}|{_label(hop_label(hop))}| {_id(hop.consumer)}")
    for parent, child, label, own_budget in delegations(graph):
        lines.append(f"  {_id(parent)} {'==>' if own_budget else '-.->'}|{_label(label)}| {_id(child)}")
    for fan_out in (item for fragment in report.fragments for item in fragment.fan_outs):
        width = {BoundStatus.UNBOUNDED: "over data", BoundStatus.BOUNDED: "fixed", BoundStatus.UNKNOWN: "unknown"}
        cap = "cap: " + (fan_out.cap.detail if fan_out.cap.status is BoundStatus.BOUNDED else "NONE")
        node = _id("fanout", fan_out.id, str(fan_out.location.start.row))
        declare(f"  {_id('scope', fan_out.scope)}[{_label(fan_out.scope)}]")
        lines.append(f"  {node}{{{{{_label(fan_out.mechanism + ' ' + width[fan_out.width] + ', ' + cap)}}}}}")
        lines.append(f"  {_id('scope', fan_out.scope)} ==> {node}")
        if fan_out.cap.status is not BoundStatus.BOUNDED and fan_out.width is BoundStatus.UNBOUNDED:
            unbounded.append(node)
    for client in graph.clients:
        cid = _id("client", client.id)
        lines.append(f"  {cid}[({_label(f'{client.kind} {client.id} timeout: {bound_label(client.timeout)}')})]")
        if client.timeout.status is BoundStatus.UNBOUNDED:
            unbounded.append(cid)
    for scope, target, label in agent_runs(graph):
        declare(f"  {_id('scope', scope)}[{_label(scope)}]")
        lines.append(f"  {_id('scope', scope)} -->|{_label(label)}| {_id(target)}")
    for call in graph.calls():
        if call.kind is CallKind.AGENT:
            continue
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
