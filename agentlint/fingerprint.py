"""Stable identities for findings, so a baseline or code-scanning service can tell a known finding from
a new one after unrelated edits.

The hash deliberately leaves out the row and column: inserting or deleting lines above a finding must
not make it look new. What it keeps (rule, file, graph anchor, the flagged line's text) changes only
when the finding itself does.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentlint.findings import Finding

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext

FINGERPRINT_LENGTH = 16


def fingerprint(finding: Finding, line_text: str) -> str:
    """Whitespace is normalised so re-indenting a block or reformatting spacing does not churn the
    baseline; the inputs are JSON-encoded so no choice of separator can make two different tuples
    hash the same."""
    normalised = " ".join(line_text.split())
    payload = json.dumps([finding.code, finding.location.path, finding.anchor, normalised])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def fingerprints(findings: Sequence[Finding], context: ReportContext) -> list[str]:
    """Fingerprints parallel to ``findings``, unique within one report.

    Identical findings (same rule, file, anchor and line text) are told apart by position in source
    order: the first keeps the bare hash and the n-th gets ``:n``. Leaving the first bare means that
    fixing any one duplicate leaves fingerprints that were all in the old report, so a baseline never
    sees the survivors as new; numbering in source order rather than input order keeps the result
    independent of how the caller sorted.
    """
    bases = [fingerprint(finding, context.line_text(finding)) for finding in findings]
    result = list(bases)
    seen: Counter[str] = Counter()
    for index in sorted(range(len(findings)), key=lambda index: findings[index].sort_key()):
        base = bases[index]
        seen[base] += 1
        if seen[base] > 1:
            result[index] = f"{base}:{seen[base]}"
    return result
