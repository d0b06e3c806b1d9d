"""A JSON array of findings with ruff's field names, so tooling written against ``ruff --output-format
json`` can read agentlint's output with few changes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agentlint.findings import Finding, Location
from agentlint.fingerprint import fingerprints
from agentlint.rule import FAMILIES

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext

JsonRecord = dict[str, Any]


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps(records(findings, context), indent=2) + "\n"


def records(findings: Sequence[Finding], context: ReportContext) -> list[JsonRecord]:
    """Shared with ``json-lines`` so the two formats cannot drift apart.

    ``fix`` stays ``null`` until agentlint can apply edits; the human-readable suggestion goes in
    ``fix_title`` so consumers that treat a non-null ``fix`` as applicable are not misled.
    """
    return [
        {
            "code": finding.code,
            "name": finding.name,
            "message": finding.message,
            "severity": finding.severity.value,
            "family": FAMILIES.get(finding.code[:4]),
            "filename": context.display_path(finding.location.path),
            **_span(finding.location),
            "fix": None,
            "fix_title": finding.fix_title,
            "url": None,
            "related": [
                {
                    "filename": context.display_path(related.location.path),
                    **_span(related.location),
                    "message": related.message,
                }
                for related in finding.related
            ],
            "fingerprint": fingerprint,
        }
        for finding, fingerprint in zip(findings, fingerprints(findings, context), strict=True)
    ]


def _span(location: Location) -> JsonRecord:
    return {
        "location": {"row": location.start.row, "column": location.start.column},
        "end_location": {"row": location.end.row, "column": location.end.column},
    }
