from collections.abc import Iterator

from agentlint.findings import Finding, Location, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import FanOut, FunctionFacts
from agentlint.rule import GraphRule, Precision


# Frameworks that run the tool calls of one step in a thread pool.
THREADED_TOOL_FRAMEWORKS = frozenset({"smolagents"})


class UnsynchronisedGlobalUpdate(GraphRule):
    """
    ## What it does
    Reports a read-modify-write of module state (`global total` then `total += n` or
    `total = total + n`; an item or attribute of a module-level object, `USAGE["tokens"] += n` or
    `counts[k] = counts.get(k, 0) + 1`) with no lock held, in a function that runs in several threads
    at once: handed to `ThreadPoolExecutor.map`/`submit`, started as `threading.Thread(target=...)` in
    a loop, run with `asyncio.to_thread` inside `asyncio.gather`, or a tool of a smolagents
    `ToolCallingAgent` (which runs the tool calls of one step in a thread pool unless
    `max_tool_threads=1`).

    ## Why is this bad?
    `x += n` on a global or a dict item is a load, an add and a store; two threads interleave them and one update is
    lost, silently. Agents fanned out over a thread pool that add to a shared token budget, a cost
    counter or a "documents processed" tally under-count, so the budget check that relies on the
    counter lets the pipeline spend past its limit.

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor

    from openai import OpenAI

    client = OpenAI(timeout=60)
    tokens_used = 0


    def summarise(doc: str) -> str:
        global tokens_used
        reply = client.responses.create(model="gpt-4o-mini", input=doc)
        tokens_used += reply.usage.total_tokens
        return reply.output_text


    def summarise_all(docs: list[str]) -> list[str]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(summarise, docs, timeout=600))
    ```

    Use instead:
    ```python
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from openai import OpenAI

    client = OpenAI(timeout=60)
    tokens_used = 0
    tokens_lock = threading.Lock()


    def summarise(doc: str) -> str:
        global tokens_used
        reply = client.responses.create(model="gpt-4o-mini", input=doc)
        with tokens_lock:
            tokens_used += reply.usage.total_tokens
        return reply.output_text


    def summarise_all(docs: list[str]) -> list[str]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(summarise, docs, timeout=600))
    ```

    ## Known problems
    Only updates made directly in the function the threads run are seen (not in helpers it calls).
    Shared objects count when they are module-level names bound by assignment; an object passed in
    as an argument or reached through `self` (`self.total += 1`) is not followed, since agentlint
    cannot tell whether the threads share it. In-place calls (`counts.append(x)`, `d.update(...)`) are
    atomic under the GIL and are not reported. Any `with` on something named like a lock counts as holding one. Async tasks are not
    reported: without an `await` inside the statement, asyncio does not interleave it.
    """

    code = "AGL403"
    name = "unsynchronised-global-update"
    summary = "global read-modify-write in a function that runs in several threads"
    severity = Severity.WARNING
    precision = Precision.MEDIUM  # heuristics decide what counts as a bound; see Known problems

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        seen: set[tuple[str, int, int]] = set()
        for facts, runner, where in _threaded_functions(graph):
            for update in facts.global_updates:
                key = (update.location.path, update.location.start.row, update.location.start.column)
                if update.locked or key in seen:
                    continue
                seen.add(key)
                yield self.finding(
                    update.location,
                    f"`{facts.id.rsplit('.', 1)[-1]}` updates module state `{update.name}` without a lock, and "
                    f"{runner} runs it in several threads at once: updates get lost",
                    related=[RelatedLocation(location=where, message=f"{runner} starts the threads")],
                    fix_title=f"Hold a `threading.Lock` around the update of `{update.name}`, or return the value "
                              "and sum it in the caller",
                    anchor=f"{facts.id}:{update.name}",
                )


def _threaded_functions(graph: PipelineGraph) -> Iterator[tuple[FunctionFacts, str, Location]]:
    """Functions that run in several threads at once, with what starts the threads and where: handed
    to an executor or to threads by a fan-out, or a tool of a smolagents `ToolCallingAgent`, which
    runs the tool calls of one step in a thread pool unless `max_tool_threads=1`."""
    fan_out: FanOut
    for fan_out in graph.facts_of("fan_outs"):
        facts = graph.function(fan_out.spawns) if fan_out.threads else None
        if facts is not None:
            yield facts, f"`{fan_out.mechanism}`", fan_out.location
    for facts, agent in graph.parallel_tools(THREADED_TOOL_FRAMEWORKS):
        yield facts, f"agent `{agent.name or agent.id.rsplit('.', 1)[-1]}` (parallel tool calls)", agent.location
