"""Every rule documents itself the way ruff's rules do, and its documentation is true.

The ``## Example`` blocks are executed: a docs page whose "bad" example does not fire, or whose
"Use instead" example still fires, teaches users the wrong thing, and nobody would notice otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from agentlint import registry
from agentlint.rule import EngineRule, GraphRule, Rule
from fixture_harness import CASE_PREFIXES, FIXTURES_ROOT, concise, lint

RULES = registry.all_rules()
REQUIRED_HEADINGS = ("## What it does", "## Why is this bad?", "## Example")
EXECUTED_LANGUAGES = {"python": "example.py", "yaml": "example.yaml", "toml": "example.toml", "json": "example.json"}
ILLUSTRATION_LANGUAGES = {"text", "console", "shell", "sh", "bash", "diff"}

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TITLE = re.compile(r"""title\s*=\s*(?:"(?P<double>[^"]+)"|'(?P<single>[^']+)'|(?P<bare>\S+))""")


@dataclass(frozen=True)
class CodeBlock:
    language: str
    path: str | None  # where to write it; ``None`` for an illustration
    text: str
    after_use_instead: bool


def rule_id(rule: type[Rule]) -> str:
    return f"{rule.code}-{rule.name}"


def example_section(docs: str) -> list[str]:
    """Lines from ``## Example`` up to the next ``## `` heading; none when there is no such section
    (the headings test reports that)."""
    lines = docs.splitlines()
    start = next((index for index, line in enumerate(lines) if line.strip() == "## Example"), None)
    if start is None:
        return []
    end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("## ")), len(lines))
    return lines[start + 1:end]


def code_blocks(section: list[str]) -> list[CodeBlock]:
    """Fenced blocks of the example section, each knowing whether it comes after ``Use instead:``."""
    blocks: list[CodeBlock] = []
    after = False
    index = 0
    while index < len(section):
        line = section[index]
        opening = _FENCE.match(line)
        if opening is None:
            after = after or line.strip().startswith("Use instead:")
            index += 1
            continue
        fence = opening["fence"]
        body: list[str] = []
        index += 1
        while index < len(section) and not section[index].strip().startswith(fence):
            body.append(section[index])
            index += 1
        index += 1  # the closing fence
        info = opening["info"].strip()
        language = info.split()[0].lower() if info else ""
        title = _TITLE.search(info)
        path = None
        if language in EXECUTED_LANGUAGES:
            path = (title["double"] or title["single"] or title["bare"]) if title else EXECUTED_LANGUAGES[language]
        blocks.append(CodeBlock(language, path, "\n".join(body) + "\n", after))
    return blocks


def projects(blocks: list[CodeBlock]) -> list[list[CodeBlock]]:
    """Consecutive executed blocks on the same side of ``Use instead:`` form one mini-project (a YAML
    agent and the Python that loads it); a block whose path is already taken starts the next project,
    so alternative examples can each be plain ``python`` blocks."""
    grouped: list[list[CodeBlock]] = []
    for block in blocks:
        if block.path is None:
            continue
        current = grouped[-1] if grouped else None
        if (
            current is None
            or block.after_use_instead != current[0].after_use_instead
            or block.path in {b.path for b in current}
        ):
            grouped.append([block])
        else:
            current.append(block)
    return grouped


def run_example(rule: type[Rule], project: list[CodeBlock], directory: Path) -> list[str]:
    """The concise findings of ``rule`` on a project written to ``directory``."""
    for block in project:
        target = directory / block.path  # type: ignore[operator]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    result = lint(directory)
    assert not result.internal_errors, result.internal_errors
    return [concise(finding) for finding in result.findings if finding.code == rule.code]


def _fake_rule(code: str, name: str, doc: str = "Fake.") -> type[Rule]:
    """A rule class made on the spot, never registered: registry discovery only walks ``agentlint.rules``."""

    class Fake(GraphRule):
        summary: ClassVar[str] = "fake"

    Fake.code, Fake.name, Fake.__doc__ = code, name, doc  # type: ignore[misc]
    return Fake


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_docs_have_ruff_headings(rule: type[Rule]) -> None:
    docs = rule.docs()
    assert docs, f"{rule.code} has no docstring"
    missing = [heading for heading in REQUIRED_HEADINGS if heading not in docs.splitlines()]
    assert not missing, f"{rule.code} docs lack {missing}"
    assert any(line.strip().startswith("Use instead:") for line in example_section(docs)), (
        f"{rule.code}: the `## Example` section needs a `Use instead:` line"
    )
    assert rule.summary and "\n" not in rule.summary, f"{rule.code} needs a one-line summary"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_has_fixtures(rule: type[Rule]) -> None:
    folder = FIXTURES_ROOT / rule_id(rule)
    assert folder.is_dir(), f"{rule.code} has no fixture folder {folder}"
    names = sorted(case.name for case in folder.iterdir() if case.is_dir())
    for prefix in CASE_PREFIXES:
        assert any(name.startswith(prefix) for name in names), f"{folder} has no `{prefix}*` case (has {names})"


