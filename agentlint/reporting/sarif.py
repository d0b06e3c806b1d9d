"""SARIF 2.1.0, the format GitHub code scanning and most SAST dashboards ingest.

Paths are emitted relative to ``%SRCROOT%`` rather than absolute, so a report produced in one checkout
(a CI runner) resolves against another (the dashboard's view of the repository).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from agentlint.findings import Finding, Location, Severity
from agentlint.fingerprint import fingerprints
from agentlint.rule import Rule

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "agentlintFingerprint/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

SarifObject = dict[str, Any]


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    driver: SarifObject = {"name": "agentlint"}
    if context.version:
        driver |= {"version": context.version, "semanticVersion": context.version}
    driver["rules"] = [_rule(rule) for rule in context.rules]
    rule_index = {rule.code: index for index, rule in enumerate(context.rules)}
    results = [
        _result(finding, fingerprint, rule_index.get(finding.code))
        for finding, fingerprint in zip(findings, fingerprints(findings, context), strict=True)
    ]
    root_uri = context.root.as_uri()
    run: SarifObject = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _rule(rule: type[Rule]) -> SarifObject:
    """Every enabled rule is listed, not only those that fired, so a dashboard can show that a rule
    ran clean and can render its help for results from earlier runs."""
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs(), "markdown": rule.docs()},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"precision": rule.precision.value, "family": rule.family(), "tags": [rule.family()]},
    }


def _result(finding: Finding, fingerprint: str, rule_index: int | None) -> SarifObject:
    result: SarifObject = {"ruleId": finding.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result |= {
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.location)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": _physical(related.location), "message": {"text": related.message}}
            for number, related in enumerate(finding.related, start=1)
        ]
    return result


def _physical(location: Location) -> SarifObject:
    return {
        "artifactLocation": {"uri": quote(location.path, safe="/"), "uriBaseId": SRCROOT},
        "region": _region(location),
    }


def _region(location: Location) -> SarifObject:
    """SARIF's end column is exclusive like ours, but an empty region makes viewers highlight nothing,
    so an empty or inverted span becomes the one character at its start."""
    start_line = max(location.start.row, 1)
    start_column = max(location.start.column, 1)
    end = (location.end.row, location.end.column)
    if end <= (start_line, start_column):
        end = (start_line, start_column + 1)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end[0], "endColumn": end[1]}
