"""Adopting agentlint with a baseline: recorded findings stay quiet, new ones fail, and moving code
around (lines inserted above a finding) does not make an old finding new."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from agentlint.cli import main

OLD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "-o", "concise", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agentlint.toml").write_text("")
    (tmp_path / "tools.py").write_text(OLD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_recorded_findings_are_quiet_and_new_ones_fail(project: Path) -> None:
    code, _, stderr = run(".", "--write-baseline", "baseline.json")
    assert code == 0 and "recorded 1 finding" in stderr
    assert run(".", "--baseline", "baseline.json")[:2] == (0, "")
    (project / "tools.py").write_text("\n\n# moved down\n" + OLD + "\n\ndef post(url):\n    return requests.post(url)\n")
    code, stdout, _ = run(".", "--baseline", "baseline.json")
    assert code == 1
    assert stdout.splitlines() == [
        "tools.py:12:12: AGL101 `requests.post` can wait forever: requests waits forever when no `timeout` is given"
    ]


def test_a_file_that_is_not_a_baseline_is_a_usage_error(project: Path) -> None:
    (project / "baseline.json").write_text('{"something": "else"}')
    code, _, stderr = run(".", "--baseline", "baseline.json")
    assert code == 2 and "not an agentlint baseline" in stderr
