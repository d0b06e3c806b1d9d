from collections.abc import Iterator

from agentlint.findings import Finding, Location, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import FanOut, FunctionFacts
from agentlint.rule import GraphRule, Precision


# Frameworks that run the tool calls of one model turn concurrently by default (LlamaIndex agents send
# one event per tool call to a `call_tool` step with four workers).
PARALLEL_TOOL_FRAMEWORKS = frozenset({"openai-agents", "pydantic-ai", "llama-index"})


class AwaitedReadModifyWrite(GraphRule):
    """
    ## What it does
    Reports an async function, run several times at once (`asyncio.gather` over a comprehension,
    `create_task`/`TaskGroup.create_task` in a loop), that reads a module-level dict entry or object
    attribute, awaits, and then writes back a value computed from what it read (`n = STATE["done"]`,
    `await ...`, `STATE["done"] = n + 1`), or does `STATE["spent"] += await cost(...)`.

    An agent's tool does the same to the run's context, which every tool call of the run shares
    (`n = ctx.deps.usage["n"]` or `ctx.context.total` in a Pydantic AI or Agents SDK tool,
    `ctx.store` in a LlamaIndex agent's tool): all three frameworks run the tool calls of one model
    turn at once.

    A LlamaIndex workflow step does the same to the run's shared store (`n = await
    ctx.store.get("n")`, `await ...`, `await ctx.store.set("n", n + 1)`) when another step sends it
    several events in a loop (`ctx.send_event(...)`) and its `@step` allows more than one worker (the
    default is 4).

    ## Why is this bad?
    asyncio switches tasks at every `await`. Two agents that read the shared counter, memory or
    budget before either writes it both write back their own version, and one agent's update is lost
    without an error: the token budget under-counts, the shared notes lose an entry.

    ## Example
    ```python
    import asyncio

    from openai import AsyncOpenAI

    client = AsyncOpenAI(timeout=60)
    usage = {"tokens": 0}


    async def summarise(doc: str) -> str:
        spent = usage["tokens"]
        reply = await client.responses.create(model="gpt-4o-mini", input=doc)
        usage["tokens"] = spent + reply.usage.total_tokens
        return reply.output_text


    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs[:20]))
    ```

    Use instead:
    ```python
    import asyncio

    from openai import AsyncOpenAI

    client = AsyncOpenAI(timeout=60)
    usage = {"tokens": 0}


    async def summarise(doc: str) -> str:
        reply = await client.responses.create(model="gpt-4o-mini", input=doc)
        usage["tokens"] += reply.usage.total_tokens
        return reply.output_text


    async def summarise_all(docs: list[str]) -> list[str]:
        return await asyncio.gather(*(summarise(doc) for doc in docs[:20]))
    ```

    ## Known problems
    Only module-level names and a run context's objects (`ctx.deps.x`, `ctx.context.x`, where the
    parameter is annotated `RunContext[...]`/`RunContextWrapper[...]`) are treated as shared, only in
    the function the tasks or tool calls run (not in helpers it awaits), and only reads into a local followed by a write of the same key in source order. An
    `async with` on anything named like a lock counts as protection. Shared stores with their own API
    (`await store.get(...)` then `await store.put(...)`) are not covered, except a LlamaIndex
    workflow's `ctx.store.get`/`ctx.store.set` with a literal key; `async with ctx.store.edit_state()`
    holds the store's lock and is safe. A step counts as running concurrently only when a step of the
    same workflow class sends its event type in a loop and its `num_workers` is a number above one:
    events returned by a step that itself runs several times, two different steps updating the same
    key, and `get_state`/`set_state` of the whole state are not followed. An agent whose
    `model_settings` agentlint cannot see through, or whose framework's runs pass a `run_config` or
    `model_settings` in this project, may have parallel tool calls turned off and is left alone, as is
    a LlamaIndex agent with `allow_parallel_tool_calls=False`.
    """

    code = "AGL404"
    name = "awaited-read-modify-write"
    summary = "shared state read, awaited over, then overwritten by concurrent tasks"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # source order within one function stands in for control flow

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for facts, runner, where in _concurrent_functions(graph):
            for update in facts.awaited_updates:
                key = (update.location.path, update.location.start.row)
                if key in seen:
                    continue
                seen.add(key)
                yield self.finding(
                    update.location,
                    f"`{facts.id.rsplit('.', 1)[-1]}` writes `{update.name}` back after an `await` with a value "
                    f"read before it, and {runner} runs several copies at once: updates get lost",
                    related=[RelatedLocation(location=where, message=f"{runner} runs the copies")],
                    fix_title="Update in one statement with no `await` in between, or hold an `asyncio.Lock`",
                    anchor=f"{facts.id}:{update.name}",
                )


def _concurrent_functions(graph: PipelineGraph) -> Iterator[tuple[FunctionFacts, str, Location]]:
    """Async functions several copies of which run at once, with what runs them and where: spawned
    by a fan-out, or a tool of an agent whose framework runs the tool calls of one model turn
    together (the Agents SDK unless a run's `run_config` may say otherwise, Pydantic AI unless
    `sequential=True` or `model_settings` may turn parallel calls off, LlamaIndex agents unless
    `allow_parallel_tool_calls=False`)."""
    fan_out: FanOut
    for fan_out in graph.facts_of("fan_outs"):
        facts = None if fan_out.threads else graph.function(fan_out.spawns)
        if facts is not None:
            yield facts, f"`{fan_out.mechanism}`", fan_out.location
    for facts, agent in graph.parallel_tools(PARALLEL_TOOL_FRAMEWORKS):
        yield facts, f"agent `{agent.name or agent.id.rsplit('.', 1)[-1]}` (parallel tool calls)", agent.location
