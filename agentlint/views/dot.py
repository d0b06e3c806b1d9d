"""Graphviz dot: the same picture as the Mermaid view, for tools that take dot."""

from __future__ import annotations

import json

from agentlint.graph import END, START, PipelineGraph
from agentlint.ir import BoundStatus, CallKind
from agentlint.views import GraphReport, agent_label, agent_runs, bound_label, coverage_lines, delegations, hop_label, team_label

_EDGE_STYLE = {"static": "solid", "conditional": "dashed", "command": "dashed", "send": "bold"}


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid dot quoted ID, escapes included


def render(graph: PipelineGraph, report: GraphReport) -> str:
    lines = ["digraph agentlint {", "  rankdir=LR;", "  node [shape=box];"]
    declared: set[str] = set()

    def declare(line: str) -> None:
        if line not in declared:
            declared.add(line)
            lines.append(line)

    for index, fragment_graph in enumerate(p for f in report.fragments for p in f.graphs):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_q('graph ' + fragment_graph.id)};")
        for name in (START, END):
            lines.append(f"    {_q(fragment_graph.id + ':' + name)} [label={_q(name)}, shape=ellipse];")
        for node in fragment_graph.nodes:
            lines.append(f"    {_q(fragment_graph.id + ':' + node.name)} [label={_q(node.name)}];")
        for source, target, data in graph.routes(fragment_graph).edges(data=True):
            lines.append(f"    {_q(fragment_graph.id + ':' + source)} -> {_q(fragment_graph.id + ':' + target)} "
                         f"[style={_EDGE_STYLE[data['kind']]}, label={_q('' if data['kind'] == 'static' else data['kind'])}];")
        lines.append("  }")
    drawn: set[str] = set()
    for index, team in enumerate(graph.teams):
        lines.append(f"  subgraph cluster_team_{index} {{")
        lines.append(f"    label={_q(team_label(team))};")
        for task in graph.tasks:
            if task.id in team.tasks:
                lines.append(f"    {_q(task.id)} [label={_q(task.name or task.id)}];")
        if not team.tasks:
            for member in team.agents:
                agent = graph.agent(member)
                drawn.add(agent.id if agent else member)
                lines.append(f"    {_q(agent.id if agent else member)} [label={_q(agent_label(agent) if agent else member)}];")
        lines.append("  }")
    for agent in graph.agents:
        if agent.framework != "crewai" and agent.id not in drawn:
            lines.append(f"  {_q(agent.id)} [label={_q(agent_label(agent))}];")
        for delegate in agent.delegates:
            target = graph.agent(delegate)
            lines.append(f"  {_q(agent.id)} -> {_q(target.id if target else delegate)} [style=dashed, label=\"delegates\"];")
    for hop in graph.hops():
        color = "red" if hop.validated is False else "black"
        lines.append(f"  {_q(hop.producer)} -> {_q(hop.consumer)} [label={_q(hop_label(hop))}, color={color}];")
    for parent, child, label, own_budget in delegations(graph):
        lines.append(f"  {_q(parent)} -> {_q(child)} [label={_q(label)}, color={'red' if own_budget else 'black'}];")
    for fan_out in (item for fragment in report.fragments for item in fragment.fan_outs):
        capped = fan_out.cap.status is BoundStatus.BOUNDED
        label = f"{fan_out.mechanism}\nwidth: {fan_out.width.value}\ncap: {fan_out.cap.detail if capped else 'NONE'}"
        node = f"fanout:{fan_out.id}:{fan_out.location.start.row}"
        color = "red" if not capped and fan_out.width is BoundStatus.UNBOUNDED else "black"
        declare(f"  {_q('scope:' + fan_out.scope)} [label={_q(fan_out.scope)}];")
        lines.append(f"  {_q(node)} [label={_q(label)}, shape=hexagon, color={color}];")
        lines.append(f"  {_q('scope:' + fan_out.scope)} -> {_q(node)} [style=bold];")
    for client in graph.clients:
        color = "red" if client.timeout.status is BoundStatus.UNBOUNDED else "black"
        label = f"{client.kind}\n{client.id}\ntimeout: {bound_label(client.timeout)}"
        lines.append(f"  {_q('client:' + client.id)} [label={_q(label)}, shape=cylinder, color={color}];")
    for scope, target, label in agent_runs(graph):
        declare(f"  {_q('scope:' + scope)} [label={_q(scope)}];")
        lines.append(f"  {_q('scope:' + scope)} -> {_q(target)} [label={_q(label)}];")
    for call in graph.calls():
        if call.kind is CallKind.AGENT:
            continue
        target = "client:" + call.client if call.client else "service:" + call.target
        if not call.client:
            declare(f"  {_q(target)} [label={_q(call.target)}, shape=hexagon];")
        color = "red" if call.timeout.status is BoundStatus.UNBOUNDED else "black"
        declare(f"  {_q('scope:' + call.scope)} [label={_q(call.scope)}];")
        lines.append(f"  {_q('scope:' + call.scope)} -> {_q(target)} "
                     f"[label={_q(call.target.rsplit('.', 1)[-1] + ' ' + bound_label(call.timeout))}, color={color}];")
    lines += [f"  // {line}" for line in coverage_lines(report.coverage)]
    lines.append("}")
    return "\n".join(lines) + "\n"
