"""Runs every ``fixtures/<CODE>-<name>/{bad-*,ok-*}`` mini-project through agentlint and compares the
findings with the expectations written into the fixture (see ``fixture_harness``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from agentlint.engine import RunResult
from agentlint.findings import Finding, Location, RelatedLocation, Severity
from fixture_harness import (
    FIXTURES_ROOT,
    FixtureCase,
    cases,
    compare,
    expected_entries,
    inline_marks,
    lint,
    report,
    rule_dirs,
    rule_for_dir,
    stray_entries,
)

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture(case: FixtureCase) -> None:
    owner = rule_for_dir(case.rule_dir)
    if isinstance(owner, str):
        pytest.fail(owner, pytrace=False)
    result = lint(case.path)
    problems = compare(case, result)
    if problems:
        pytest.fail(report(case, result, problems), pytrace=False)


@pytest.mark.parametrize("rule_dir", rule_dirs(), ids=lambda path: path.name)
def test_rule_dir_layout(rule_dir: Path) -> None:
    """A misnamed folder would be skipped silently, and a rule with fixtures no one runs is untested."""
    owner = rule_for_dir(rule_dir)
    assert not isinstance(owner, str), owner
    stray = stray_entries(rule_dir)
    assert not stray, f"{rule_dir}: not a `bad-*`/`ok-*` case: {', '.join(stray)}"


def test_fixtures_exist() -> None:
    assert CASES, f"no fixture cases found under {FIXTURES_ROOT}"


# The harness itself: a harness that silently passes everything would make every fixture meaningless.


def _finding(path: str, row: int, column: int, code: str = "AGL101", related: tuple[int, ...] = ()) -> Finding:
    return Finding(
        code=code, name="fake", message="fake message", severity=Severity.ERROR,
        location=Location.at(path, row, column),
        related=tuple(RelatedLocation(location=Location.at(path, r, 1), message="waits on it") for r in related),
    )


def _result(*findings: Finding) -> RunResult:
    """Only the fields the harness reads, so these tests do not depend on how a run builds its graph."""
    return SimpleNamespace(findings=list(findings), internal_errors=[])  # type: ignore[return-value]


def test_inline_marks_are_read_from_any_text_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\r\ny = caf\xe9  # expect: AGL002\r\nz()  # expect: AGL101, AGL004\n")
    (tmp_path / "agents.yaml").write_text("a: 1\nb: [  # expect:AGL001\n")
    (tmp_path / "link.py").symlink_to("a.py")
    assert inline_marks(tmp_path) == {
        ("a.py", 2, "AGL002"), ("a.py", 3, "AGL101"), ("a.py", 3, "AGL004"), ("agents.yaml", 2, "AGL001"),
    }


def test_expected_txt_is_parsed_with_columns(tmp_path: Path) -> None:
    (tmp_path / "expected.txt").write_text("# comment\n\nlanggraph.json:5:3: AGL001\nsub dir/a.py:1:1: AGL003 msg\n")
    assert expected_entries(tmp_path) == {("langgraph.json", 5, 3, "AGL001"), ("sub dir/a.py", 1, 1, "AGL003")}
    (tmp_path / "expected.txt").write_text("langgraph.json:5: AGL001\n")
    with pytest.raises(ValueError, match="path:row:col"):
        expected_entries(tmp_path)


def test_compare_shows_missing_and_unexpected(tmp_path: Path) -> None:
    case_dir = tmp_path / "AGL101-http-call-without-timeout" / "bad-x"
    case_dir.mkdir(parents=True)
    (case_dir / "a.py").write_text("get(u)  # expect: AGL101\nget(v)\n")
    case = FixtureCase(case_dir.parent, case_dir)
    assert compare(case, _result(_finding("a.py", 1, 1))) == []
    problems = compare(case, _result(_finding("a.py", 2, 1)))
    assert problems == [
        "missing:    a.py:1: AGL101   | get(u)  # expect: AGL101",
        "unexpected: a.py:2:1: AGL101 fake message",
    ]


def test_compare_with_expected_txt_checks_columns(tmp_path: Path) -> None:
    case_dir = tmp_path / "AGL001-syntax-error" / "bad-json"
    case_dir.mkdir(parents=True)
    (case_dir / "expected.txt").write_text("langgraph.json:5:3: AGL001\n")
    case = FixtureCase(case_dir.parent, case_dir)
    assert compare(case, _result(_finding("langgraph.json", 5, 3, "AGL001"))) == []
    assert compare(case, _result(_finding("langgraph.json", 5, 4, "AGL001"))) == [
        "missing:    langgraph.json:5:3: AGL001",
        "unexpected: langgraph.json:5:4: AGL001 fake message",
    ]


def test_bad_case_without_findings_fails_and_ok_case_with_findings_fails(tmp_path: Path) -> None:
    bad, ok = tmp_path / "AGL101-x" / "bad-empty", tmp_path / "AGL101-x" / "ok-noisy"
    bad.mkdir(parents=True)
    ok.mkdir()
    assert compare(FixtureCase(bad.parent, bad), _result()) != []
    assert compare(FixtureCase(ok.parent, ok), _result(_finding("a.py", 1, 1))) == [
        "unexpected: a.py:1:1: AGL101 fake message"
    ]


def test_related_marks_are_opt_in_and_exact(tmp_path: Path) -> None:
    case_dir = tmp_path / "AGL101-http-call-without-timeout" / "bad-client"
    case_dir.mkdir(parents=True)
    (case_dir / "a.py").write_text("c = Client(timeout=None)  # expect: AGL101\nc.get(u)  # related: AGL101\nc.post(u)\n")
    case = FixtureCase(case_dir.parent, case_dir)
    assert compare(case, _result(_finding("a.py", 1, 1, related=(2,)))) == []
    assert compare(case, _result(_finding("a.py", 1, 1, related=(3,)))) == [
        "missing related: a.py:2: AGL101   | c.get(u)  # related: AGL101",
        "unexpected related: a.py:3: AGL101 'waits on it' of a.py:1:1: AGL101 fake message",
    ]
