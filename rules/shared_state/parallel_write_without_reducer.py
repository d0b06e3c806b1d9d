from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import END, PipelineGraph
from agentlint.ir import Graph, GraphNode
from agentlint.rule import GraphRule


class ParallelWriteWithoutReducer(GraphRule):
    """
    ## What it does
    Reports a LangGraph state key that two nodes running in the same superstep both write, when the
    key has no reducer: siblings fanned out by static edges from one node (or from `START`), and a
    node fanned out with a list of `Send`s, which runs once per `Send` in the same step.

    ## Why is this bad?
    A key without a reducer is a `LastValue` channel: it accepts one write per step. When two agents
    write it in the same step, LangGraph stops the run with `InvalidUpdateError` (error code
    `INVALID_CONCURRENT_GRAPH_UPDATE`), and in frameworks without that check one agent's result silently
    overwrites the other's.

    ## Example
    ```python
    from typing import TypedDict

    from langgraph.graph import START, StateGraph


    class State(TypedDict):
        question: str
        results: list


    def search_web(state: State) -> dict:
        return {"results": ["web hit"]}


    def search_docs(state: State) -> dict:
        return {"results": ["doc hit"]}


    builder = StateGraph(State)
    builder.add_node("search_web", search_web)
    builder.add_node("search_docs", search_docs)
    builder.add_edge(START, "search_web")
    builder.add_edge(START, "search_docs")
    graph = builder.compile()
    ```

    Use instead:
    ```python
    import operator
    from typing import Annotated, TypedDict

    from langgraph.graph import START, StateGraph


    class State(TypedDict):
        question: str
        results: Annotated[list, operator.add]


    def search_web(state: State) -> dict:
        return {"results": ["web hit"]}


    def search_docs(state: State) -> dict:
        return {"results": ["doc hit"]}


    builder = StateGraph(State)
    builder.add_node("search_web", search_web)
    builder.add_node("search_docs", search_docs)
    builder.add_edge(START, "search_web")
    builder.add_edge(START, "search_docs")
    graph = builder.compile()
    ```

    ## Known problems
    The keys a node writes are read from the dict literals (or `Command(update=...)`) it returns; a node
    that builds its update some other way, a node that is not a plain function, or a state schema
    agentlint cannot find (defined in a file it did not parse) keeps the rule quiet. Nodes two static
    edges apart are not considered concurrent, and neither are the branches of a conditional edge.
    """

    code = "AGL401"
    name = "parallel-write-without-reducer"
    summary = "state key written by concurrent nodes without a reducer"
    severity = Severity.ERROR

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for pipeline in graph.graphs:
            schema = graph.state_keys(pipeline.state)
            if schema is None:
                continue
            keys, _ = schema
            nodes = {node.name: node for node in pipeline.nodes}
            reported: set[str] = set()
            for trigger, members in _concurrent_groups(graph, pipeline):
                writers: dict[str, list[GraphNode]] = {}
                for member in members:
                    node = nodes.get(member)
                    facts = graph.function(node.function) if node else None
                    for key in facts.writes.keys if facts else ():
                        writers.setdefault(key, []).append(node)  # type: ignore[arg-type]
                for key, nodes_writing in writers.items():
                    state_key = keys.get(key)
                    if state_key is None or state_key.reducer is not None or key in reported:
                        continue
                    if len(nodes_writing) < 2:
                        continue
                    reported.add(key)
                    yield self._finding(pipeline, key, state_key.location, nodes_writing, trigger)

    def _finding(self, pipeline: Graph, key: str, location, writers: list[GraphNode], trigger: str) -> Finding:  # type: ignore[no-untyped-def]
        names = sorted({node.name for node in writers})
        who = " and ".join(f"`{name}`" for name in names) if len(names) > 1 else f"every `{names[0]}` branch"
        return self.finding(
            location,
            f"state key `{key}` of graph `{pipeline.id}` is written by {who}, which run in the same step "
            f"({trigger}), and has no reducer: LangGraph raises `InvalidUpdateError`",
            related=[RelatedLocation(location=node.location, message=f"node `{node.name}` writes `{key}`")
                     for node in writers],
            fix_title=f"Give `{key}` a reducer, e.g. `Annotated[list, operator.add]`, or write it from one node",
            anchor=f"{pipeline.id}:{key}",
        )


def _concurrent_groups(graph: PipelineGraph, pipeline: Graph) -> Iterator[tuple[str, list[str]]]:
    """Node sets that run in one superstep: static siblings, and a ``Send`` target with itself."""
    routes = graph.routes(pipeline)
    for source in sorted(routes.nodes):
        static = sorted({target for _, target, kind in routes.out_edges(source, data="kind")
                         if kind == "static" and target != END})
        if len(static) >= 2:
            yield f"both follow `{source}`", static
        for _, target, data in routes.out_edges(source, data=True):
            if data["kind"] == "send" and data["many"]:
                yield f"`{source}` fans out to `{target}` with one `Send` per item", [target, target]
