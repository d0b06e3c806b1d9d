"""The showcase is what a new user runs first: it must show every failure family, across modules and
YAML, with related locations pointing at the other end of each problem."""

import json
from pathlib import Path

from click.testing import CliRunner

from agentlint.cli import main

SHOWCASE = Path(__file__).resolve().parents[1] / "fixtures" / "showcase"


def findings() -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(SHOWCASE), "-o", "json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_every_failure_family_is_reported() -> None:
    families = {record["code"][:4] for record in findings()}
    assert {"AGL1", "AGL2", "AGL3", "AGL4", "AGL5"} <= families


def test_findings_span_modules_and_yaml_with_related_locations() -> None:
    records = findings()
    by_code = {record["code"]: record for record in records}
    yaml_hop = by_code["AGL201"]
    assert yaml_hop["filename"].endswith("review_crew/config/tasks.yaml")
    assert any(related["filename"].endswith("review_crew/crew.py") for related in yaml_hop["related"])
    parallel = by_code["AGL401"]
    assert parallel["filename"].endswith("research_pipeline/state.py")
    assert {Path(related["filename"]).name for related in parallel["related"]} == {"graph.py"}
    model = by_code["AGL102"]
    assert any(related["filename"].endswith("nodes.py") for related in model["related"])
    assert len({Path(record["filename"]).name for record in records}) >= 8


def test_agent_framework_findings_name_their_agents_and_teams() -> None:
    desk = {record["code"]: record["message"] for record in findings()
            if record["filename"].endswith("support_desk.py")}
    assert set(desk) == {"AGL203", "AGL204", "AGL505", "AGL506"}
    assert "`planner`" in desk["AGL203"] and "`triage`" in desk["AGL203"]
    assert "`refunds`" in desk["AGL204"]
    assert "`review_team`" in desk["AGL505"] and "`reviewer`" in desk["AGL505"]
