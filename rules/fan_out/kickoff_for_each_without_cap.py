from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, FanOut
from agentlint.python.crewai import CONCURRENT_KICKOFFS
from agentlint.rule import GraphRule

MECHANISMS = frozenset(f"crewai.Crew.{method}" for method in CONCURRENT_KICKOFFS)


class KickoffForEachWithoutCap(GraphRule):
    """
    ## What it does
    Reports `crew.kickoff_for_each_async(inputs)` and `crew.akickoff_for_each(inputs)` when the list of
    inputs follows data (a parameter, a query result, a comprehension over one) and is neither sliced
    nor handed out in batches.

    ## Why is this bad?
    CrewAI copies the crew once per input and starts every copy at once with `asyncio.gather`, with
    no semaphore. Each copy runs every task of the crew, each task several model calls: 500 rows become
    500 crews and thousands of concurrent requests, which trips the provider's rate limits, multiplies
    retries and cost, and makes the whole batch fail together.

    ## Example
    ```python
    from crewai import Agent, Crew, Task

    analyst = Agent(role="Analyst", goal="Summarise a ticket", backstory="Support lead.")
    summary = Task(description="Summarise {ticket}", expected_output="Two sentences", agent=analyst)
    crew = Crew(agents=[analyst], tasks=[summary])


    async def summarise(tickets: list[dict]) -> list:
        return await crew.kickoff_for_each_async(inputs=tickets)
    ```

    Use instead:
    ```python
    from crewai import Agent, Crew, Task

    analyst = Agent(role="Analyst", goal="Summarise a ticket", backstory="Support lead.")
    summary = Task(description="Summarise {ticket}", expected_output="Two sentences", agent=analyst)
    crew = Crew(agents=[analyst], tasks=[summary])


    async def summarise(tickets: list[dict]) -> list:
        results = []
        for start in range(0, len(tickets), 5):
            results += await crew.kickoff_for_each_async(inputs=tickets[start:start + 5])
        return results
    ```

    ## Known problems
    Inputs count as capped when they are sliced with an upper bound or come from an enclosing `for`
    loop over a call whose name mentions "batch" or "chunk". The crew must be one agentlint can see: a
    `Crew(...)` or the `@crew` method of a `@CrewBase` class in the checked files. Fan-out written by
    hand around `kickoff_async` is covered by `unbounded-gather` only when a model call is visible.
    """

    code = "AGL304"
    name = "kickoff-for-each-without-cap"
    summary = "crew run once per input, all at once, with no concurrency cap"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        fan_out: FanOut
        for fan_out in graph.facts_of("fan_outs"):
            if fan_out.mechanism not in MECHANISMS or fan_out.width is not BoundStatus.UNBOUNDED:
                continue
            if fan_out.cap.status is not BoundStatus.UNBOUNDED:
                continue
            team = graph.team(fan_out.spawns)
            if team is None:
                continue
            method = fan_out.mechanism.rsplit(".", 1)[1]
            name = team.name or team.id.rsplit(".", 1)[-1]
            yield self.finding(
                fan_out.location,
                f"`{method}` starts one run of crew `{name}` per input, all at once: CrewAI gathers them with no "
                "concurrency cap",
                related=[RelatedLocation(location=team.location, message=f"crew `{name}` is built here")],
                fix_title="Hand the inputs over in slices of N, e.g. `inputs[start:start + N]` in a loop",
                anchor=fan_out.id,
            )
