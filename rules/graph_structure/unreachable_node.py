from collections.abc import Iterator

import networkx as nx

from agentlint.findings import Finding, Severity
from agentlint.graph import START, PipelineGraph
from agentlint.rule import GraphRule


class UnreachableNode(GraphRule):
    """
    ## What it does
    Reports a node of a LangGraph graph that no path from `START` reaches, through static edges,
    conditional edges, `Command(goto=...)` or `Send`.

    ## Why is this bad?
    An agent that is added but never reached is usually a wiring mistake: the validation or review step
    the author meant to run between two agents is silently skipped, and the pipeline still "works".

    ## Example
    ```python
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph


    class State(TypedDict):
        draft: str


    def write(state: State) -> dict:
        return {"draft": "text"}


    def check(state: State) -> dict:
        return {"draft": state["draft"].strip()}


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_node("check", check)
    builder.add_edge(START, "write")
    builder.add_edge("write", END)
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


    def check(state: State) -> dict:
        return {"draft": state["draft"].strip()}


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_node("check", check)
    builder.add_edge(START, "write")
    builder.add_edge("write", "check")
    builder.add_edge("check", END)
    graph = builder.compile()
    ```

    ## Known problems
    Checked only when the whole graph is readable: every builder call, and every router's return
    values (or an explicit path map).
    """

    code = "AGL602"
    name = "unreachable-node"
    summary = "graph node that no path from START reaches"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for pipeline in graph.graphs:
            routes = graph.routes(pipeline)
            if not graph.routes_known(pipeline) or START not in routes:
                continue
            reachable = nx.descendants(routes, START)
            for node in pipeline.nodes:
                if node.name not in reachable:
                    yield self.finding(
                        node.location,
                        f"node `{node.name}` of graph `{pipeline.id}` is never reached from `START`",
                        fix_title=f"Add an edge into `{node.name}`, or remove it",
                        anchor=f"{pipeline.id}:{node.name}",
                    )
