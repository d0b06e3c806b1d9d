"""What pre-commit and editors rely on: naming only some files still builds the whole project's
graph (a finding in ``state.py`` needs the nodes in ``nodes.py``), reports only findings that touch
the named files, and reuses cached per-file results."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentlint.cli import main

SHOWCASE = Path(__file__).resolve().parents[1] / "fixtures" / "showcase"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SHOWCASE, tmp_path / "app")
    (tmp_path / "app" / "agentlint.toml").write_text("")
    monkeypatch.chdir(tmp_path / "app")
    return tmp_path / "app"


def concise(*args: str, stdin: str | None = None) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", "-o", "concise", *args], input=stdin)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout.splitlines()


def test_a_named_file_gets_findings_that_need_other_modules(project: Path) -> None:
    _, lines = concise("research_pipeline/state.py")
    assert [line.split(" ")[1] for line in lines] == ["AGL401"]
    assert all(line.startswith("research_pipeline/state.py:") for line in lines)


def test_only_findings_touching_the_named_file_are_reported(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "-o", "json", "research_pipeline/nodes.py"])
    records = json.loads(result.stdout)
    touched = [{record["filename"], *(related["filename"] for related in record["related"])} for record in records]
    assert records and all("research_pipeline/nodes.py" in files for files in touched)
    assert "research_pipeline/tools.py" not in {record["filename"] for record in records}
    # graph.py holds no primary finding, but it is where the nodes of the AGL401 in state.py are added
    graph = json.loads(CliRunner().invoke(main, ["check", "-o", "json", "research_pipeline/graph.py"]).stdout)
    assert "AGL401" in {record["code"] for record in graph}
    assert all(record["filename"] != "research_pipeline/graph.py" for record in graph)


def test_stdin_sees_the_rest_of_the_project(project: Path) -> None:
    source = (project / "research_pipeline/state.py").read_text()
    _, from_disk = concise("research_pipeline/state.py")
    _, from_stdin = concise("--stdin-filename", "research_pipeline/state.py", stdin=source)
    assert from_stdin == from_disk


def test_cached_results_give_the_same_report_and_survive_corruption(project: Path) -> None:
    first = concise(".")
    cache = project / ".agentlint_cache"
    entries = [path for path in cache.rglob("*") if path.is_file() and path.name != ".gitignore"]
    assert entries and (cache / ".gitignore").read_text().strip().endswith("*")
    assert concise(".") == first
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    assert concise(".") == first
    assert concise("--no-cache", ".") == first


def test_an_edited_file_is_analysed_again(project: Path) -> None:
    concise(".")
    tools = project / "research_pipeline/tools.py"
    tools.write_text(tools.read_text().replace("params={\"q\": query})", "params={\"q\": query}, timeout=10)"))
    _, lines = concise("research_pipeline/tools.py")
    assert not any(":12:" in line for line in lines)


def test_gitignore_above_the_project_root_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monorepo: the repository's top-level .gitignore covers a service that has its own config."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("svc/generated/\n")
    service = tmp_path / "svc"
    (service / "generated").mkdir(parents=True)
    (service / "agentlint.toml").write_text("")
    bad = "import requests\nrequests.get('https://example.com')\n"
    (service / "generated" / "client.py").write_text(bad)
    (service / "app.py").write_text(bad)
    monkeypatch.chdir(service)
    _, lines = concise(".")
    assert [line.split(":")[0] for line in lines] == ["app.py"]


def test_snake_case_rule_option_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "agentlint.toml").write_text("[options.llm-call-without-timeout]\nmax_seconds = 10\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2 and "did you mean `max-seconds`" in result.stderr
