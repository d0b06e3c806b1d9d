from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Agent
from agentlint.rule import GraphRule

FRAMEWORK = "openai-agents"


class InputGuardrailNeverRuns(GraphRule):
    """
    ## What it does
    Reports an OpenAI Agents SDK agent with `input_guardrails` that is only ever reached through a
    handoff: no `Runner.run`/`run_sync`/`run_streamed` in the project starts with it, and no agent
    uses it as a tool (`as_tool`, which starts a run of its own).

    ## Why is this bad?
    The SDK runs input guardrails for the *starting* agent of a run only, on the first turn
    (`agents/run.py`: `starting_agent.input_guardrails`). When a triage agent hands the conversation
    to a specialist, the specialist's input guardrails are skipped without a word: the check that was
    meant to stop a prompt injection or an off-policy request at the specialist's door never runs,
    and the team believes the hop is guarded.

    ## Example
    ```python
    from agents import Agent, GuardrailFunctionOutput, Runner, input_guardrail


    @input_guardrail
    async def no_account_numbers(ctx, agent, text):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="IBAN" in str(text))


    refunds = Agent(name="refunds", instructions="Issue refunds.", input_guardrails=[no_account_numbers])
    triage = Agent(name="triage", instructions="Route the customer.", handoffs=[refunds])


    async def answer(question: str) -> str:
        result = await Runner.run(triage, question)
        return str(result.final_output)
    ```

    Guard the agent every run starts with (or pass `RunConfig(input_guardrails=[...])` to every run).

    Use instead:
    ```python
    from agents import Agent, GuardrailFunctionOutput, Runner, input_guardrail


    @input_guardrail
    async def no_account_numbers(ctx, agent, text):
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered="IBAN" in str(text))


    refunds = Agent(name="refunds", instructions="Issue refunds.")
    triage = Agent(name="triage", instructions="Route the customer.", handoffs=[refunds],
                   input_guardrails=[no_account_numbers])


    async def answer(question: str) -> str:
        result = await Runner.run(triage, question)
        return str(result.final_output)
    ```

    ## Known problems
    The rule needs to see every run: it stays quiet when some `Runner` run in the project starts an
    agent agentlint cannot identify (a parameter, an agent built in a loop), and it cannot see runs
    started from code outside the checked files. Guardrails given through `RunConfig` apply to every
    run and are not this rule's concern. Output guardrails (run only for the agent that produces the
    final output) are not checked: an agent that can hand off may still answer itself.
    """

    code = "AGL204"
    name = "input-guardrail-never-runs"
    summary = "agent's input guardrails never run because it is only reached by a handoff"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        agents = [agent for agent in graph.agents if agent.framework == FRAMEWORK]
        runs = [run for fragment in graph.fragments for run in fragment.run_sites if run.framework == FRAMEWORK]
        started = [graph.agent(run.target) for run in runs]
        if not runs or any(agent is None for agent in started):
            return
        starting = {agent.id for agent in started if agent is not None}
        for agent in agents:
            if "input_guardrails" not in agent.settings or agent.id in starting:
                continue
            handing = [other for other in agents if agent.id in _resolved_handoffs(graph, other)]
            if not handing:
                continue
            yield self.finding(
                agent.location,
                f"agent `{_name(agent)}` has input guardrails, but it is only reached by a handoff from "
                f"{', '.join(f'`{_name(other)}`' for other in handing)}, and the SDK runs input guardrails "
                "only for the agent a run starts with",
                related=[RelatedLocation(location=other.location, message=f"`{_name(other)}` hands off to it")
                         for other in handing],
                fix_title="Move the guardrails to the starting agent or into `RunConfig(input_guardrails=[...])`",
                anchor=f"{agent.id}:input_guardrails",
            )


def _resolved_handoffs(graph: PipelineGraph, agent: Agent) -> set[str]:
    return {target.id for handoff in agent.handoffs if (target := graph.agent(handoff)) is not None}


def _name(agent: Agent) -> str:
    return agent.name or agent.id.rsplit(".", 1)[-1]
