from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Hop, Task
from agentlint.rule import GraphRule


class UnvalidatedTaskContext(GraphRule):
    """
    ## What it does
    Reports a CrewAI task that receives another task's output through `context=[...]` (in code or in
    `config/tasks.yaml`) when the producing task declares no `output_pydantic`, `output_json` or
    `response_model` and has no `guardrail`/`guardrails` (or `human_input`).

    ## Why is this bad?
    CrewAI hands the consumer the producer's raw text. Whatever the first agent wrote, a half-finished
    thought, a refusal, a list in the wrong shape, a hallucinated source, becomes the ground truth of the
    next agent, and nothing fails where the error was made: the bad data surfaces several tasks later,
    or in the final report. A schema or a guardrail makes the producer fail (and retry) at the hop.

    ## Example
    ```python
    from crewai import Agent, Crew, Task

    researcher = Agent(role="Researcher", goal="Find sources", backstory="A careful analyst.")
    writer = Agent(role="Writer", goal="Write the brief", backstory="A concise writer.")

    research = Task(description="List sources on {topic}", expected_output="Sources as JSON", agent=researcher)
    brief = Task(description="Write a brief", expected_output="A short brief", agent=writer, context=[research])

    crew = Crew(agents=[researcher, writer], tasks=[research, brief])
    ```

    Use instead:
    ```python
    from crewai import Agent, Crew, Task
    from pydantic import BaseModel


    class Sources(BaseModel):
        urls: list[str]


    researcher = Agent(role="Researcher", goal="Find sources", backstory="A careful analyst.")
    writer = Agent(role="Writer", goal="Write the brief", backstory="A concise writer.")

    research = Task(description="List sources on {topic}", expected_output="Sources as JSON", agent=researcher,
                    output_pydantic=Sources)
    brief = Task(description="Write a brief", expected_output="A short brief", agent=writer, context=[research])

    crew = Crew(agents=[researcher, writer], tasks=[research, brief])
    ```

    ## Known problems
    A task that leaves `context` unspecified in a sequential crew also receives every earlier task's
    raw output; the rule does not report these implicit hops, because every task of CrewAI's project
    template is such a hop and most of them hand prose to a writer on purpose. An `output_pydantic`
    counts as validation although CrewAI only logs a failed conversion and passes the raw text on.
    A task whose settings cannot all be read (an opaque `**kwargs`, a YAML file or entry agentlint
    cannot find) is not reported as a producer.
    """

    code = "AGL201"
    name = "unvalidated-task-context"
    summary = "task output passed as another task's context without a schema or guardrail"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for hop in graph.hops():
            if hop.mechanism != "task-context" or hop.validated is not False:
                continue
            producer, consumer = graph.task(hop.producer), graph.task(hop.consumer)
            if producer is None or consumer is None:
                continue
            yield self.finding(
                hop.location,
                f"task {_who(graph, consumer)} receives the raw output of task {_who(graph, producer)} through "
                f"`context`, and `{_name(producer)}` has no `output_pydantic`, `output_json`, `response_model` "
                "or guardrail",
                related=_related(hop, producer, consumer),
                fix_title=f"Give `{_name(producer)}` an `output_pydantic` model or a guardrail",
                anchor=hop.id,
            )


def _name(task: Task) -> str:
    return task.name or task.id.rsplit(".", 1)[-1]


def _who(graph: PipelineGraph, task: Task) -> str:
    agent = graph.agent(task.agent)
    return f"`{_name(task)}` (agent `{agent.id.rsplit('.', 1)[-1]}`)" if agent else f"`{_name(task)}`"


def _related(hop: Hop, producer: Task, consumer: Task) -> list[RelatedLocation]:
    related = [RelatedLocation(location=producer.config or producer.location,
                               message=f"task `{_name(producer)}` is defined here without a schema or guardrail")]
    if hop.location.path != consumer.location.path:
        related.append(RelatedLocation(location=consumer.location,
                                       message=f"task `{_name(consumer)}` loads its `context` from the YAML config here"))
    return related
