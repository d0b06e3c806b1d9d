"""``agentlint graph``: the JSON round-trips through the pydantic model, the Mermaid and dot texts are
well-formed, and the coverage summary tells what was not understood."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentlint.cli import main
from agentlint.views import GraphReport

SHOWCASE = Path(__file__).resolve().parents[1] / "fixtures" / "showcase"


def run_graph(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, ["graph", str(SHOWCASE), *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_json_round_trips_through_the_model() -> None:
    text, _ = run_graph("--format", "json")
    report = GraphReport.model_validate_json(text)
    assert report.model_dump_json(indent=2) + "\n" == text
    graph_ids = [graph.id for fragment in report.fragments for graph in fragment.graphs]
    assert graph_ids == ["research_pipeline.graph.builder"]
    assert report.coverage.graphs == 1 and report.coverage.graph_nodes == 5


def test_mermaid_is_a_flowchart_with_balanced_subgraphs_and_safe_ids() -> None:
    text, stderr = run_graph("--format", "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith(("%%", "classDef", "class ", "subgraph", "end")):
            continue
        # every statement starts with a node id of word characters
        assert re.match(r"^n_\w+", stripped), line
        # quotes only delimit labels: an even number per line
        assert stripped.count('"') % 2 == 0, line
    assert '"plan"' in text and "==>" in text  # a node and the Send edge
    assert "unknown values" in stderr


def test_dot_is_balanced_and_quotes_every_id() -> None:
    text, _ = run_graph("--format", "dot")
    assert text.startswith("digraph agentlint {") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    edges = [line for line in text.splitlines() if " -> " in line]
    assert edges and all(re.match(r'^\s+"[^"]+" -> "[^"]+" \[', line) for line in edges)


def test_cross_module_calls_appear_in_the_picture() -> None:
    text, _ = run_graph("--format", "mermaid")
    # nodes.py calls the chat model that models.py constructs
    assert re.search(r"n_scope_research_pipeline_nodes_plan -->.*n_client_research_pipeline_models_planner_model", text)


# One well-guarded sample pipeline per agent framework: the picture shows its agents, the runs that
# start them, how its teams stop, and every Mermaid statement stays well-formed.
FRAMEWORK_SAMPLES = {
    "autogen": "AGL505-self-decided-termination/ok-text-mention-with-bound",
    "openai-agents": "AGL203-unvalidated-agent-output/ok-agents-sdk-validated",
    "pydantic-ai": "AGL306-sub-agent-outside-usage-budget/ok-shared-usage",
    "smolagents": "AGL203-unvalidated-agent-output/ok-smolagents-pipeline",
    "llama-index": "AGL105-workflow-without-timeout/ok-llama-index-bounded",
}


@pytest.mark.parametrize("framework", sorted(FRAMEWORK_SAMPLES))
def test_each_framework_sample_shows_agents_and_runs(framework: str) -> None:
    sample = SHOWCASE.parent / FRAMEWORK_SAMPLES[framework]
    result = CliRunner().invoke(main, ["graph", str(sample), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = GraphReport.model_validate_json(result.stdout)
    agents = [agent for fragment in report.fragments for agent in fragment.agents]
    assert agents and all(agent.framework == framework for agent in agents)
    assert report.coverage.agent_runs > 0 and report.coverage.run_sites > 0
    mermaid = CliRunner().invoke(main, ["graph", str(sample), "--format", "mermaid"]).stdout
    lines = mermaid.splitlines()
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
    assert f"{framework} agent" in mermaid
    assert all(line.strip().count('"') % 2 == 0 for line in lines)
