"""One compact JSON object per line, for streaming consumers and ``jq -c`` pipelines that would
otherwise have to hold the whole array in memory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentlint.findings import Finding
from agentlint.reporting.json import records

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records(findings, context))
