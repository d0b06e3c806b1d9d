"""Baselines: adopt agentlint in an existing repository by recording today's findings and failing only
on new ones. A finding is matched by its fingerprint (code, path, graph anchor and the text of its
line, not the line number), so edits elsewhere in a file do not make old findings look new."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from agentlint.findings import Finding
from agentlint.fingerprint import fingerprints
from agentlint.reporting import ReportContext

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def write(path: Path, findings: Sequence[Finding], context: ReportContext) -> None:
    records = [
        {"fingerprint": print_, "code": finding.code, "path": finding.location.path, "message": finding.message}
        for finding, print_ in zip(findings, fingerprints(findings, context))
    ]
    document = {"agentlint-baseline": FORMAT_VERSION, "findings": records}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BaselineError(f"{path}: cannot read baseline: {error}") from None
    if not isinstance(document, dict) or document.get("agentlint-baseline") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not an agentlint baseline (write one with --write-baseline)")
    return {record["fingerprint"] for record in document.get("findings", []) if isinstance(record, dict)}


def new_findings(findings: Sequence[Finding], context: ReportContext, known: set[str]) -> list[Finding]:
    return [finding for finding, print_ in zip(findings, fingerprints(findings, context)) if print_ not in known]
