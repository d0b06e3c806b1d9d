from collections.abc import Iterator

from agentlint.findings import Finding, Location, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Provenance
from agentlint.rule import GraphRule

# Limits a framework bounds by default and lets the caller switch off with ``None``, with the unit a
# message counts in: the Agents SDK's ``max_turns`` (10) and Pydantic AI's ``request_limit`` (50).
TURN_LIMITS = {"max_turns": "turns", "request_limit": "model requests"}
# A team whose stop is judged by AGL504: its ``max_turns=None`` matters only when nothing else ends it.
TEAM_TERMINATION = "termination_condition"


class TurnLimitDisabled(GraphRule):
    """
    ## What it does
    Reports a run, agent or team that switches off the limit its framework puts on turns or model
    requests by default: `Runner.run(agent, q, max_turns=None)` in the OpenAI Agents SDK (whose default
    is 10 turns), `UsageLimits(request_limit=None)` in Pydantic AI (default 50 requests), or a team's
    `max_turns=None` when the team has no termination condition either.

    ## Why is this bad?
    The turn limit is what ends an agent's loop when the model never produces a final answer: it keeps
    calling tools, handing off back and forth, or re-planning. With the limit switched off only the
    model can end the run, and a model that is stuck runs up cost until the process is killed. A limit
    that is too low fails loudly with `MaxTurnsExceeded`; no limit fails silently and expensively.

    ## Example
    ```python
    from agents import Agent, Runner

    researcher = Agent(name="researcher", instructions="Research the question with your tools.")


    async def research(question: str) -> str:
        result = await Runner.run(researcher, question, max_turns=None)
        return str(result.final_output)
    ```

    Use instead:
    ```python
    from agents import Agent, Runner

    researcher = Agent(name="researcher", instructions="Research the question with your tools.")


    async def research(question: str) -> str:
        result = await Runner.run(researcher, question, max_turns=25)
        return str(result.final_output)
    ```

    ## Known problems
    Only an explicit `None` that agentlint can read is reported: a value from an environment variable, a
    call or an opaque `**kwargs` is not. A limit set high rather than off is AGL503's business, and a
    team whose only stop is its agents' own messages is AGL504's.
    """

    code = "AGL506"
    name = "turn-limit-disabled"
    summary = "run, agent or team with its framework's turn or request limit switched off"
    severity = Severity.ERROR

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        owners = [("agent", agent.id, agent.location, agent.limits) for agent in graph.agents]
        owners += [("team", team.id, team.location, team.limits) for team in graph.teams
                   if TEAM_TERMINATION not in team.limits]
        owners += [("run of", graph.resolve(run.target), run.location, run.limits)
                   for fragment in graph.fragments for run in fragment.run_sites]
        for kind, owner, location, limits in owners:
            for setting, unit in TURN_LIMITS.items():
                bound = limits.get(setting)
                if bound is not None and _disabled(bound):
                    yield self._report(kind, owner, bound.source or location, setting, unit)

    def _report(self, kind: str, owner: str, location: Location, setting: str, unit: str) -> Finding:
        name = owner.rsplit(".", 1)[-1]
        return self.finding(
            location,
            f"{kind} `{name}` switches off its limit on {unit} (`{setting}=None`), so only the model can end it",
            fix_title=f"Drop `{setting}=None` to keep the framework's default, or set a number",
            anchor=f"{owner}:{setting}",
        )


def _disabled(bound: Bound) -> bool:
    return bound.status is BoundStatus.UNBOUNDED and bound.provenance is Provenance.EXPLICIT
