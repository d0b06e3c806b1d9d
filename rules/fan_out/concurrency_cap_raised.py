from collections.abc import Iterator

from pydantic import Field

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, FanOut, Provenance
from agentlint.rule import GraphRule, RuleOptions


class ConcurrencyCapRaised(GraphRule):
    """
    ## What it does
    Reports a fan-out over data whose concurrency cap is set explicitly above a maximum, 64 by
    default: a LlamaIndex `@step(num_workers=...)` that another step sends one event per item, or a
    Pydantic AI agent built with `max_concurrency=` and run once per item in `asyncio.gather`.

    ## Why is this bad?
    The cap is what stands between a list of a thousand documents and a thousand model calls at once.
    Raised that far, it stops being one: the provider answers with rate-limit errors, retries pile up
    on top of them, and a run that should degrade gracefully fails all at once. LlamaIndex's default
    of four workers per step is there for that reason.

    ## Example
    ```python
    from llama_index.core.workflow import Context, Event, StartEvent, StopEvent, Workflow, step


    class Page(Event):
        url: str


    class Crawl(Workflow):
        @step
        async def start(self, ctx: Context, ev: StartEvent) -> Page | None:
            for url in ev.urls:
                ctx.send_event(Page(url=url))
            return None

        @step(num_workers=500)
        async def summarise(self, ev: Page) -> StopEvent:
            return StopEvent(result=ev.url)
    ```

    Use instead:
    ```python
    from llama_index.core.workflow import Context, Event, StartEvent, StopEvent, Workflow, step


    class Page(Event):
        url: str


    class Crawl(Workflow):
        @step
        async def start(self, ctx: Context, ev: StartEvent) -> Page | None:
            for url in ev.urls:
                ctx.send_event(Page(url=url))
            return None

        @step(num_workers=8)
        async def summarise(self, ev: Page) -> StopEvent:
            return StopEvent(result=ev.url)
    ```

    ## Options
    - `max-concurrency` (integer, default 64): the largest cap not reported.

    ## Known problems
    Only caps agentlint can read as a number are compared: a semaphore's size, an executor's
    `max_workers` and a cap from a variable agentlint cannot resolve are not. A fan-out whose width is
    fixed in code (a literal list, `range(3)`) is not reported, whatever its cap.
    """

    code = "AGL307"
    name = "concurrency-cap-raised"
    summary = "fan-out over data whose concurrency cap is set above the configured maximum"
    severity = Severity.WARNING

    class Options(RuleOptions):
        max_concurrency: int = Field(default=64, gt=0)

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        limit = self.options.max_concurrency  # type: ignore[attr-defined]
        fan_out: FanOut
        for fan_out in graph.facts_of("fan_outs"):
            cap = fan_out.cap
            if (fan_out.width is not BoundStatus.UNBOUNDED or cap.status is not BoundStatus.BOUNDED
                    or cap.provenance is not Provenance.EXPLICIT or cap.value is None or cap.value <= limit):
                continue
            where = cap.source or fan_out.location
            runs = fan_out.spawns or (fan_out.work[0] if fan_out.work else fan_out.mechanism)
            yield self.finding(
                where,
                f"`{fan_out.mechanism}` may run {cap.value:g} copies of `{runs.rsplit('.', 1)[-1]}` at once "
                f"({cap.detail}), more than the allowed {limit}",
                related=[] if where == fan_out.location else
                [RelatedLocation(location=fan_out.location, message="the fan-out over data starts here")],
                fix_title=f"Lower the cap to {limit} or less",
                anchor=f"{fan_out.id}:cap",
            )
