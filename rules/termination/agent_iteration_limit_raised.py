from collections.abc import Iterator

from pydantic import Field

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, Provenance
from agentlint.python.crewai import AGENT_DEFAULTS
from agentlint.rule import GraphRule, RuleOptions


class AgentIterationLimitRaised(GraphRule):
    """
    ## What it does
    Reports a CrewAI agent whose `max_iter` (the number of reasoning/tool-use iterations it may take
    on one task) is set above a maximum, 100 by default, in code or in `config/agents.yaml`.

    ## Why is this bad?
    `max_iter` is what ends an agent's loop when the model never produces a final answer: it keeps
    calling tools, re-planning, or arguing with a delegate. CrewAI's default of 25 already allows 25
    model calls per task; raising it to hundreds turns one stuck task into a long, expensive run that
    only ends when the limit is reached, and with `max_retry_limit` the whole loop is run again.

    ## Example
    ```yaml title="config/agents.yaml"
    researcher:
      role: Researcher
      goal: Find every source on {topic}
      backstory: A thorough analyst.
      max_iter: 500
    ```

    ```python title="crew.py"
    from crewai import Agent, Crew
    from crewai.project import CrewBase, agent, crew


    @CrewBase
    class ResearchCrew:
        @agent
        def researcher(self) -> Agent:
            return Agent(config=self.agents_config["researcher"])

        @crew
        def crew(self) -> Crew:
            return Crew(agents=self.agents, tasks=self.tasks)
    ```

    Use instead:
    ```yaml title="config/agents.yaml"
    researcher:
      role: Researcher
      goal: Find every source on {topic}
      backstory: A thorough analyst.
      max_iter: 15
      max_execution_time: 300
    ```

    ```python title="crew.py"
    from crewai import Agent, Crew
    from crewai.project import CrewBase, agent, crew


    @CrewBase
    class ResearchCrew:
        @agent
        def researcher(self) -> Agent:
            return Agent(config=self.agents_config["researcher"])

        @crew
        def crew(self) -> Crew:
            return Crew(agents=self.agents, tasks=self.tasks)
    ```

    ## Options
    - `max-iter` (integer, default 100): the largest `max_iter` not reported.

    ## Known problems
    Only a number agentlint can read is compared: a value from an environment variable, a call or an
    opaque `**kwargs` is not. An `Agent` subclass that raises the field's default, or an assignment
    after construction (`agent.max_iter = 500`), is not seen.
    """

    code = "AGL503"
    name = "agent-iteration-limit-raised"
    summary = "agent allowed more iterations per task than the configured maximum"
    severity = Severity.WARNING

    class Options(RuleOptions):
        max_iter: int = Field(default=100, gt=0)

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        limit = self.options.max_iter  # type: ignore[attr-defined]
        default = AGENT_DEFAULTS["max_iter"][0]
        for agent in graph.agents:
            bound = agent.limits.get("max_iter")
            if bound is None or bound.provenance is not Provenance.EXPLICIT or bound.source is None:
                continue
            if bound.status is not BoundStatus.BOUNDED or bound.value is None or bound.value <= limit:
                continue
            name = agent.id.rsplit(".", 1)[-1]
            related = []
            if bound.source.path != agent.location.path:
                related.append(RelatedLocation(location=agent.location, message=f"agent `{name}` loads this config here"))
            yield self.finding(
                bound.source,
                f"agent `{name}` may take {bound.value:g} iterations per task (`max_iter`), more than the allowed "
                f"{limit} (CrewAI's default is {default:g})",
                related=related,
                fix_title=f"Lower `max_iter` to {limit} or less, and bound the run with `max_execution_time`",
                anchor=f"{agent.id}:max_iter",
            )
