"""The default human format, after ruff's ``full`` output: each finding with the offending source line
and a caret underline, so the reader sees what was flagged without opening the file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentlint.findings import Finding, Location

if TYPE_CHECKING:
    from agentlint.reporting import ReportContext

TAB_WIDTH = 4
LONG_LINE = 200
WINDOW = 120
WINDOW_LEAD = 40
ELLIPSIS = "…"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    if not findings:
        return "All checks passed!\n"
    blocks = "".join(_block(finding, context) for finding in findings)
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{blocks}Found {len(findings)} {noun}.\n"


def _block(finding: Finding, context: ReportContext) -> str:
    start = finding.location.start
    path = context.display_path(finding.location.path)
    lines = [f"{path}:{start.row}:{start.column}: {finding.code} [{finding.severity.value}] {finding.message}"]
    source = _source_line(finding.location, context)
    gutter = len(str(start.row)) + 1
    if source is not None:
        text, caret_start, caret_end = _underline(source, finding.location)
        blank = " " * gutter + "|"
        carets = " " * caret_start + "^" * (caret_end - caret_start)
        lines += [blank, f"{start.row} | {text}".rstrip(), f"{blank} {carets}", blank]
    indent = " " * gutter
    if finding.fix_title:
        lines.append(f"{indent}= help: {finding.fix_title}")
    for related in finding.related:
        where = related.location
        lines.append(
            f"{indent}= related: {context.display_path(where.path)}:{where.start.row}:{where.start.column}: "
            f"{related.message}"
        )
    return "\n".join(lines) + "\n\n"


def _source_line(location: Location, context: ReportContext) -> str | None:
    """``None`` rather than ``""`` when the line is unknown, so an empty source line still gets its
    gutter and caret while an unreadable file gets none."""
    lines = context.lines.get(location.path)
    if lines is None or not 1 <= location.start.row <= len(lines):
        return None
    return lines[location.start.row - 1]


def _underline(line: str, location: Location) -> tuple[str, int, int]:
    """The text to show and the caret range within it.

    Columns are measured on the tab-expanded text, since a terminal would otherwise put the caret
    under a different character than the column names. A span that runs past this line, or is empty,
    is underlined to the end of the line, always with at least one caret.
    """
    expanded = line.expandtabs(TAB_WIDTH)
    start = _display_column(line, location.start.column)
    end = len(expanded)
    if location.end.row == location.start.row and location.end.column > location.start.column:
        end = _display_column(line, location.end.column)
    end = max(end, start + 1)
    if len(expanded) <= LONG_LINE:
        return expanded, start, end
    return _window(expanded, start, end)


def _display_column(line: str, column: int) -> int:
    """Tab stops depend only on the text before them, so expanding the prefix gives the column."""
    return len(line[: max(column - 1, 0)].expandtabs(TAB_WIDTH))


def _window(expanded: str, start: int, end: int) -> tuple[str, int, int]:
    """A slice around the start column: a minified or generated line would otherwise bury the caret
    hundreds of columns to the right."""
    left = max(0, min(start - WINDOW_LEAD, len(expanded) - WINDOW))
    right = min(len(expanded), left + WINDOW)
    prefix = ELLIPSIS if left > 0 else ""
    suffix = ELLIPSIS if right < len(expanded) else ""
    shift = len(prefix) - left
    caret_start = start + shift
    caret_end = max(min(end, right) + shift, caret_start + 1)
    return prefix + expanded[left:right] + suffix, caret_start, caret_end
