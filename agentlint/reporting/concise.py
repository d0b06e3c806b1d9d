"""One finding per line, ``path:row:col: CODE message``, the shape editors' error parsers and ``grep``
already understand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentlint.findings import Finding

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(f"{_header(finding, context)}\n" for finding in findings)


def _header(finding: Finding, context: ReportContext) -> str:
    """A multi-line message is folded onto one line, since line-oriented consumers would otherwise
    read its continuation as a malformed finding."""
    start = finding.location.start
    message = " ".join(finding.message.splitlines())
    return f"{context.display_path(finding.location.path)}:{start.row}:{start.column}: {finding.code} {message}"
