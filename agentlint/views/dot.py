"""Graphviz dot: the same picture as the Mermaid view, for tools that take dot."""

from __future__ import annotations

import json

from agentlint.graph import END, START, PipelineGraph
from agentlint.ir import BoundStatus
from agentlint.views import GraphReport, bound_label, coverage_lines

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
    for index, team in enumerate(graph.teams):
        lines.append(f"  subgraph cluster_crew_{index} {{")
        lines.append(f"    label={_q('crew ' + team.id)};")
        for task in graph.tasks:
            if task.id in team.tasks:
                lines.append(f"    {_q(task.id)} [label={_q(task.name or task.id)}];")
        lines.append("  }")
    for hop in graph.hops():
        label = {True: f"validated: {hop.validated_by}", False: "UNVALIDATED", None: "unknown"}[hop.validated]
        color = "red" if hop.validated is False else "black"
        lines.append(f"  {_q(hop.producer)} -> {_q(hop.consumer)} [label={_q(label)}, color={color}];")
    for client in graph.clients:
        color = "red" if client.timeout.status is BoundStatus.UNBOUNDED else "black"
        label = f"{client.kind}\n{client.id}\ntimeout: {bound_label(client.timeout)}"
        lines.append(f"  {_q('client:' + client.id)} [label={_q(label)}, shape=cylinder, color={color}];")
    for call in graph.calls():
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
