"""The LlamaIndex adapter: workflows, agent workflows and agents with their time limits, handoffs, runs
with their iteration and wrapper bounds, and the step fan-outs a ``ctx.send_event`` loop starts. Rules
are covered by their fixtures; this checks the facts they stand on (llama-index itself is not
installed: extraction is static)."""

from __future__ import annotations

import textwrap

from agentlint.ir import BoundStatus, Fragment, Provenance
from agentlint.python.extract import extract_python

PIPELINE = '''
import asyncio

from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent
from llama_index.core.workflow import Context, Event, StartEvent, StopEvent, Workflow, step


class Topic(Event):
    name: str


class Flow(Workflow):
    def __init__(self, timeout: float | None = None, **kwargs) -> None:
        super().__init__(timeout=timeout, **kwargs)

    @step
    async def plan(self, ctx: Context, ev: StartEvent) -> Topic | None:
        for name in ev.topics:
            ctx.send_event(Topic(name=name))
        return None

    @step(num_workers=2)
    async def research(self, ctx: Context, ev: Topic) -> StopEvent:
        return StopEvent(result=ev.name)


researcher = FunctionAgent(name="researcher", description="d", tools=[], can_handoff_to=["writer"])
writer = FunctionAgent(name="writer", description="d", tools=[])
critic = FunctionAgent(name="critic", description="d", tools=[], timeout=30, **settings)
team = AgentWorkflow(agents=[researcher, writer], root_agent="researcher", timeout=120)
flow = Flow()
bounded_flow = Flow(timeout=60)


async def main(question: str) -> None:
    handler = team.run(user_msg=question, max_iterations=40)
    async with asyncio.timeout(300):
        await handler
    await writer.run(user_msg=question, start_event=None)
    await flow.run(topics=["a"])
    await bounded_flow.run(topics=["b"])
'''


def _extract(source: str, path: str = "app/pipeline.py") -> Fragment:
    return extract_python(path, textwrap.dedent(source), "app.pipeline")


def test_agents_teams_and_handoffs() -> None:
    fragment = _extract(PIPELINE)
    agents = {agent.id: agent for agent in fragment.agents}
    assert agents["app.pipeline.researcher"].delegates == ("app.pipeline.writer",)
    assert agents["app.pipeline.writer"].delegates == ("app.pipeline.researcher",)  # can_handoff_to=None: all others
    assert agents["app.pipeline.writer"].limits["timeout"].status is BoundStatus.UNBOUNDED
    assert agents["app.pipeline.writer"].limits["timeout"].provenance is Provenance.DEFAULT
    assert not agents["app.pipeline.critic"].complete
    teams = {team.id: team for team in fragment.teams}
    assert teams["app.pipeline.team"].agents == ("app.pipeline.researcher", "app.pipeline.writer")
    assert teams["app.pipeline.team"].limits["timeout"].value == 120


def test_subclass_init_forwards_the_timeout_with_its_own_default() -> None:
    teams = {team.id: team for team in _extract(PIPELINE).teams}
    flow = teams["app.pipeline.flow"].limits["timeout"]
    bounded = teams["app.pipeline.bounded_flow"].limits["timeout"]
    assert (flow.status, flow.provenance) == (BoundStatus.UNBOUNDED, Provenance.EXPLICIT)
    assert (bounded.status, bounded.value) == (BoundStatus.BOUNDED, 60)


def test_runs_carry_iterations_and_the_handler_wrapper() -> None:
    fragment = _extract(PIPELINE)
    runs = {run.target: run for run in fragment.run_sites}
    team_run = runs["app.pipeline.team"]
    assert team_run.limits["max_iterations"].value == 40
    assert team_run.limits["timeout"].provenance is Provenance.WRAPPER
    assert runs["app.pipeline.writer"].limits["max_iterations"].status is BoundStatus.UNKNOWN  # start_event=
    assert "max_iterations" not in runs["app.pipeline.flow"].limits  # plain workflows have no iterations
    calls = {call.id: call for call in fragment.calls}
    assert calls["app.pipeline:main->app.pipeline.team.run"].timeout.value == 300
    assert calls["app.pipeline:main->app.pipeline.flow.run"].target == "workflows.workflow.Workflow.run"


def test_send_event_in_a_loop_fans_out_to_the_step_taking_the_event() -> None:
    (fan_out,) = _extract(PIPELINE).fan_outs
    assert fan_out.spawns == "app.pipeline.Flow.research"
    assert (fan_out.cap.value, fan_out.width) == (2, BoundStatus.UNBOUNDED)


def test_a_single_worker_step_is_no_fan_out() -> None:
    assert not _extract(PIPELINE.replace("num_workers=2", "num_workers=1")).fan_outs


def test_the_standalone_workflows_package_is_the_same_engine() -> None:
    source = PIPELINE.replace(
        "from llama_index.core.workflow import Context, Event, StartEvent, StopEvent,",
        "from workflows.events import Event, StartEvent, StopEvent\nfrom workflows import Context,",
    )
    teams = {team.id: team for team in _extract(source).teams}
    assert teams["app.pipeline.bounded_flow"].limits["timeout"].value == 60
    assert _extract(source).fan_outs


def test_a_plain_workflow_takes_its_timeout_first() -> None:
    source = PIPELINE.replace("class Flow(Workflow):\n    def __init__", "class Flow(Workflow):\n    def _unused")
    teams = {team.id: team for team in _extract(source.replace("Flow(timeout=60)", "Flow(60)")).teams}
    assert teams["app.pipeline.bounded_flow"].limits["timeout"].value == 60
    assert teams["app.pipeline.flow"].limits["timeout"].provenance is Provenance.DEFAULT  # 45 s
