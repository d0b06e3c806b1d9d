from collections.abc import Iterator

import networkx as nx

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import END, PipelineGraph
from agentlint.ir import BoundStatus, Graph, Provenance
from agentlint.rule import GraphRule, Precision

LANGGRAPH_DEFAULT_RECURSION_LIMIT = 10007


class UnboundedGraphCycle(GraphRule):
    """
    ## What it does
    Reports a run of a LangGraph graph that contains a cycle whose only way out is a conditional edge
    the model decides (the router checks the model's output, not a counter, a length or LangGraph's
    `remaining_steps`), when the run sets no explicit `recursion_limit`. Prebuilt tool-calling agents
    (`create_react_agent`, `langchain.agents.create_agent`) are such a loop (model ⇄ tools until the
    model stops calling tools) unless `ModelCallLimitMiddleware`/`ToolCallLimitMiddleware` caps them.

    ## Why is this bad?
    A reviewer/critic loop that ends when the model says "approved" may never end: the model keeps
    asking for one more revision, and every lap costs model calls. LangGraph's default recursion limit
    is 10007 supersteps (it was 25 before 1.0.6), so without an explicit limit the loop runs for
    thousands of paid steps before anything stops it.

    ## Example
    ```python
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph


    class State(TypedDict):
        draft: str


    def write(state: State) -> dict:
        return {"draft": state["draft"] + "."}


    def review(state: State) -> str:
        return END if "APPROVED" in state["draft"] else "write"


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_edge(START, "write")
    builder.add_conditional_edges("write", review, ["write", END])
    graph = builder.compile()
    graph.invoke({"draft": ""})
    ```

    Use instead:
    ```python
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph


    class State(TypedDict):
        draft: str


    def write(state: State) -> dict:
        return {"draft": state["draft"] + "."}


    def review(state: State) -> str:
        return END if "APPROVED" in state["draft"] else "write"


    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_edge(START, "write")
    builder.add_conditional_edges("write", review, ["write", END])
    graph = builder.compile()
    graph.invoke({"draft": ""}, {"recursion_limit": 25})
    ```

    ## Known problems
    A router counts as externally bounded when it compares against a number or a `len(...)`, or reads a
    counter-like name (`attempts`, `remaining_steps`, `max_revisions`...); that is generous on purpose.
    The rule needs to see the graph whole (every `add_node`/`add_edge` readable, every router's return
    values readable) and at least one run site, in any module: through the compiled graph's name or a
    parameterless factory that returns it (`build_graph().invoke(...)`), or the runs of a graph
    that uses it as a node (a subgraph runs under its parent's config, recursion limit included);
    a factory that takes arguments is not followed across modules. A graph run only by LangGraph Platform from
    `langgraph.json`, or invoked with a config agentlint cannot resolve, is not reported. A
    `LANGGRAPH_DEFAULT_RECURSION_LIMIT` below LangGraph's default set in a `.env` file, a Dockerfile
    (`ENV`), a compose file or `langgraph.json`'s `env`, in a directory that holds checked files,
    bounds every run that sets no limit of its own; one set elsewhere (a CI secret, a Helm chart, a
    shell) is not seen, and two files that disagree count as unknown.
    """

    code = "AGL501"
    name = "unbounded-graph-cycle"
    summary = "graph loop that only the model can end, run without a recursion limit"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # heuristics decide what counts as a bound; see Known problems

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for pipeline in graph.graphs:
            if not graph.routes_known(pipeline):
                continue
            loop = _model_decided_loop(graph, pipeline)
            if loop is None:
                continue
            members, deciders = loop
            cycle = " → ".join(members + members[:1])
            for run in graph.run_sites(pipeline):
                limit = run.limits.get("recursion_limit")
                if limit is not None and not (limit.status is BoundStatus.UNBOUNDED
                                              and limit.provenance is Provenance.EXPLICIT):
                    continue
                if limit is None and _deployment_limit(graph) is not None:
                    continue
                routers = " or ".join(f"`{name}`" for name, _ in deciders)
                ends = f"until {routers} decides to stop" if deciders else "with no way out"
                yield self.finding(
                    run.location,
                    f"graph `{pipeline.id}` loops `{cycle}` {ends}, and this `{run.method}` sets no "
                    f"`recursion_limit` (LangGraph allows {LANGGRAPH_DEFAULT_RECURSION_LIMIT} steps)",
                    related=[RelatedLocation(location=location, message=f"the loop's exit is decided by `{name}`")
                             for name, location in deciders],
                    fix_title='Pass a run config with an explicit limit, e.g. `{"recursion_limit": 25}`, '
                              "or count laps in state and route to END",
                    anchor=f"{pipeline.id}:{run.id}",
                )


def _deployment_limit(graph: PipelineGraph) -> int | None:
    """The default the deployment sets with ``LANGGRAPH_DEFAULT_RECURSION_LIMIT`` (in a ``.env``, a
    Dockerfile, a compose file or ``langgraph.json``), when it is below LangGraph's own."""
    setting = graph.environment.get("LANGGRAPH_DEFAULT_RECURSION_LIMIT")
    if setting is None or not isinstance(setting.value, int) or setting.value >= LANGGRAPH_DEFAULT_RECURSION_LIMIT:
        return None
    return setting.value


def _model_decided_loop(graph: PipelineGraph, pipeline: Graph):  # type: ignore[no-untyped-def]
    """The first cycle whose exits are all decided by routers without an external bound: its members
    in order, and (router name, location) for each exit decision."""
    routes = graph.routes(pipeline)
    simple = nx.DiGraph((source, target) for source, target, kind in routes.edges(data="kind"))
    conditionals = {conditional.source: conditional for conditional in pipeline.conditional}
    node_functions = {node.name: graph.function(node.function) for node in pipeline.nodes}
    for component in sorted(nx.strongly_connected_components(simple), key=sorted):
        members = sorted(component)
        if len(members) == 1 and not simple.has_edge(members[0], members[0]):
            continue
        deciders = []
        for member in members:
            facts = node_functions.get(member)
            if facts is not None and any(target not in component for target in facts.command_gotos):
                break  # a node leaves the loop with ``Command(goto=...)``: its own logic, not judged here
            conditional = conditionals.get(member)
            if conditional is None:
                continue
            router = graph.function(conditional.router)
            leaves = any(target not in component for _, target in simple.out_edges(member)) or any(
                target == END for _, target in simple.out_edges(member))
            if not leaves:
                continue
            if router is None or router.router is None or router.router.external_exit:
                break
            deciders.append((router.id.rsplit(".", 1)[-1], router.router.location))
        else:
            cycle = nx.find_cycle(simple.subgraph(component))
            return [edge[0] for edge in cycle], deciders
    return None
