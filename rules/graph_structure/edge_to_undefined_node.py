from collections.abc import Iterator

from agentlint.findings import Finding, Severity
from agentlint.graph import END, START, PipelineGraph
from agentlint.rule import GraphRule


class EdgeToUndefinedNode(GraphRule):
    """
    ## What it does
    Reports an edge of a LangGraph graph (a static edge, a conditional edge's path map, a name a router
    returns, a `Command(goto=...)` or a `Send`) that names a node the graph never adds.

    ## Why is this bad?
    Static edges to an unknown node fail at `compile()`; a router, `Command` or `Send` naming one fails
    only when that branch is taken at run time, typically on the rare path nobody tested, after the
    earlier agents have already spent their calls.

    ## Example
    ```python
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph


    class State(TypedDict):
        draft: str


    def write(state: State) -> dict:
        return {"draft": "text"}


    def route(state: State) -> str:
        return "reviewer" if len(state["draft"]) > 100 else END


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_edge(START, "write")
    builder.add_conditional_edges("write", route)
    graph = builder.compile()
    ```

    Use instead:
    ```python
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph


    class State(TypedDict):
        draft: str


    def write(state: State) -> dict:
        return {"draft": "text"}


    def review(state: State) -> dict:
        return {"draft": state["draft"].strip()}


    def route(state: State) -> str:
        return "reviewer" if len(state["draft"]) > 100 else END


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_node("reviewer", review)
    builder.add_edge(START, "write")
    builder.add_conditional_edges("write", route)
    builder.add_edge("reviewer", END)
    graph = builder.compile()
    ```

    ## Known problems
    Only graphs whose every `add_node` call agentlint can read are checked (no nodes added in loops or
    helpers), and a router's targets are known only when it returns literals or `END`.
    """

    code = "AGL601"
    name = "edge-to-undefined-node"
    summary = "graph edge to a node that is never added"
    severity = Severity.ERROR

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for pipeline in graph.graphs:
            if not pipeline.complete:
                continue
            defined = {node.name for node in pipeline.nodes} | {START, END}
            seen: set[tuple[str, str]] = set()
            for source, target, data in sorted(graph.routes(pipeline).edges(data=True),
                                               key=lambda edge: (edge[2]["location"].start.row, edge[0], edge[1])):
                for name in (source, target):
                    if name in defined or (name, data["kind"]) in seen:
                        continue
                    seen.add((name, data["kind"]))
                    yield self.finding(
                        data["location"],
                        f"graph `{pipeline.id}` has a {data['kind']} edge `{source}` → `{target}`, but no node "
                        f"`{name}` is added",
                        fix_title=f"Add the node `{name}` or fix the name",
                        anchor=f"{pipeline.id}:{source}->{target}",
                    )
