from agentlint.findings import Location, Severity
from agentlint.ir import Bound, BoundStatus, Provenance, Team
from agentlint.rules.termination._teams import TeamStopRule


class TeamWithoutTermination(TeamStopRule):
    """
    ## What it does
    Reports an AutoGen AgentChat team (`RoundRobinGroupChat`, `SelectorGroupChat`, `Swarm`,
    `MagenticOneGroupChat`, a cyclic `GraphFlow`) that has no termination condition and no turn limit
    at all, built in code or declared in an AutoGen JSON component. For `MagenticOneGroupChat`, whose
    default of 20 turns bounds it, that means `max_turns=None` with no condition.

    ## Why is this bad?
    A group chat hands the conversation from agent to agent until a termination condition fires or
    `max_turns` is reached. With neither, nothing in the team ever stops it: the agents keep talking,
    and paying for model calls, until the process is killed or the run is cancelled from outside.

    ## Example
    ```python
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.teams import SelectorGroupChat
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    model = OpenAIChatCompletionClient(model="gpt-4o")
    triage = AssistantAgent("triage", model)
    refunds = AssistantAgent("refunds", model)
    desk = SelectorGroupChat([triage, refunds], model_client=model)
    ```

    Use instead:
    ```python
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.teams import SelectorGroupChat
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    model = OpenAIChatCompletionClient(model="gpt-4o")
    triage = AssistantAgent("triage", model)
    refunds = AssistantAgent("refunds", model)
    desk = SelectorGroupChat([triage, refunds], model_client=model, max_turns=12)
    ```

    ## Known problems
    A team whose settings come from an unreadable `**kwargs`, a termination condition imported from
    another module, or a `GraphFlow` whose graph agentlint cannot see to be cyclic is not reported. A
    team stopped from outside by a cancellation token or `asyncio.wait_for` around `run` is still
    reported: the team itself has no stop, and every other caller inherits that.
    """

    code = "AGL504"
    name = "team-without-termination"
    summary = "agent team with no termination condition and no turn limit"
    severity = Severity.ERROR
    fix = ("Give the team a `termination_condition` that fires without the agents' say-so, "
           "e.g. `MaxMessageTermination(20)`, or a `max_turns`")

    def reports(self, condition: Bound) -> bool:
        return condition.status is BoundStatus.UNBOUNDED and condition.provenance is Provenance.DEFAULT

    def primary(self, team: Team, condition: Bound) -> Location:
        return team.location

    def message(self, team: str, condition: Bound, turns: str) -> str:
        return (f"{team} has no termination condition and {turns}: "
                "only something outside the team can stop the conversation")
