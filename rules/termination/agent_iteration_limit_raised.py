from collections.abc import Iterator

from pydantic import Field

from agentlint.findings import Finding, Location, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Provenance
from agentlint.rule import GraphRule, RuleOptions

# Settings that end an agent's (or a team's) loop, by name, with the unit a message counts in.
ITERATION_LIMITS = {
    "max_iter": "iterations per task",
    "max_steps": "steps per run",
    "max_tool_iterations": "tool-call iterations per turn",
    "max_consecutive_auto_reply": "automatic replies in a row",
    "max_round": "rounds",
    "max_turns": "turns",
    "max_iterations": "iterations",
    "request_limit": "model requests",
}


class AgentIterationLimitRaised(GraphRule):
    """
    ## What it does
    Reports an iteration limit set above a maximum, 100 by default: a CrewAI agent's `max_iter` (in
    code or in `config/agents.yaml`), a smolagents agent's `max_steps`, an AutoGen agent's
    `max_tool_iterations` or legacy `GroupChat(max_round=...)` / `max_consecutive_auto_reply`, an
    Agents SDK `Runner.run(max_turns=...)`, a LlamaIndex agent run's `max_iterations`, a Pydantic AI
    `UsageLimits(request_limit=...)`: whatever ends an agent's loop when the model never finishes.

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
    - `max-iter` (integer, default 100): the largest iteration limit not reported, whatever the
      setting is called.

    ## Known problems
    Only a number agentlint can read is compared: a value from an environment variable, a call or an
    opaque `**kwargs` is not. An `Agent` subclass that raises the field's default, or an assignment
    after construction (`agent.max_iter = 500`), is not seen.
    """

    code = "AGL503"
    name = "agent-iteration-limit-raised"
    summary = "agent allowed more iterations than the configured maximum"
    severity = Severity.WARNING

    class Options(RuleOptions):
        max_iter: int = Field(default=100, gt=0)

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        owners = [("agent", agent.id, agent.location, agent.limits) for agent in graph.agents]
        owners += [("team", team.id, team.location, team.limits) for team in graph.teams]
        owners += [("run of", run.target, run.location, run.limits)
                   for fragment in graph.fragments for run in fragment.run_sites]
        for kind, owner, location, limits in owners:
            for setting, unit in ITERATION_LIMITS.items():
                bound = limits.get(setting)
                if bound is not None and self._raised(bound):
                    yield self._report(kind, owner, location, setting, unit, bound)

    def _raised(self, bound: Bound) -> bool:
        return (bound.provenance is Provenance.EXPLICIT and bound.source is not None
                and bound.status is BoundStatus.BOUNDED and bound.value is not None
                and bound.value > self.options.max_iter)  # type: ignore[attr-defined]

    def _report(self, kind: str, owner: str, location: Location, setting: str, unit: str, bound: Bound) -> Finding:
        limit = self.options.max_iter  # type: ignore[attr-defined]
        assert bound.source is not None and bound.value is not None
        name = owner.rsplit(".", 1)[-1]
        related = []
        if bound.source.path != location.path:
            related.append(RelatedLocation(location=location, message=f"{kind} `{name}` loads this config here"))
        return self.finding(
            bound.source,
            f"{kind} `{name}` may take {bound.value:g} {unit} (`{setting}`), more than the allowed {limit}",
            related=related,
            fix_title=f"Lower `{setting}` to {limit} or less, and bound the run's time as well",
            anchor=f"{owner}:{setting}",
        )
