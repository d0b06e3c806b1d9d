from agentlint.findings import Location, Severity
from agentlint.ir import Bound, BoundStatus, Provenance, Team
from agentlint.rules.termination._teams import TeamStopRule


class SelfDecidedTermination(TeamStopRule):
    """
    ## What it does
    Reports an AutoGen AgentChat team whose termination condition can only fire on the agents' own
    say-so (`TextMentionTermination`, `StopMessageTermination`, `HandoffTermination`,
    `FunctionCallTermination`, `TextMessageTermination`, `SourceMatchTermination`,
    `FunctionalTermination`, or an `ExternalTermination` nothing can ever `.set()`), with no `max_turns`.
    An `&` combination counts as self-decided when one of its sides is: it fires only once every side
    has. Teams built in code and AutoGen JSON components are both read.

    ## Why is this bad?
    "Stop when someone says TERMINATE" relies on a model choosing to say it. Models forget the
    instruction, quote it wrongly, or keep politely handing the turn back and forth; then the team
    never stops, and every turn is a paid model call. An external bound (`MaxMessageTermination`,
    `TimeoutTermination`, `TokenUsageTermination`, or `max_turns`) guarantees an end.

    ## Example
    ```python
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import TextMentionTermination
    from autogen_agentchat.teams import RoundRobinGroupChat


    def build_team(model_client):
        writer = AssistantAgent("writer", model_client)
        critic = AssistantAgent("critic", model_client)
        return RoundRobinGroupChat([writer, critic], termination_condition=TextMentionTermination("APPROVED"))
    ```

    Use instead:
    ```python
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
    from autogen_agentchat.teams import RoundRobinGroupChat


    def build_team(model_client):
        writer = AssistantAgent("writer", model_client)
        critic = AssistantAgent("critic", model_client)
        stop = TextMentionTermination("APPROVED") | MaxMessageTermination(20)
        return RoundRobinGroupChat([writer, critic], termination_condition=stop)
    ```

    ## Known problems
    Conditions are read through names bound once, `|`/`&`, `And`/`OrTerminationCondition([...])` and
    helper functions of the same module; one imported from another module, built in a loop or passed
    as a parameter is not judged. An `ExternalTermination` counts as a bound as soon as `.set()` is
    called on it anywhere in its module, whether or not that code runs, and is not judged when other
    code could set it (a module-level name, an attribute, or returned or passed on by its function) or
    when it sits in a JSON component. A custom `TerminationCondition` subclass is not judged either.
    """

    code = "AGL505"
    name = "self-decided-termination"
    summary = "agent team that only stops when its agents decide to"
    severity = Severity.WARNING
    fix = ("Combine the condition with an external bound, e.g. `| MaxMessageTermination(20)`, "
           "or set `max_turns`")

    def reports(self, condition: Bound) -> bool:
        return condition.status is BoundStatus.UNBOUNDED and condition.provenance is Provenance.EXPLICIT

    def primary(self, team: Team, condition: Bound) -> Location:
        return condition.source or team.location

    def message(self, team: str, condition: Bound, turns: str) -> str:
        return f"{team} {condition.detail}, and {turns}"
