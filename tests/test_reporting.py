"""Output formats: exact text for the line-oriented formats, parsed structure for the JSON ones, and
schema validation for SARIF, since each has a consumer that breaks silently on a small deviation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from jsonschema.validators import validator_for

from agentlint.findings import Finding, Location, RelatedLocation, Severity
from agentlint.fingerprint import fingerprint, fingerprints
from agentlint.reporting import FORMATS, ReportContext
from agentlint.reporting.github import escape_data, escape_property
from agentlint.reporting.statistics import render_statistics
from agentlint.rule import Precision, Rule

SARIF_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared/schemas/sarif-schema-2.1.0.json"
ROOT = Path("/srv/agent project")
AGENTS = "pipeline/agents.py"
FLOW = "pipeline/flow graph, v2.py"
CONFIG = "config/agents.yaml"
LONG_LINE = "x = " + "a" * 246 + "TARGET()" + "b" * 200


class ParseError(Rule):
    """Reports a file that could not be parsed."""

    code: ClassVar[str] = "AGL001"
    name: ClassVar[str] = "parse-error"
    summary: ClassVar[str] = "File could not be parsed"
    severity: ClassVar[Severity] = Severity.ERROR


class HttpCallWithoutTimeout(Rule):
    """## What it does
    Flags HTTP calls made by an agent tool without a timeout.
    """

    code: ClassVar[str] = "AGL101"
    name: ClassVar[str] = "http-call-without-timeout"
    summary: ClassVar[str] = "HTTP call without a timeout"


class UnvalidatedHop(Rule):
    """Flags an edge whose payload is never validated."""

    code: ClassVar[str] = "AGL201"
    name: ClassVar[str] = "unvalidated-hop"
    summary: ClassVar[str] = "Agent output crosses a hop unvalidated"
    severity: ClassVar[Severity] = Severity.ERROR
    precision: ClassVar[Precision] = Precision.MEDIUM


class OrphanAgent(Rule):
    """Flags an agent no edge reaches."""

    code: ClassVar[str] = "AGL601"
    name: ClassVar[str] = "orphan-agent"
    summary: ClassVar[str] = "Agent is unreachable"
    severity: ClassVar[Severity] = Severity.INFO


RULES: list[type[Rule]] = [ParseError, HttpCallWithoutTimeout, UnvalidatedHop, OrphanAgent]
LINES = {
    AGENTS: ["import requests", "", "def fetch(url):", "\treturn requests.get(url)", LONG_LINE],
    FLOW: ["graph = StateGraph()", "    graph.add_edge(a, b)"],
}


def make_finding(rule: type[Rule], location: Location, message: str, **extra: object) -> Finding:
    return Finding(code=rule.code, name=rule.name, message=message, severity=rule.severity, location=location, **extra)


TAB_FINDING = make_finding(
    HttpCallWithoutTimeout,
    Location.at(AGENTS, 4, 9, end_column=26),
    "HTTP call has no timeout",
    fix_title="Pass `timeout=`",
    anchor="agent:fetch",
)
LONG_FINDING = make_finding(
    HttpCallWithoutTimeout, Location.at(AGENTS, 5, 251, end_column=257), "HTTP call has no timeout", anchor="agent:x"
)
HOP_FINDING = make_finding(
    UnvalidatedHop,
    Location.at(FLOW, 2, 5, end_column=25),
    "50% of hops: unchecked,\nsee docs",
    related=(RelatedLocation(location=Location.at(AGENTS, 3, 1, end_column=16), message="writer defined here"),),
    anchor="edge:a->b",
)
ORPHAN_FINDING = make_finding(
    OrphanAgent, Location.at(CONFIG, 7, 3, end_row=9, end_column=1), "agent `critic` is unreachable"
)
FINDINGS = sorted([HOP_FINDING, TAB_FINDING, ORPHAN_FINDING, LONG_FINDING], key=Finding.sort_key)


def make_context(lines: dict[str, list[str]] | None = None) -> ReportContext:
    return ReportContext(root=ROOT, cwd=ROOT, rules=RULES, lines=LINES if lines is None else lines, version="0.1.0")


def render(format_name: str, findings: list[Finding] = FINDINGS) -> str:
    return FORMATS[format_name](findings, make_context())


def test_registry_names_every_format() -> None:
    assert list(FORMATS) == ["full", "concise", "json", "json-lines", "sarif", "github"]


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_output_is_deterministic(format_name: str) -> None:
    assert render(format_name) == render(format_name)


def test_concise() -> None:
    assert render("concise").splitlines() == [
        "config/agents.yaml:7:3: AGL601 agent `critic` is unreachable",
        "pipeline/agents.py:4:9: AGL101 HTTP call has no timeout",
        "pipeline/agents.py:5:251: AGL101 HTTP call has no timeout",
        "pipeline/flow graph, v2.py:2:5: AGL201 50% of hops: unchecked, see docs",
    ]
    assert render("concise", []) == ""


def test_concise_paths_are_relative_to_cwd() -> None:
    context = ReportContext(root=ROOT, cwd=ROOT / "pipeline", rules=RULES)
    assert FORMATS["concise"]([TAB_FINDING], context) == "agents.py:4:9: AGL101 HTTP call has no timeout\n"


def test_full_snippet_expands_tabs_under_caret() -> None:
    block = [
        "pipeline/agents.py:4:9: AGL101 [warning] HTTP call has no timeout",
        "  |",
        "4 |     return requests.get(url)",
        "  |            ^^^^^^^^^^^^^^^^^",
        "  |",
        "  = help: Pass `timeout=`",
        "",
    ]
    assert "\n".join(block) + "\n" in render("full")


def test_full_related_locations_and_summary() -> None:
    output = render("full")
    assert "pipeline/flow graph, v2.py:2:5: AGL201 [error] 50% of hops: unchecked,\nsee docs\n" in output
    assert "2 |     graph.add_edge(a, b)\n  |     ^^^^^^^^^^^^^^^^^^^^\n" in output
    assert "  = related: pipeline/agents.py:3:1: writer defined here\n" in output
    assert output.endswith("\n\nFound 4 findings.\n")


def test_full_without_source_has_no_snippet() -> None:
    assert render("full", [ORPHAN_FINDING]) == (
        "config/agents.yaml:7:3: AGL601 [info] agent `critic` is unreachable\n\nFound 1 finding.\n"
    )


def test_full_with_no_findings() -> None:
    assert render("full", []) == "All checks passed!\n"


def test_full_windows_long_lines_around_the_caret() -> None:
    source, carets = render("full", [LONG_FINDING]).splitlines()[2:4]
    text = source.removeprefix("5 | ")
    assert text.startswith("…")
    assert text.endswith("…")
    assert len(text) < 200
    start = carets.index("^")
    assert source[start : start + carets.count("^")] == "TARGET"


@pytest.mark.parametrize(
    ("location", "carets"),
    [
        pytest.param(Location.at(AGENTS, 3, 5), "    ^^^^^^^^^^^", id="empty-span"),
        pytest.param(Location.at(AGENTS, 3, 5, end_row=4, end_column=2), "    ^^^^^^^^^^^", id="multi-line"),
        pytest.param(Location.at(AGENTS, 3, 16), " " * 15 + "^", id="past-end-of-line"),
        pytest.param(Location.at(AGENTS, 2, 1), "^", id="empty-line"),
    ],
)
def test_full_underline_edge_cases(location: Location, carets: str) -> None:
    finding = make_finding(HttpCallWithoutTimeout, location, "m")
    assert f"  | {carets}\n" in render("full", [finding])


def test_json_records() -> None:
    records = json.loads(render("json"))
    assert [record["code"] for record in records] == ["AGL601", "AGL101", "AGL101", "AGL201"]
    hop = records[3]
    assert list(hop) == [
        "code",
        "name",
        "message",
        "severity",
        "family",
        "filename",
        "location",
        "end_location",
        "fix",
        "fix_title",
        "url",
        "related",
        "fingerprint",
    ]
    assert hop == {
        "code": "AGL201",
        "name": "unvalidated-hop",
        "message": "50% of hops: unchecked,\nsee docs",
        "severity": "error",
        "family": "unvalidated hops",
        "filename": FLOW,
        "location": {"row": 2, "column": 5},
        "end_location": {"row": 2, "column": 25},
        "fix": None,
        "fix_title": None,
        "url": None,
        "related": [
            {
                "filename": AGENTS,
                "location": {"row": 3, "column": 1},
                "end_location": {"row": 3, "column": 16},
                "message": "writer defined here",
            }
        ],
        "fingerprint": fingerprint(HOP_FINDING, LINES[FLOW][1]),
    }
    assert records[1]["fix_title"] == "Pass `timeout=`"
    assert json.loads(render("json", [])) == []


def test_json_lines_match_json_records() -> None:
    lines = render("json-lines").splitlines()
    assert len(lines) == len(FINDINGS)
    assert [json.loads(line) for line in lines] == json.loads(render("json"))
    assert render("json-lines", []) == ""


def test_github_commands() -> None:
    assert render("github").splitlines() == [
        "::notice file=config/agents.yaml,line=7,endLine=9,title=AGL601 orphan-agent::agent `critic` is unreachable",
        (
            "::warning file=pipeline/agents.py,line=4,col=9,endLine=4,endColumn=26,"
            "title=AGL101 http-call-without-timeout::HTTP call has no timeout"
        ),
        (
            "::warning file=pipeline/agents.py,line=5,col=251,endLine=5,endColumn=257,"
            "title=AGL101 http-call-without-timeout::HTTP call has no timeout"
        ),
        (
            "::error file=pipeline/flow graph%2C v2.py,line=2,col=5,endLine=2,endColumn=25,"
            "title=AGL201 unvalidated-hop::50%25 of hops: unchecked,%0Asee docs"
        ),
    ]


def test_github_empty_span_omits_end() -> None:
    finding = make_finding(UnvalidatedHop, Location.at(FLOW, 1, 1), "m")
    assert (
        render("github", [finding])
        == "::error file=pipeline/flow graph%2C v2.py,line=1,col=1,title=AGL201 unvalidated-hop::m\n"
    )


def test_github_escaping_matches_actions_toolkit() -> None:
    assert escape_data("100%: a,b\r\nc") == "100%25: a,b%0D%0Ac"
    assert escape_property("100%: a,b\r\nc") == "100%25%3A a%2Cb%0D%0Ac"


def sarif_log(findings: list[Finding] = FINDINGS) -> dict:
    return json.loads(render("sarif", findings))


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "empty"])
def test_sarif_validates_against_schema(findings: list[Finding]) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not available at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).validate(sarif_log(findings))


def test_sarif_lists_every_rule() -> None:
    log = sarif_log([])
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("agentlint", "0.1.0", "0.1.0")
    assert [rule["id"] for rule in driver["rules"]] == ["AGL001", "AGL101", "AGL201", "AGL601"]
    assert driver["rules"][2] == {
        "id": "AGL201",
        "name": "unvalidated-hop",
        "shortDescription": {"text": "Agent output crosses a hop unvalidated"},
        "fullDescription": {"text": "Agent output crosses a hop unvalidated"},
        "help": {
            "text": "Flags an edge whose payload is never validated.",
            "markdown": "Flags an edge whose payload is never validated.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"precision": "medium", "family": "unvalidated hops", "tags": ["unvalidated hops"]},
    }
    assert driver["rules"][1]["help"]["markdown"] == HttpCallWithoutTimeout.docs()
    assert [rule["defaultConfiguration"]["level"] for rule in driver["rules"]] == ["error", "warning", "error", "note"]
    assert log["runs"][0]["results"] == []


def test_sarif_results() -> None:
    run = sarif_log()["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/agent%20project/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [result["ruleId"] for result in results] == ["AGL601", "AGL101", "AGL101", "AGL201"]
    assert [rules[result["ruleIndex"]]["id"] for result in results] == [result["ruleId"] for result in results]
    assert [result["level"] for result in results] == ["note", "warning", "warning", "error"]
    expected_fingerprints = fingerprints(FINDINGS, make_context())
    assert [result["partialFingerprints"] for result in results] == [
        {"agentlintFingerprint/v1": value} for value in expected_fingerprints
    ]
    hop = results[3]
    assert hop["ruleIndex"] == 2
    assert hop["message"] == {"text": "50% of hops: unchecked,\nsee docs"}
    assert hop["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "pipeline/flow%20graph%2C%20v2.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 25},
            }
        }
    ]
    assert hop["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "pipeline/agents.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 16},
            },
            "message": {"text": "writer defined here"},
        }
    ]
    assert "relatedLocations" not in results[0]


def test_sarif_empty_span_covers_one_character() -> None:
    finding = make_finding(UnvalidatedHop, Location.at(FLOW, 1, 7), "m")
    region = sarif_log([finding])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 7, "endLine": 1, "endColumn": 8}


def test_sarif_unknown_rule_has_no_rule_index() -> None:
    finding = Finding(
        code="AGL999", name="mystery", message="m", severity=Severity.WARNING, location=Location.at(FLOW, 1)
    )
    (result,) = sarif_log([finding])["runs"][0]["results"]
    assert result["ruleId"] == "AGL999"
    assert "ruleIndex" not in result


def test_statistics() -> None:
    findings = [*FINDINGS, TAB_FINDING.model_copy(update={"location": Location.at(AGENTS, 1)})]
    assert render_statistics(findings) == (
        "3  AGL101  http-call-without-timeout\n1  AGL201  unvalidated-hop\n1  AGL601  orphan-agent\n"
    )
    assert render_statistics([]) == ""


def test_fingerprint_survives_lines_inserted_above() -> None:
    moved = TAB_FINDING.model_copy(update={"location": Location.at(AGENTS, 5, 9, end_column=26)})
    shifted_lines = {AGENTS: ["# new comment", *LINES[AGENTS]]}
    before = fingerprints([TAB_FINDING], make_context())
    after = fingerprints([moved], make_context(shifted_lines))
    assert before == after
    assert re.fullmatch(r"[0-9a-f]{16}", before[0])


def test_fingerprint_ignores_whitespace_changes() -> None:
    assert fingerprint(TAB_FINDING, "\treturn requests.get(url)") == fingerprint(
        TAB_FINDING, "        return  requests.get(url)  "
    )


@pytest.mark.parametrize(
    "change",
    [{"code": "AGL102"}, {"anchor": "agent:other"}, {"location": Location.at("pipeline/other.py", 4, 9)}],
    ids=["code", "anchor", "path"],
)
def test_fingerprint_changes_with_identity(change: dict[str, object]) -> None:
    line = LINES[AGENTS][3]
    assert fingerprint(TAB_FINDING.model_copy(update=change), line) != fingerprint(TAB_FINDING, line)


def test_fingerprint_changes_with_line_text() -> None:
    assert fingerprint(TAB_FINDING, "return requests.get(url)") != fingerprint(TAB_FINDING, "return requests.post(url)")


def test_duplicate_fingerprints_are_numbered_in_source_order() -> None:
    lines = {AGENTS: ["requests.get(url)", "requests.get(url)", "requests.get(url)"]}
    duplicates = [TAB_FINDING.model_copy(update={"location": Location.at(AGENTS, row, 1)}) for row in (1, 2, 3)]
    context = make_context(lines)
    base = fingerprint(duplicates[0], lines[AGENTS][0])
    assert fingerprints(duplicates, context) == [base, f"{base}:2", f"{base}:3"]
    assert fingerprints(duplicates[::-1], context) == [f"{base}:3", f"{base}:2", base]
    # Fixing any one duplicate leaves only fingerprints the previous report already had.
    assert set(fingerprints(duplicates[1:], context)) <= set(fingerprints(duplicates, context))
