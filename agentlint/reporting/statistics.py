"""Per-rule counts, like ``ruff --statistics``: for deciding which rules to fix, ignore or baseline
first, where the individual findings would be noise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from agentlint.findings import Finding


def render_statistics(findings: Sequence[Finding]) -> str:
    counts = Counter(finding.code for finding in findings)
    names = {finding.code: finding.name for finding in findings}
    width = len(str(max(counts.values(), default=0)))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>{width}}  {code}  {names[code]}\n" for code, count in rows)
