"""The one harness every rule's fixtures run through (DESIGN.md section 4).

``fixtures/<CODE>-<name>/{bad-*,ok-*}/`` are mini-projects. Expected findings are written where a
reader looks for them: an inline ``# expect: AGL101`` comment on the finding's primary line. Files that
cannot carry a comment (JSON, binary files, dangling symlinks) are covered by an ``expected.txt`` in the
case directory, in concise form (``path:row:col: CODE``, message omitted); when it exists it is the
whole, exact expectation, columns included.

Related locations (the requests that go through an unbounded client, the other writer of a key) are
checked when a case opts in by marking any of them with ``# related: AGL101``: from then on the
case's related locations must match its ``# related:`` marks exactly, as (path, row, code).

Nothing here knows about a particular rule: adding a rule means adding its fixture folders only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentlint import registry
from agentlint.api import check
from agentlint.config import Settings
from agentlint.engine import RunResult
from agentlint.findings import Finding, Location
from agentlint.rule import Rule

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_ROOT = REPO_ROOT / "fixtures"
EXPECTED_FILE = "expected.txt"
CASE_PREFIXES = ("bad-", "ok-")
# Sibling folders of the cases that are not cases themselves: ``fixed/`` holds autofix results.
NON_CASE_DIRS = frozenset({"fixed"})

_RULE_DIR = re.compile(r"^(?P<code>AGL\d{3})-(?P<name>[a-z0-9-]+)$")
_CODES = r"(?P<codes>AGL\d{3}(?:\s*,\s*AGL\d{3})*)"
_INLINE = re.compile(r"#\s*expect:\s*" + _CODES)
_RELATED = re.compile(r"#\s*related:\s*" + _CODES)
_CONCISE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<column>\d+):\s+(?P<code>AGL\d{3})\b")

# (path, row, code) for inline marks; (path, row, column, code) for expected.txt entries.
Mark = tuple[str, int, str]
Entry = tuple[str, int, int, str]


@dataclass(frozen=True)
class FixtureCase:
    """One ``bad-*`` or ``ok-*`` directory of one rule's fixture folder."""

    rule_dir: Path
    path: Path

    @property
    def id(self) -> str:
        return f"{self.rule_dir.name}/{self.path.name}"

    @property
    def is_bad(self) -> bool:
        return self.path.name.startswith("bad-")


