"""Output formats. Each format is a function ``render(findings, context) -> str``; the CLI picks one by
name from ``FORMATS`` and writes the text to stdout or ``--output-file``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentlint.findings import Finding
from agentlint.reporting import concise, full, github, json, json_lines, sarif
from agentlint.rule import Rule


@dataclass(frozen=True)
class ReportContext:
    """What a renderer may need beyond the findings themselves.

    ``root`` is the absolute project root that finding paths are relative to (SARIF's %SRCROOT%);
    ``cwd`` is where the user ran agentlint, since human-facing paths are shown relative to it.
    ``rules`` are the enabled rules, sorted by code (SARIF lists every one of them).
    ``lines`` maps a finding path to the file's decoded lines (without line endings), for snippets and
    fingerprints; a path missing from it (binary or undecodable file) renders without a snippet.
    """

    root: Path
    cwd: Path
    rules: Sequence[type[Rule]]
    lines: dict[str, list[str]] = field(default_factory=dict)
    version: str = ""

    def display_path(self, path: str) -> str:
        absolute = self.root / path
        try:
            return absolute.relative_to(self.cwd).as_posix()
        except ValueError:
            return absolute.as_posix()

    def line_text(self, finding: Finding) -> str:
        lines = self.lines.get(finding.location.path)
        row = finding.location.start.row
        if lines is None or not 1 <= row <= len(lines):
            return ""
        return lines[row - 1]


Renderer = Callable[[Sequence[Finding], ReportContext], str]

FORMATS: dict[str, Renderer] = {
    "full": full.render,
    "concise": concise.render,
    "json": json.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
}
