from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, FanOut, Retry
from agentlint.rule import GraphRule


class RetryAroundFanOut(GraphRule):
    """
    ## What it does
    Reports a retry decorator (tenacity `@retry`, backoff) on a function that fans out over data with
    `asyncio.gather` (without `return_exceptions=True`) or a `TaskGroup`, where one failing branch
    fails them all.

    ## Why is this bad?
    When one of a thousand branches times out, `gather` raises, the retry runs the function again, and
    all thousand model or HTTP calls are made again, the 999 that had succeeded included. Each
    attempt multiplies the bill and the load by the width of the data, which is also the moment the
    provider is already struggling. Retry each branch on its own instead, so only the failure is
    repeated.

    ## Example
    ```python
    import asyncio

    from openai import AsyncOpenAI
    from tenacity import retry, stop_after_attempt

    client = AsyncOpenAI(timeout=60)
    limit = asyncio.Semaphore(8)


    async def summarise(doc: str) -> str:
        async with limit:
            reply = await client.responses.create(model="gpt-4o-mini", input=doc)
        return reply.output_text


    @retry(stop=stop_after_attempt(3))
    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs))
    ```

    Use instead:
    ```python
    import asyncio

    from openai import AsyncOpenAI
    from tenacity import retry, stop_after_attempt

    client = AsyncOpenAI(timeout=60)
    limit = asyncio.Semaphore(8)


    @retry(stop=stop_after_attempt(3))
    async def summarise(doc: str) -> str:
        async with limit:
            reply = await client.responses.create(model="gpt-4o-mini", input=doc)
        return reply.output_text


    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs))
    ```

    ## Known problems
    Only a fan-out written in the decorated function itself is seen, not one in a function it calls,
    and only over data (a comprehension over something that is not a fixed literal). A retry that
    retries only on exceptions a branch cannot raise (`retry_if_exception_type(...)`) is reported
    all the same; `Retrying` blocks are not matched to the fan-out inside them.
    """

    code = "AGL308"
    name = "retry-around-fan-out"
    summary = "retry around a fan-out over data, which repeats every branch when one fails"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        retried: dict[str, Retry] = {retry.target: retry for retry in graph.facts_of("retries") if retry.target}
        fan_out: FanOut
        for fan_out in graph.facts_of("fan_outs"):
            retry = retried.get(fan_out.scope.replace(":", "."))
            if retry is None or not fan_out.fails_together or fan_out.width is not BoundStatus.UNBOUNDED:
                continue
            function = fan_out.scope.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
            attempts = f"up to {retry.stop.value:g} attempts in all" if retry.stop.value else "until its stop condition"
            yield self.finding(
                retry.location,
                f"`{retry.mechanism}` runs `{function}` again when a single branch fails, and with it every branch of "
                f"`{fan_out.mechanism}` over data ({attempts})",
                related=[RelatedLocation(location=fan_out.location, message="one branch's failure fails them all here")],
                fix_title="Retry each branch on its own (decorate the function the fan-out runs), "
                          "or gather with `return_exceptions=True` and retry only the failures",
                anchor=f"{retry.id}:{fan_out.id}",
            )