def example_problems(rule: type[Rule], workdir: Path) -> list[str]:
    """Why the rule's ``## Example`` section is not true, run by run; empty when it is."""
    blocks = code_blocks(example_section(rule.docs()))
    if not blocks:
        return [f"{rule.code}: the `## Example` section has no fenced code block"]
    unknown = sorted({b.language for b in blocks if b.path is None and b.language not in ILLUSTRATION_LANGUAGES})
    if unknown:
        return [
            f"{rule.code}: fence language(s) {unknown} are neither executed ({sorted(EXECUTED_LANGUAGES)}) "
            f"nor illustrations ({sorted(ILLUSTRATION_LANGUAGES)})"
        ]
    executed = projects(blocks)
    if not executed:
        return []  # illustrations only (a dangling symlink, a 300-level expression): nothing to execute
    problems = []
    if all(project[0].after_use_instead for project in executed):
        problems.append(f"{rule.code}: no executed example before `Use instead:`")
    for number, project in enumerate(executed):
        directory = workdir / f"example-{number}"
        directory.mkdir()
        found = run_example(rule, project, directory)
        files = ", ".join(str(block.path) for block in project)
        if project[0].after_use_instead and found:
            problems.append(f"{rule.code}: the `Use instead:` example ({files}) still fires:\n" + "\n".join(found))
        elif not project[0].after_use_instead and not found:
            problems.append(f"{rule.code}: the example ({files}) does not make {rule.code} fire")
    return problems


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_doc_examples_are_true(rule: type[Rule], tmp_path: Path) -> None:
    problems = example_problems(rule, tmp_path)
    assert not problems, "\n".join(problems)


SWAPPED_EXAMPLES = """
## Example
```python
import requests

requests.get("https://example.com", timeout=10)
```

Use instead:
```python title="tools/fetch.py"
import requests

requests.get("https://example.com")
```
"""


def test_wrong_doc_examples_are_caught(tmp_path: Path) -> None:
    """The example checker itself: swapped examples must fail in both directions."""
    problems = example_problems(_fake_rule("AGL101", "swapped", SWAPPED_EXAMPLES), tmp_path)
    assert len(problems) == 2, problems
    assert "(example.py) does not make AGL101 fire" in problems[0]
    assert "(tools/fetch.py) still fires" in problems[1]


def test_example_parsing() -> None:
    """The block parser itself: titles, illustrations, and which side of `Use instead:` a block is on."""
    docs = '\n'.join([
        "## Example",
        '```yaml title="config/agents.yaml"',
        "researcher: {}",
        "```",
        "```python",
        "x = 1",
        "```",
        "```text",
        "$ agentlint check",
        "```",
        "Use instead:",
        "```python",
        "y = 2",
        "```",
        "## Known problems",
        "```python",
        "ignored = True",
        "```",
    ])
    blocks = code_blocks(example_section(docs))
    assert [(b.language, b.path, b.after_use_instead) for b in blocks] == [
        ("yaml", "config/agents.yaml", False),
        ("python", "example.py", False),
        ("text", None, False),
        ("python", "example.py", True),
    ]
    assert [[b.path for b in p] for p in projects(blocks)] == [["config/agents.yaml", "example.py"], ["example.py"]]


def test_duplicate_code_is_a_load_error() -> None:
    with pytest.raises(registry.RuleLoadError, match="AGL999"):
        registry.validate([_fake_rule("AGL999", "first-fake"), _fake_rule("AGL999", "second-fake")])


def test_duplicate_name_is_a_load_error() -> None:
    with pytest.raises(registry.RuleLoadError, match="same-fake"):
        registry.validate([_fake_rule("AGL998", "same-fake"), _fake_rule("AGL999", "same-fake")])


def test_distinct_rules_validate() -> None:
    registry.validate([_fake_rule("AGL998", "first-fake"), _fake_rule("AGL999", "second-fake")])


def test_registered_rules_are_graph_or_engine_rules() -> None:
    assert all(issubclass(rule, (GraphRule, EngineRule)) for rule in RULES)
    assert len({rule.code for rule in RULES}) == len(RULES)


def test_rules_ship_inside_the_package_only(tmp_path: Path) -> None:
    """``rules/`` is installed as ``agentlint.rules``; a top-level ``rules`` module would clash with
    any user project that has its own ``rules`` package."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    top_level = subprocess.run(
        [sys.executable, "-c", "import rules"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert top_level.returncode != 0, "`import rules` succeeded outside the source tree"
    assert "ModuleNotFoundError" in top_level.stderr, top_level.stderr
    packaged = subprocess.run(
        [sys.executable, "-c", "import agentlint.rules"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert packaged.returncode == 0, packaged.stderr
