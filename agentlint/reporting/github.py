"""GitHub Actions workflow commands, which the runner turns into inline annotations on the pull
request diff without any upload step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentlint.findings import Finding, Location, Severity

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(_command(finding, context) + "\n" for finding in findings)


def _command(finding: Finding, context: ReportContext) -> str:
    properties = {
        "file": context.display_path(finding.location.path),
        **_position(finding.location),
        "title": f"{finding.code} {finding.name}",
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(finding.message)}"


def _position(location: Location) -> dict[str, str]:
    """The runner rejects columns on an annotation spanning several lines, so those carry lines only;
    an empty span omits its end, which the runner would otherwise treat as a zero-width range."""
    start, end = location.start, location.end
    if end.row > start.row:
        return {"line": str(start.row), "endLine": str(end.row)}
    position = {"line": str(start.row), "col": str(start.column)}
    if end.row == start.row and end.column > start.column:
        position |= {"endLine": str(end.row), "endColumn": str(end.column)}
    return position


def escape_data(value: str) -> str:
    """Mirrors ``escapeData`` in @actions/core: the runner un-escapes exactly these, so escaping
    anything else would show up literally in the annotation."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Mirrors ``escapeProperty`` in @actions/core: ``:`` and ``,`` would otherwise end the value."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
