"""The Pydantic AI adapter: agents with their output schema, tools and limits, runs as agent calls with
their request limit, run-output hops and sub-agent delegations. Rules are covered by their fixtures;
this checks the facts they stand on."""

from __future__ import annotations

import textwrap

from agentlint.ir import BoundStatus, CallKind, Fragment, Provenance
from agentlint.python.extract import extract_python

SOURCE = '''
from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput, RunContext, Tool, UsageLimits
from pydantic_ai.agent import Agent as PydanticAgent

LIMITS = UsageLimits(request_limit=12)


class Plan(BaseModel):
    steps: list[str]


def make_writer() -> Agent:
    return Agent("openai:gpt-4o", output_type=str, tool_timeout=30)


async def lookup(ctx: RunContext[None], term: str) -> str:
    return (await helper.run(term, **ctx.deps)).output


planner = PydanticAgent("openai:gpt-4o", name="planner", output_type=NativeOutput([Plan]), max_concurrency=3)
helper = Agent[None, str]("openai:gpt-4o", tools=[Tool(lookup)])
writer = make_writer()


@planner.tool_plain(retries=2)
def outline(topic: str) -> str:
    return writer.run_sync(topic, usage_limits=LIMITS).output


async def answer(question: str) -> str:
    plan = await planner.run(question, usage_limits=UsageLimits(request_limit=None), timeout=60)
    text = await helper.run(question)
    return (await writer.run(f"{text.output}\\n{plan.output}")).output
'''


def _fragment() -> Fragment:
    return extract_python("app/agents.py", textwrap.dedent(SOURCE), "app.agents")


def test_agents_carry_their_output_schema_tools_and_limits() -> None:
    agents = {agent.id: agent for agent in _fragment().agents}
    assert set(agents) == {"app.agents.make_writer", "app.agents.planner", "app.agents.helper"}
    planner, helper, writer = agents["app.agents.planner"], agents["app.agents.helper"], agents["app.agents.make_writer"]
    assert (planner.framework, planner.name, planner.output_schema) == ("pydantic-ai", "planner", "NativeOutput([Plan])")
    assert helper.output_schema is None and writer.output_schema is None  # absent, and `str`
    assert planner.tools == ("app.agents.outline",) and helper.tools == ("app.agents.lookup",)
    assert planner.limits["max_concurrency"].value == 3
    assert helper.limits["max_concurrency"].status is BoundStatus.UNBOUNDED
    assert writer.limits["tool_timeout"].value == 30


def test_runs_are_agent_calls_with_their_request_limit() -> None:
    fragment = _fragment()
    limits = [(run.target, run.method, run.limits["request_limit"]) for run in fragment.run_sites]
    facts = [(target, method, bound.status, bound.provenance, bound.value) for target, method, bound in limits]
    assert facts == [
        ("app.agents.helper", "run", BoundStatus.UNKNOWN, Provenance.UNKNOWN, None),  # `**ctx.deps`
        ("app.agents.make_writer", "run_sync", BoundStatus.BOUNDED, Provenance.EXPLICIT, 12),  # `LIMITS`
        ("app.agents.planner", "run", BoundStatus.UNBOUNDED, Provenance.EXPLICIT, None),
        ("app.agents.helper", "run", BoundStatus.BOUNDED, Provenance.DEFAULT, 50),  # `UsageLimits()`
        ("app.agents.make_writer", "run", BoundStatus.BOUNDED, Provenance.DEFAULT, 50),
    ]
    assert limits[1][2].source is not None and limits[1][2].source.start.row == 6  # the constant's definition
    calls = [call for call in fragment.calls if call.kind is CallKind.AGENT]
    assert [call.target.rsplit(".", 1)[1] for call in calls] == [method for _, method, _ in limits]
    assert [call.cap.value if call.cap else None for call in calls] == [None, None, 3, None, None]
    assert [call.timeout.value for call in calls] == [None, None, 60, None, None]


def test_run_output_hops_and_delegations() -> None:
    fragment = _fragment()
    hops = sorted((hop.producer, hop.consumer, hop.mechanism) for hop in fragment.hops)
    assert hops == [("app.agents.helper", "app.agents.make_writer", "run-output"),
                    ("app.agents.planner", "app.agents.make_writer", "run-output")]
    delegations = {(item.tool, item.parent, item.child): item.shares_budget for item in fragment.delegations}
    assert delegations == {
        ("app.agents.outline", "app.agents.planner", "app.agents.make_writer"): False,
        ("app.agents.lookup", "app.agents.helper", "app.agents.helper"): None,  # `**ctx.deps` may hold `usage`
    }


def test_runs_of_imported_names_are_run_sites_but_not_model_work() -> None:
    source = textwrap.dedent('''
        import subprocess

        from pydantic_ai import UsageLimits

        from app.agents import planner


        def plan(question: str) -> str:
            subprocess.run(["true"])
            return planner.run_sync(question, usage_limits=UsageLimits(request_limit=200)).output
    ''')
    fragment = extract_python("app/main.py", source, "app.main")
    assert [(run.target, run.limits["request_limit"].value) for run in fragment.run_sites] == [("app.agents.planner", 200)]
    assert [call for call in fragment.calls if call.kind is CallKind.AGENT] == []
