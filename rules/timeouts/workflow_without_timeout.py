from collections.abc import Iterator

from agentlint.findings import Finding, Location, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Agent, Bound, BoundStatus, Provenance, RunSite, Team
from agentlint.python.llama_index import FRAMEWORK
from agentlint.rule import GraphRule


class WorkflowWithoutTimeout(GraphRule):
    """
    ## What it does
    Reports a LlamaIndex workflow or agent that runs with no time limit: a `Workflow` subclass built
    with `timeout=None` (at the call or in its own `super().__init__(timeout=None)`), and an
    `AgentWorkflow`, `AgentWorkflow.from_tools_or_functions(...)`, `FunctionAgent`, `ReActAgent` or
    `CodeActAgent` that is run without a `timeout=`, since those default to `timeout=None`. A run
    whose handler is awaited under `asyncio.timeout(...)` or `asyncio.wait_for(..., N)` is bounded.

    ## Why is this bad?
    A workflow's `timeout` is the only thing that ends a run whose steps keep waiting on each other or
    on a model: a step that never emits the event the next one needs, a handoff loop between agents,
    a tool that hangs. Plain workflows give up after 45 s by default, but LlamaIndex's agent classes
    override that with no limit at all, so a stuck run holds its caller forever.

    ## Example
    ```python
    from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent

    researcher = FunctionAgent(name="researcher", description="Finds sources", tools=[])
    writer = FunctionAgent(name="writer", description="Writes the report", tools=[])
    team = AgentWorkflow(agents=[researcher, writer], root_agent="researcher")


    async def answer(question: str) -> str:
        return str(await team.run(user_msg=question))
    ```

    Use instead:
    ```python
    from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent

    researcher = FunctionAgent(name="researcher", description="Finds sources", tools=[])
    writer = FunctionAgent(name="writer", description="Writes the report", tools=[])
    team = AgentWorkflow(agents=[researcher, writer], root_agent="researcher", timeout=300)


    async def answer(question: str) -> str:
        return str(await team.run(user_msg=question))
    ```

    ## Known problems
    An explicit `timeout=None` is reported even when no run is seen; a workflow or agent left at its
    unbounded default is reported only when this project runs it in the module that builds it, so one
    built in one module and run from another is not reported. Only `Workflow` subclasses defined in
    the module that constructs them are recognised. A handler counts as bounded when every `await` of
    it in the function that starts the run is under a timeout; one returned to a caller or kept on
    an object is not followed, and its run is not reported. A project with its own top-level `workflows` package shadows the framework, and the
    rule then stays quiet about every LlamaIndex workflow in it.
    """

    code = "AGL105"
    name = "workflow-without-timeout"
    summary = "LlamaIndex workflow or agent run with no time limit"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        runs: dict[str, list[RunSite]] = {}
        for fragment in graph.fragments:
            for run in fragment.run_sites:
                if run.framework == FRAMEWORK:
                    runs.setdefault(run.target, []).append(run)
        # A class's own ``super().__init__(timeout=None)`` is one finding for every construction of it.
        found: dict[Location, tuple[Team | Agent, Bound, list[RunSite]]] = {}
        owner: Team | Agent
        for owner in [*graph.teams, *graph.agents]:
            timeout = owner.limits.get("timeout")
            if owner.framework != FRAMEWORK or timeout is None or timeout.status is not BoundStatus.UNBOUNDED:
                continue
            seen = runs.get(owner.id, [])
            unbounded = [run for run in seen if "timeout" not in run.limits]
            explicit = timeout.provenance is Provenance.EXPLICIT
            if unbounded or (explicit and not seen):
                primary = timeout.source if explicit and timeout.source else owner.location
                found.setdefault(primary, (owner, timeout, []))[2].extend(unbounded)
        for primary, (owner, timeout, unbounded) in found.items():
            label = _label(owner)
            yield self.finding(
                primary,
                f"{label} has no time limit on its runs: {timeout.detail}",
                related=[RelatedLocation(location=run.location, message=f"{label} runs here with no timeout")
                         for run in unbounded],
                fix_title="Pass a finite `timeout=` (seconds), or await the run under `asyncio.timeout(...)`",
                anchor=owner.id,
            )

def _label(owner: Team | Agent) -> str:
    """``workflow `flow` (`ResearchFlow`)``; a workflow built inline by its class alone."""
    name = owner.id.rsplit(".", 1)[-1]
    if isinstance(owner, Agent):
        return f"agent `{name}`"
    return f"workflow `{owner.name}`" if name.startswith("<") else f"workflow `{name}` (`{owner.name}`)"
