from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Delegation
from agentlint.rule import GraphRule


class SubAgentOutsideUsageBudget(GraphRule):
    """
    ## What it does
    Reports a Pydantic AI tool that runs another agent (agent delegation) without passing the
    parent run's usage on: `await researcher.run(query)` inside a function registered with
    `@lead.tool`, `@lead.tool_plain` or `Agent(tools=[...])`, with no `usage=ctx.usage`.

    ## Why is this bad?
    A run counts its model requests in the `usage` object it is given, and a run given none starts a
    fresh one. The sub-agent's requests are then counted nowhere the parent's `usage_limits` can see:
    every tool call gets its own budget of 50 requests (Pydantic AI's default `UsageLimits()`), so a
    parent limited to 20 requests that calls the tool 20 times may make a thousand. The limit the
    caller set to cap cost and runaway loops does not hold.

    ## Example
    ```python
    from pydantic_ai import Agent, RunContext

    lead = Agent("openai:gpt-4o", instructions="Answer with the researcher's help.")
    researcher = Agent("openai:gpt-4o", instructions="Research one question.")


    @lead.tool
    async def research(ctx: RunContext[None], question: str) -> str:
        result = await researcher.run(question)
        return result.output
    ```

    Use instead:
    ```python
    from pydantic_ai import Agent, RunContext

    lead = Agent("openai:gpt-4o", instructions="Answer with the researcher's help.")
    researcher = Agent("openai:gpt-4o", instructions="Research one question.")


    @lead.tool
    async def research(ctx: RunContext[None], question: str) -> str:
        result = await researcher.run(question, usage=ctx.usage)
        return result.output
    ```

    ## Known problems
    Both agents must be Pydantic AI agents built in the checked files, and the sub-agent must be run in
    the tool itself (or a function nested in it): a run through a helper function the tool calls is not
    followed, nor is a file that never mentions `pydantic_ai`. Any `usage=` counts as sharing the
    budget, whatever object it passes; a `usage=` that may hide in an opaque `**kwargs` keeps the rule
    quiet. A tool registered through a toolset (`FunctionToolset`) is not seen.
    """

    code = "AGL306"
    name = "sub-agent-outside-usage-budget"
    summary = "sub-agent run inside a tool without the parent run's usage, so its requests escape the limits"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        delegation: Delegation
        for delegation in graph.delegations:
            parent, child_agent = graph.agent(delegation.parent), graph.agent(delegation.child)
            if (delegation.shares_budget is not False or parent is None or child_agent is None
                    or child_agent.framework != delegation.framework):
                continue  # an imported name that is no such agent in the checked files proves nothing
            tool, child, owner = _short(delegation.tool), _short(delegation.child), _short(delegation.parent)
            yield self.finding(
                delegation.location,
                f"tool `{tool}` of agent `{owner}` runs sub-agent `{child}` without `usage=ctx.usage`, so the "
                f"sub-run gets its own request budget outside agent `{owner}`'s usage limits",
                related=[RelatedLocation(location=parent.location, message=f"agent `{owner}` is defined here")],
                fix_title=f"Pass the parent run's usage on: `{child}.run(..., usage=ctx.usage)` (a `tool_plain` "
                          "must become a `tool` to receive `ctx`)",
                anchor=f"{delegation.id}:{delegation.parent}",
            )


def _short(qualified: str | None) -> str:
    return (qualified or "").rsplit(".", 1)[-1]
