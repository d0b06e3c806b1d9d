from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus
from agentlint.python.langgraph import ASYNC_RUN_METHODS
from agentlint.rule import GraphRule


class SendFanOutWithoutCap(GraphRule):
    """
    ## What it does
    Reports a LangGraph router that returns one `Send` per item of a list from the state (a map step)
    without slicing it, when the graph is run asynchronously (`ainvoke`, `astream`, `abatch`) without
    `max_concurrency` in the run config.

    ## Why is this bad?
    Every `Send` becomes a task in the same superstep, and in async runs LangGraph starts them all at
    once: a list of 2,000 documents becomes 2,000 concurrent model calls, which hits provider rate
    limits, multiplies retries and cost, and can exhaust memory or sockets. Synchronous runs are capped
    by the thread pool (`min(32, cpu + 4)`), async runs are not.

    ## Example
    ```python
    import operator
    from typing import Annotated, TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send


    class State(TypedDict):
        docs: list
        summaries: Annotated[list, operator.add]


    async def summarise(doc: dict) -> dict:
        return {"summaries": [doc["doc"][:100]]}


    def fan_out(state: State) -> list:
        return [Send("summarise", {"doc": doc}) for doc in state["docs"]]


    builder = StateGraph(State)
    builder.add_node("summarise", summarise)
    builder.add_conditional_edges(START, fan_out, ["summarise"])
    builder.add_edge("summarise", END)
    graph = builder.compile()


    async def main(docs: list) -> dict:
        return await graph.ainvoke({"docs": docs})
    ```

    Use instead:
    ```python
    import operator
    from typing import Annotated, TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send


    class State(TypedDict):
        docs: list
        summaries: Annotated[list, operator.add]


    async def summarise(doc: dict) -> dict:
        return {"summaries": [doc["doc"][:100]]}


    def fan_out(state: State) -> list:
        return [Send("summarise", {"doc": doc}) for doc in state["docs"]]


    builder = StateGraph(State)
    builder.add_node("summarise", summarise)
    builder.add_conditional_edges(START, fan_out, ["summarise"])
    builder.add_edge("summarise", END)
    graph = builder.compile()


    async def main(docs: list) -> dict:
        return await graph.ainvoke({"docs": docs}, {"max_concurrency": 8})
    ```

    ## Known problems
    Only a `return [Send(...) for x in ...]` comprehension is recognised as data-dependent, and a slice
    with an upper bound (`state["docs"][:50]`) as a cap. A graph with no visible async run site, or run
    with a config agentlint cannot resolve, is not reported.
    """

    code = "AGL303"
    name = "send-fan-out-without-cap"
    summary = "Send fan-out over data in an async run without max_concurrency"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for pipeline in graph.graphs:
            uncapped_runs = [
                run for run in graph.run_sites(pipeline)
                if run.method in ASYNC_RUN_METHODS and _uncapped(run.limits.get("max_concurrency"))
            ]
            if not uncapped_runs:
                continue
            for conditional in pipeline.conditional:
                router = graph.function(conditional.router)
                facts = router.router if router else None
                if facts is None or not facts.sends or not facts.send_data_dependent or facts.send_capped:
                    continue
                targets = ", ".join(f"`{target}`" for target in facts.sends)
                yield self.finding(
                    facts.location,
                    f"router `{router.id.rsplit('.', 1)[-1]}` sends one {targets} task per item with no cap, and "  # type: ignore[union-attr]
                    f"graph `{pipeline.id}` is run asynchronously without `max_concurrency`",
                    related=[RelatedLocation(location=run.location, message=f"`{run.method}` without `max_concurrency`")
                             for run in uncapped_runs],
                    fix_title='Pass `{"max_concurrency": N}` in the run config, or slice the list',
                    anchor=f"{pipeline.id}:{facts.id}",
                )


def _uncapped(limit) -> bool:  # type: ignore[no-untyped-def]
    return limit is None or limit.status is BoundStatus.UNBOUNDED
