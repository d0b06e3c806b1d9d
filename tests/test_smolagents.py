"""The smolagents adapter: agents and their step limits, managed agents as hops, runs, the model
clients and saved ``agent.json`` files. Rules are covered by their fixtures; this checks the facts
they stand on, including the ones the fixtures cannot show (ids, unknowns, the graph view)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from agentlint import data
from agentlint.cli import main
from agentlint.ir import BoundStatus, CallKind, Fragment, Provenance
from agentlint.python import smolagents
from agentlint.python.extract import extract_python
from agentlint.views import GraphReport

PIPELINE = Path(__file__).resolve().parents[1] / "fixtures" / "AGL203-unvalidated-agent-output" / "ok-smolagents-pipeline"


def _extract(source: str, path: str = "app/pipeline.py") -> Fragment:
    return extract_python(path, textwrap.dedent(source).lstrip(), "app.pipeline")


def test_agents_ids_limits_checks_and_tools() -> None:
    fragment = _extract('''
        from smolagents import InferenceClientModel, ToolCallingAgent, tool
        from smolagents.agents import CodeAgent as Coder

        model = InferenceClientModel()


        @tool
        def search(query: str) -> str:
            """Search.

            Args:
                query: what to look for.
            """
            return query


        def build_worker():
            worker = ToolCallingAgent(tools=[search], model=model, name="worker", description="d", max_steps=7,
                                      final_answer_checks=[lambda answer, memory, agent=None: True])
            return worker


        default = Coder(tools=[], model=model)
        unset = Coder(tools=[], model=model, max_steps=None)
        opaque = Coder(tools=[], model=model, **OPTIONS)
    ''')
    agents = {agent.id: agent for agent in fragment.agents}
    assert set(agents) == {"app.pipeline.build_worker", "app.pipeline.default", "app.pipeline.unset",
                           "app.pipeline.opaque"}
    worker = agents["app.pipeline.build_worker"]
    assert (worker.name, worker.output_schema, worker.tools) == ("worker", "final_answer_checks", ("app.pipeline.search",))
    assert worker.limits["max_steps"].value == 7 and worker.limits["max_steps"].provenance is Provenance.EXPLICIT
    default = agents["app.pipeline.default"].limits["max_steps"]
    assert (default.status, default.provenance, default.value) == (BoundStatus.BOUNDED, Provenance.DEFAULT, 20)
    unset = agents["app.pipeline.unset"].limits["max_steps"]
    assert unset.status is BoundStatus.BOUNDED and unset.value is None  # runs fail rather than loop
    assert agents["app.pipeline.opaque"].limits["max_steps"].status is BoundStatus.UNKNOWN
    assert not agents["app.pipeline.opaque"].complete


def test_managed_agents_become_hops_unless_built_out_of_sight() -> None:
    fragment = _extract('''
        from smolagents import CodeAgent

        from app.workers import remote

        local = CodeAgent(tools=[], model=None, name="local", description="d")
        manager = CodeAgent(tools=[], model=None, managed_agents=[local, remote])
        panel = CodeAgent(tools=[], model=None, managed_agents=[make(topic) for topic in TOPICS])
        team = CodeAgent(tools=[], model=None, managed_agents=[local, helpers()[0]])
    ''')
    hops = {(hop.producer, hop.consumer, hop.mechanism) for hop in fragment.hops}
    assert hops == {("app.pipeline.local", "app.pipeline.manager", "managed-agent"),
                    ("app.workers.remote", "app.pipeline.manager", "managed-agent"),
                    ("app.pipeline.local", "app.pipeline.team", "managed-agent")}
    assert all(hop.validated is None for hop in fragment.hops)  # assembly decides from the producer
    agents = {agent.id: agent for agent in fragment.agents}
    assert agents["app.pipeline.manager"].delegates == ("app.pipeline.local", "app.workers.remote")
    assert agents["app.pipeline.manager"].complete
    assert not agents["app.pipeline.panel"].complete and not agents["app.pipeline.team"].complete


def test_runs_are_agent_calls_with_their_own_step_limit() -> None:
    fragment = _extract('''
        import subprocess

        from smolagents import CodeAgent

        agent = CodeAgent(tools=[], model=None)


        def main(task: str) -> None:
            agent.run(task, max_steps=300)
            agent.run(task, False, True, None, None, 0)
            agent.run(task)
            subprocess.run(["ls"], timeout=5)
    ''')
    runs = fragment.run_sites
    assert [run.target for run in runs] == ["app.pipeline.agent"] * 3
    explicit, zero, absent = (run.limits["max_steps"] for run in runs)
    assert (explicit.value, explicit.provenance) == (300, Provenance.EXPLICIT)
    assert zero.provenance is Provenance.DEFAULT and absent.provenance is Provenance.DEFAULT  # the agent's own
    agent_calls = [call for call in fragment.calls if call.kind is CallKind.AGENT]
    assert [call.target for call in agent_calls] == [smolagents.RUN] * 3


def test_model_clients_read_timeouts_where_smolagents_sends_them() -> None:
    fragment = _extract('''
        from openai import OpenAI
        from smolagents import InferenceClientModel, OpenAIServerModel

        hub = InferenceClientModel()
        hub_off = InferenceClientModel(timeout=None)
        sdk = OpenAIServerModel(model_id="m")
        kwargs_off = OpenAIServerModel(model_id="m", client_kwargs={"timeout": None})
        request_bound = OpenAIServerModel(model_id="m", timeout=30, client_kwargs={"timeout": None})
        prebuilt = OpenAIServerModel(model_id="m", client=OpenAI(timeout=None))
        opaque = OpenAIServerModel(model_id="m", client_kwargs=load_settings())
    ''')
    clients = {client.id.rsplit(":", 1)[-1]: client.timeout for client in fragment.clients
               if client.kind.startswith("smolagents.")}
    assert (clients["hub"].status, clients["hub"].value) == (BoundStatus.BOUNDED, 120)
    assert clients["hub_off"].status is BoundStatus.UNBOUNDED
    assert (clients["sdk"].status, clients["sdk"].value) == (BoundStatus.BOUNDED, 600)
    assert clients["kwargs_off"].status is BoundStatus.UNBOUNDED
    assert clients["request_bound"].value == 30  # per request, it overrides the client's
    assert clients["prebuilt"].status is BoundStatus.UNKNOWN  # judged where the client is built
    assert clients["opaque"].status is BoundStatus.UNKNOWN


def test_agent_json_is_claimed_and_read() -> None:
    text = json.dumps({"class": "CodeAgent", "tools": [], "managed_agents": {}, "max_steps": 400,
                       "name": "planner"}, indent=2)
    assert data.claims("app/planner/agent.json", text)
    [agent] = smolagents.saved_agent("app/planner/agent.json", json.loads(text), text.splitlines())
    assert (agent.id, agent.name, agent.limits["max_steps"].value) == ("app.planner", "planner", 400)
    assert agent.limits["max_steps"].source is not None and agent.limits["max_steps"].source.start.row == 5
    default = smolagents.saved_agent("agent.json", {"tools": [], "max_steps": None}, [])[0].limits["max_steps"]
    assert default.provenance is Provenance.DEFAULT


def test_run_outputs_become_hops_validated_by_a_schema_on_the_way() -> None:
    fragment = _extract('''
        from smolagents import CodeAgent

        planner = CodeAgent(tools=[], model=None)
        writer = CodeAgent(tools=[], model=None)


        def go(q: str) -> str:
            plan = planner.run(q)
            writer.run(f"Plan:\\n{plan}")
            writer.run(Plan.model_validate_json(planner.run(q)).model_dump_json())
            draft = writer.run(q)
            return writer.run(draft.strip())
    ''')
    hops = [(hop.producer, hop.consumer, hop.mechanism, hop.validated_by) for hop in fragment.hops]
    assert hops == [("app.pipeline.planner", "app.pipeline.writer", "run-output", None),
                    ("app.pipeline.planner", "app.pipeline.writer", "run-output", "Plan")]
    assert fragment.hops[1].id.endswith("#2") and fragment.hops[1].validated


def test_graph_view_shows_the_sample_pipeline() -> None:
    result = CliRunner().invoke(main, ["graph", str(PIPELINE), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = GraphReport.model_validate_json(result.stdout)
    agents = {agent.id for fragment in report.fragments for agent in fragment.agents}
    assert {"app.pipeline.manager", "app.pipeline.searcher", "app.workers.browser"} <= agents
    hops = {hop.id for fragment in report.fragments for hop in fragment.hops}
    assert hops == {"app.pipeline.searcher->app.pipeline.manager", "app.workers.browser->app.pipeline.manager",
                    "app.pipeline:brief:app.pipeline.manager->app.pipeline.writer",
                    "app.pipeline:brief:app.pipeline.searcher->app.pipeline.writer"}
    runs = {run.target for fragment in report.fragments for run in fragment.run_sites}
    assert runs == {"app.pipeline.manager", "app.pipeline.panel", "app.pipeline.searcher", "app.pipeline.writer"}
    assert report.coverage.hops == 4 and report.coverage.unvalidated_hops == 0 and report.coverage.agent_runs == 5