def rule_dirs(root: Path = FIXTURES_ROOT) -> list[Path]:
    """Every ``AGL*`` folder; ``fixtures/showcase`` and friends are not per-rule fixtures."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.is_dir() and path.name.startswith("AGL"))


def cases(root: Path = FIXTURES_ROOT) -> list[FixtureCase]:
    return [
        FixtureCase(rule_dir, case)
        for rule_dir in rule_dirs(root)
        for case in sorted(rule_dir.iterdir())
        if case.is_dir() and case.name.startswith(CASE_PREFIXES)
    ]


def stray_entries(rule_dir: Path) -> list[str]:
    """Names in a rule folder that are neither cases nor known companions: usually a typo'd case name,
    which would otherwise be silently skipped."""
    return sorted(
        entry.name
        for entry in rule_dir.iterdir()
        if not (entry.is_dir() and (entry.name.startswith(CASE_PREFIXES) or entry.name in NON_CASE_DIRS))
    )


def rule_for_dir(rule_dir: Path) -> type[Rule] | str:
    """The registered rule a folder named ``<CODE>-<name>`` belongs to, or why there is none."""
    match = _RULE_DIR.match(rule_dir.name)
    if match is None:
        return f"`{rule_dir.name}` is not named `<CODE>-<rule-name>`, e.g. `AGL101-http-call-without-timeout`"
    rule = next((rule for rule in registry.all_rules() if rule.code == match["code"]), None)
    if rule is None:
        return f"`{rule_dir.name}`: no registered rule has the code {match['code']}"
    if rule.name != match["name"]:
        return f"`{rule_dir.name}`: {rule.code} is named `{rule.name}`, so the folder must be `{rule.code}-{rule.name}`"
    return rule


def project_files(directory: Path) -> Iterable[Path]:
    """Every file in a case, in a stable order; symlinks (dangling ones too) are listed, not followed."""
    for folder, subdirs, files in os.walk(directory):
        subdirs.sort()
        for name in sorted(files):
            yield Path(folder) / name


def inline_marks(directory: Path, pattern: re.Pattern[str] = _INLINE) -> set[Mark]:
    """``# expect:`` comments (or another mark ``pattern``) in every regular file of the case. Files
    are decoded leniently so an undecodable or broken file can still say what it expects. Symlinks are
    skipped: the engine reports a linked file under one of its paths only, so such expectations belong
    in ``expected.txt``."""
    marks: set[Mark] = set()
    for path in project_files(directory):
        if path.name == EXPECTED_FILE or path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(directory).as_posix()
        for row, line in enumerate(source_lines(path), start=1):
            for match in pattern.finditer(line):
                for code in match["codes"].split(","):
                    marks.add((relative, row, code.strip()))
    return marks


def related_marks(directory: Path) -> set[Mark]:
    return inline_marks(directory, _RELATED)


def source_lines(path: Path) -> list[str]:
    """Lines as the engine numbers them (``\\r\\n``, ``\\r`` and ``\\n`` all end a line), so rows
    agree on CRLF files."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def expected_entries(directory: Path) -> set[Entry] | None:
    """The ``expected.txt`` snapshot, or ``None`` when the case has none. Blank lines and ``#`` lines
    are allowed so a snapshot can explain itself."""
    snapshot = directory / EXPECTED_FILE
    if not snapshot.is_file():
        return None
    entries: set[Entry] = set()
    for number, line in enumerate(snapshot.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _CONCISE.match(stripped)
        if match is None:
            raise ValueError(f"{snapshot}:{number}: expected `path:row:col: CODE`, got {line!r}")
        entries.add((match["path"], int(match["row"]), int(match["column"]), match["code"]))
    return entries


def lint(directory: Path, enabled: Sequence[type[Rule]] | None = None) -> RunResult:
    """Lint a directory as its own project, with default settings and every rule on, so that the
    repository's config and other rules' opinions cannot leak in."""
    return check(
        [directory],
        settings=Settings(),
        root=directory,
        enabled=list(enabled) if enabled is not None else list(registry.all_rules()),
    )


def concise(finding: Finding) -> str:
    start = finding.location.start
    return f"{finding.location.path}:{start.row}:{start.column}: {finding.code} {finding.message}"


def compare(case: FixtureCase, result: RunResult) -> list[str]:
    """Everything wrong with a case's result, as lines for a failure message; empty when it passes."""
    problems = [f"internal error: {error}" for error in result.internal_errors]
    snapshot = expected_entries(case.path)
    marks, related = inline_marks(case.path), related_marks(case.path)
    if not case.is_bad:
        if marks or snapshot or related:
            problems.append("an ok-* case must not carry expectations (`# expect:`/`# related:` marks, expected.txt)")
        return problems + [f"unexpected: {concise(f)}" for f in result.findings]
    if snapshot is not None:
        problems += _against_snapshot(snapshot, marks, result.findings)
    else:
        problems += _against_marks(case.path, marks, result.findings)
    if related:
        problems += _against_related(case.path, related, result.findings)
    if not result.findings and not problems:
        problems.append("a bad-* case must produce at least one finding; mark it with `# expect: CODE`")
    return problems


def _against_snapshot(snapshot: set[Entry], marks: set[Mark], findings: list[Finding]) -> list[str]:
    """Exact (path, row, column, code) comparison; inline marks, if any, must agree with the snapshot."""
    stale = marks - {(path, row, code) for path, row, _, code in snapshot}
    problems = [f"`# expect:` mark not in expected.txt: {p}:{r}: {c}" for p, r, c in sorted(stale)]
    actual = {_entry(f) for f in findings}
    problems += [f"missing:    {p}:{r}:{col}: {c}" for p, r, col, c in sorted(snapshot - actual)]
    return problems + [f"unexpected: {concise(f)}" for f in findings if _entry(f) not in snapshot]


def _against_marks(directory: Path, marks: set[Mark], findings: list[Finding]) -> list[str]:
    """(path, row, code) comparison with the ``# expect:`` marks; a missing one quotes its line."""
    actual = {_mark(f) for f in findings}
    problems = [f"missing:    {p}:{r}: {c}{_quote(directory / p, r)}" for p, r, c in sorted(marks - actual)]
    return problems + [f"unexpected: {concise(f)}" for f in findings if _mark(f) not in marks]


def _against_related(directory: Path, marks: set[Mark], findings: list[Finding]) -> list[str]:
    """(path, row, code) of every related location against the ``# related:`` marks."""
    actual = {
        (item.location.path, item.location.start.row, finding.code): (finding, item.message)
        for finding in findings
        for item in finding.related
    }
    problems = [
        f"missing related: {p}:{r}: {c}{_quote(directory / p, r)}" for p, r, c in sorted(marks - actual.keys())
    ]
    return problems + [
        f"unexpected related: {p}:{r}: {c} {message!r} of {concise(finding)}"
        for (p, r, c), (finding, message) in sorted(actual.items(), key=lambda item: item[0])
        if (p, r, c) not in marks
    ]


def report(case: FixtureCase, result: RunResult, problems: list[str]) -> str:
    """A failure message that shows the diff first and the full output second."""
    lines = [f"fixture {case.id} ({case.path}):", *(f"  {problem}" for problem in problems), "actual findings:"]
    for finding in result.findings:
        lines.append(f"  {concise(finding)}")
        lines += [f"      related: {_where(item.location)} {item.message}" for item in finding.related]
    if not result.findings:
        lines.append("  (none)")
    return "\n".join(lines)


def _where(location: Location) -> str:
    return f"{location.path}:{location.start.row}:{location.start.column}"


def _quote(path: Path, row: int) -> str:
    """The marked source line, so a missing finding can be judged without opening the file."""
    lines = source_lines(path)
    return f"   | {lines[row - 1].strip()}" if 0 < row <= len(lines) else ""


def _mark(finding: Finding) -> Mark:
    return finding.location.path, finding.location.start.row, finding.code


def _entry(finding: Finding) -> Entry:
    return finding.location.path, finding.location.start.row, finding.location.start.column, finding.code
