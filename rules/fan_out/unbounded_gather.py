from collections.abc import Iterator

from agentlint.findings import Finding, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, FanOut
from agentlint.rule import GraphRule, Precision


class UnboundedGather(GraphRule):
    """
    ## What it does
    Reports `asyncio.gather` (also `asyncio.wait`/`as_completed`) over a comprehension of model or HTTP
    calls, and `asyncio.create_task`/`TaskGroup.create_task` in a `for` loop, when the number of
    branches follows data (a parameter, a state field, a query result) and nothing caps how many run at
    once: no slice of the items, no semaphore entered by the spawned function or passed to it.

    ## Why is this bad?
    An agent that fans out over "all the documents" or "every search hit" starts one model call per
    item at the same moment. With 50 items it works in testing; with 5,000 in production it trips the
    provider's rate limit, every branch retries (the SDKs retry twice by default), costs multiply and
    the run fails or stalls.

    ## Example
    ```python
    import asyncio

    from openai import AsyncOpenAI

    client = AsyncOpenAI(timeout=60)


    async def summarise(doc: str) -> str:
        reply = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": doc}])
        return reply.choices[0].message.content


    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs))
    ```

    Use instead:
    ```python
    import asyncio

    from openai import AsyncOpenAI

    client = AsyncOpenAI(timeout=60)
    limit = asyncio.Semaphore(8)


    async def summarise(doc: str) -> str:
        async with limit:
            reply = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": doc}])
        return reply.choices[0].message.content


    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs))
    ```

    ## Known problems
    A branch counts as agent work only when agentlint sees an HTTP or LLM call or an agent run in it
    (`Runner.run`, a Pydantic AI `agent.run`, an AutoGen `team.run`), directly or up to three function
    calls deep; a Pydantic AI agent built with `max_concurrency` caps its own runs. CrewAI's
    `kickoff_for_each_async` is AGL304's. Any `async with` on a name that looks like a limiter (`sem`,
    `limit`, `throttle`, `pool`) counts as a cap. A task created in a loop and awaited in the same
    iteration runs one at a time and is not reported. Tasks collected in a list in a loop and gathered
    later are not followed.
    """

    code = "AGL301"
    name = "unbounded-gather"
    summary = "concurrent model or HTTP calls over data with no concurrency cap"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # heuristics decide what counts as a bound; see Known problems

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        fan_out: FanOut
        for fan_out in graph.facts_of("fan_outs"):
            if fan_out.width is not BoundStatus.UNBOUNDED or fan_out.cap.status is not BoundStatus.UNBOUNDED:
                continue
            work, limited = graph.work(fan_out.spawns)
            work = fan_out.work + work
            if not work or limited:
                continue
            what = f"`{fan_out.spawns.rsplit('.', 1)[-1]}`, which calls " if fan_out.spawns else ""
            yield self.finding(
                fan_out.location,
                f"`{fan_out.mechanism}` runs {what}`{work[0]}` once per item with no cap on how many run at once",
                fix_title="Enter an `asyncio.Semaphore(N)` in each branch, or process the items in batches",
                anchor=fan_out.id,
            )
