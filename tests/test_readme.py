"""The README is the first thing a user runs: its rule table must match the registry, and it must keep
exactly the two set-up commands (install + showcase, tests) that .ci/run executes."""

import re
from pathlib import Path

from agentlint.registry import all_rules

README = Path(__file__).resolve().parents[1] / "README.md"


def test_rule_table_lists_every_rule_with_its_summary() -> None:
    rows = re.findall(r"^\| (AGL\d{3}) \| ([a-z0-9-]+) \| ([a-z -]+) \| (.+) \|$", README.read_text(), re.M)
    expected = [(rule.code, rule.name, rule.family(), rule.summary) for rule in all_rules()]
    assert rows == expected


def test_readme_has_the_two_setup_commands_that_ci_runs() -> None:
    text = README.read_text()
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```console\n(.+?)\n```", setup)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/agentlint check fixtures/showcase",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/pytest",
    ]
    ci = (README.parent / ".ci/run").read_text()
    assert "agentlint check fixtures/showcase" in ci and ".venv/bin/pytest" in ci
