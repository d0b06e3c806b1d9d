from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Agent
from agentlint.rule import GraphRule

# How each kind of agent-to-agent hop delivers the producer's output, for messages. Task hops
# (``task-context``, ``sequential``) are AGL201's.
MECHANISMS = {
    "run-output": "as the input of its run",
    "agent-as-tool": "as the result of a tool call",
    "managed-agent": "as a managed agent's answer",
}


class UnvalidatedAgentOutput(GraphRule):
    """
    ## What it does
    Reports an agent whose output reaches another agent without a schema check: the final output of
    one run passed into another run (`Runner.run(executor, planner_result.final_output)`, Pydantic
    AI's `result.output`, a smolagents or LlamaIndex run's answer), an agent used as another agent's
    tool (the Agents SDK's `planner.as_tool(...)`, AutoGen's `AgentTool(planner)`), or a smolagents
    managed agent, when the producing agent declares no structured output (`output_type=` in the
    Agents SDK and Pydantic AI, `output_content_type=` in AutoGen, `output_cls=` in LlamaIndex,
    `final_answer_checks` in smolagents) and the value does not go through `Model.model_validate(...)`
    on the way.

    ## Why is this bad?
    Without an output type the producer's final output is whatever text the model wrote: a plan in the
    wrong shape, a refusal, a half-finished answer. The next agent takes it as its instructions, and
    nothing fails where the error was made: the bad data surfaces several runs later, or in the final
    answer. A structured output type makes the producer's run fail (and retry) at the hop instead.

    ## Example
    ```python
    from agents import Agent, Runner

    planner = Agent(name="planner", instructions="Break the question into research steps.")
    executor = Agent(name="executor", instructions="Carry out the plan you are given.")


    async def answer(question: str) -> str:
        plan = await Runner.run(planner, question)
        result = await Runner.run(executor, f"Plan: {plan.final_output}")
        return str(result.final_output)
    ```

    Use instead:
    ```python
    from agents import Agent, Runner
    from pydantic import BaseModel


    class Plan(BaseModel):
        steps: list[str]


    planner = Agent(name="planner", instructions="Break the question into research steps.", output_type=Plan)
    executor = Agent(name="executor", instructions="Carry out the plan you are given.")


    async def answer(question: str) -> str:
        plan = await Runner.run(planner, question)
        result = await Runner.run(executor, plan.final_output.model_dump_json())
        return str(result.final_output)
    ```

    ## Known problems
    Only hops agentlint can follow are seen: the output passed directly, through a name, an f-string, a
    concatenation or `str(...)`. Output handed over through a helper function, a shared object, a
    handoff or a whole conversation (`result.to_input_list()`) is not. A LlamaIndex agent's
    `output_cls` counts as a schema although a failed parse only warns; a smolagents managed agent
    counts as checked when it has `final_answer_checks`. A producer whose settings cannot all be read
    (an opaque `**kwargs`) or that is defined where agentlint cannot find it is not reported, and any
    `model_validate` on the way counts as validation, whatever model it checks against.
    """

    code = "AGL203"
    name = "unvalidated-agent-output"
    summary = "agent output passed to another agent without a structured output type or validation"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for hop in graph.hops():
            delivered = MECHANISMS.get(hop.mechanism)
            if delivered is None or hop.validated is not False:
                continue
            producer, consumer = graph.agent(hop.producer), graph.agent(hop.consumer)
            if producer is None or consumer is None:
                continue
            yield self.finding(
                hop.location,
                f"agent `{_name(consumer)}` receives the raw output of agent `{_name(producer)}` {delivered} "
                f"(`{hop.mechanism}`), and `{_name(producer)}` declares no structured output",
                related=[RelatedLocation(location=producer.location,
                                         message=f"agent `{_name(producer)}` is defined here without an output type")],
                fix_title=f"Give `{_name(producer)}` {SCHEMA_SETTINGS.get(producer.framework, 'a structured output type')}, "
                          "or validate its output with a pydantic model before passing it on",
                anchor=hop.id,
            )


# How each framework declares what an agent's output must look like.
SCHEMA_SETTINGS = {
    "openai-agents": "an `output_type`",
    "pydantic-ai": "an `output_type` other than `str`",
    "smolagents": "`final_answer_checks`",
    "llama-index": "an `output_cls`",
    "autogen": "an `output_content_type`",
}


def _name(agent: Agent) -> str:
    return agent.id.rsplit(".", 1)[-1]
