from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import FunctionFacts, Graph, ParsedOutput
from agentlint.rule import GraphRule, Precision


class UnvalidatedModelOutput(GraphRule):
    """
    ## What it does
    Reports a model's free-text reply parsed into data (`json.loads`, `ast.literal_eval`,
    `yaml.safe_load`) and used without a schema check: in the function that called the model, or in a
    LangGraph node that parses a state key another node filled with a model's raw reply. A function
    that validates (`Model.model_validate(...)`, `TypeAdapter(...).validate_python(...)`,
    `jsonschema.validate(...)`, `Model(**data)`) is left alone.

    ## Why is this bad?
    A model asked for JSON returns almost-JSON often enough: a missing key, a string where a list was
    meant, a plausible but wrong field. Parsed without a schema, that output becomes the next agent's
    ground truth and the error surfaces far downstream, or never. Structured output
    (`with_structured_output`, `response_format`, `output_type`) or a validation step stops it at the hop.

    ## Example
    ```python
    import json

    from openai import OpenAI

    client = OpenAI(timeout=60)


    def plan(task: str) -> list:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Plan as JSON steps: {task}"}]
        )
        return json.loads(reply.choices[0].message.content)["steps"]
    ```

    Use instead:
    ```python
    from openai import OpenAI
    from pydantic import BaseModel

    client = OpenAI(timeout=60)


    class Plan(BaseModel):
        steps: list[str]


    def plan(task: str) -> list:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Plan as JSON steps: {task}"}]
        )
        return Plan.model_validate_json(reply.choices[0].message.content).steps
    ```

    ## Known problems
    Any validator call in the same function counts as validating the parse, whichever value it checks.
    Text is recognised as a model's reply through `.content`, `.text`, `.output_text` or
    `.choices[...].message.content` of a recognised model call in the same function. Free text passed
    between agents without being parsed is not reported: that is how agents talk; the hop rules of each
    framework cover declared outputs.
    """

    code = "AGL202"
    name = "unvalidated-model-output"
    summary = "model output parsed into data without a schema check"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # heuristics decide what counts as a bound; see Known problems

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for facts in _all_functions(graph):
            for parse in facts.parses:
                source = parse.source if parse.origin == "model" else (
                    graph.model_call(parse.source) if parse.origin == "foreign" else None)
                if source is not None and not parse.validated:
                    yield self.finding(
                        parse.location,
                        f"`{parse.parser}` turns the reply of `{source}` into data that `"
                        f"{facts.id.rsplit('.', 1)[-1]}` uses without a schema check",
                        fix_title="Request structured output, or validate with a pydantic model "
                                  "(`Model.model_validate_json(...)`)",
                        anchor=f"{facts.id}:{parse.parser}:{source}",
                    )
        for pipeline in graph.graphs:
            yield from self._state_hops(graph, pipeline)

    def _state_hops(self, graph: PipelineGraph, pipeline: Graph) -> Iterator[Finding]:
        nodes = [(node, graph.function(node.function)) for node in pipeline.nodes]
        producers: dict[str, list] = {}
        for node, facts in nodes:
            if facts is None:
                continue
            keys = [*facts.raw_text_keys, *(key for key, path in facts.raw_text_foreign if graph.model_call(path))]
            for key in dict.fromkeys(keys):
                producers.setdefault(key, []).append(node)
        for node, facts in nodes:
            parse: ParsedOutput
            for parse in facts.parses if facts else ():
                writers = producers.get(parse.source, [])
                if parse.origin != "state" or parse.validated or not writers:
                    continue
                yield self.finding(
                    parse.location,
                    f"node `{node.name}` parses state key `{parse.source}` with `{parse.parser}`, but "
                    f"{', '.join(f'`{w.name}`' for w in writers)} fill it with a model's raw text and nothing "
                    "checks it against a schema",
                    related=[RelatedLocation(location=w.location, message=f"node `{w.name}` writes raw model text "
                                                                          f"to `{parse.source}`") for w in writers],
                    fix_title="Have the producing node use structured output, or validate the parsed value",
                    anchor=f"{pipeline.id}:{node.name}:{parse.source}",
                )


def _all_functions(graph: PipelineGraph) -> Iterator[FunctionFacts]:
    for fragment in graph.fragments:
        yield from fragment.functions
