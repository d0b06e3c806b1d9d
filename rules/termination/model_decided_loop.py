from collections.abc import Iterator

from agentlint.findings import Finding, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Loop
from agentlint.rule import GraphRule, Precision


class ModelDecidedLoop(GraphRule):
    """
    ## What it does
    Reports a hand-written `while` loop that calls a model in its body and whose only ways out (the
    loop condition, and the `if`s that `break`, `return` or `raise`) test the model's output: no turn
    counter, no length, no deadline, no numeric comparison.

    ## Why is this bad?
    "Loop until the model says DONE" ends only if the model cooperates. A model that never emits the
    word, or keeps asking for one more tool call, keeps the loop (and the bill) running forever; nothing
    outside the model bounds it.

    ## Example
    ```python
    from openai import OpenAI

    client = OpenAI(timeout=60)


    def solve(task: str) -> str:
        messages = [{"role": "user", "content": task}]
        while True:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            text = reply.choices[0].message.content
            if "DONE" in text:
                return text
            messages.append({"role": "assistant", "content": text})
    ```

    Use instead:
    ```python
    from openai import OpenAI

    client = OpenAI(timeout=60)
    MAX_TURNS = 8


    def solve(task: str) -> str:
        messages = [{"role": "user", "content": task}]
        for _ in range(MAX_TURNS):
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            text = reply.choices[0].message.content
            if "DONE" in text:
                return text
            messages.append({"role": "assistant", "content": text})
        raise RuntimeError("no answer within MAX_TURNS")
    ```

    ## Known problems
    An exit counts as external when it compares against a number, uses `len(...)`, or reads a
    counter- or time-like name (`turns`, `attempts`, `deadline`, `max_...`); that is generous on
    purpose. Only model calls and agent runs agentlint recognises (openai, anthropic, LangChain chat
    models, the agent frameworks' runs) in the loop body itself are seen. A loop with no exit at all
    (a console chat, a worker) is not the model's to end and is not reported; neither is a loop that
    waits on a person every pass (`input()`, approving a run's `interruptions`), nor one whose runs
    share a usage budget across passes (Pydantic AI's `usage=`).
    """

    code = "AGL502"
    name = "model-decided-loop"
    summary = "while loop around model calls that only the model's output can end"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # heuristics decide what counts as a bound; see Known problems

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        loop: Loop
        for loop in graph.facts_of("loops"):
            if loop.external_exit:
                continue
            yield self.finding(
                loop.location,
                f"this loop calls `{loop.calls[0]}` and ends only when the model's output says so ({loop.exit_detail})",
                fix_title="Bound it: `for _ in range(MAX_TURNS)`, a turn counter, or a deadline",
                anchor=loop.id,
            )
