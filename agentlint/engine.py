"""One run: analyse every file (in parallel), assemble the graph, run the rules, apply suppressions.

Per-file analysis is a pure function of (path, bytes) so it can run in worker processes; a failure in
one file becomes a finding (or, for an agentlint bug, an internal-error note) and never stops the rest.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentlint import data, environment, globs, registry, sources
from agentlint.cache import Cache
from agentlint.config import Settings
from agentlint.discovery import DiscoveredFile, module_name
from agentlint.findings import Finding, Location
from agentlint.graph import PipelineGraph
from agentlint.ir import Fragment
from agentlint.python import autogen_components, smolagents
from agentlint.python.extract import PythonSyntaxError, UnanalysableError, extract_python
from agentlint.rule import EngineRule, GraphRule, Rule
from agentlint.suppressions import FileSuppressions, parse_suppressions

PARALLEL_THRESHOLD = 64
_INCOMPLETE = {"AGL001", "AGL002", "AGL003", "AGL006"}


@dataclass(frozen=True)
class Problem:
    """An engine finding before it meets its rule: code, message and where."""

    code: str
    message: str
    row: int = 1
    column: int = 1
    end_column: int | None = None


@dataclass
class FileOutcome:
    path: str
    fragment: Fragment | None = None
    problems: list[Problem] = field(default_factory=list)
    suppressions: FileSuppressions = field(default_factory=FileSuppressions)
    internal_error: str | None = None

    @property
    def fully_analysed(self) -> bool:
        return not any(problem.code in _INCOMPLETE for problem in self.problems)


@dataclass
class RunResult:
    findings: list[Finding]
    files: int
    internal_errors: list[str]
    graph: PipelineGraph


def file_kind(path: str) -> str | None:
    suffix = os.path.splitext(path)[1].lower()
    return "python" if suffix == ".py" else data.DATA_SUFFIXES.get(suffix)


def analyse(path: Path, relative: str, override: str | bytes | None = None, cache: Cache | None = None) -> FileOutcome:
    """Read, decode, parse and extract one file. ``override`` is source given on stdin for ``path``
    (bytes are decoded as the file would be, honouring a coding cookie);
    a ``cache`` answers for files whose bytes it has seen."""
    outcome = FileOutcome(relative)
    kind = file_kind(relative)
    if kind is None:
        return outcome
    key = None
    content: bytes | None = None
    if cache is not None and override is None:
        raw = sources.read_bytes(path)
        if isinstance(raw, bytes):
            content = raw
            key = cache.key(relative, module_name(path) if kind == "python" else "", raw)
            cached = cache.get(key)
            if isinstance(cached, FileOutcome):
                return cached
    try:
        _analyse(outcome, path, kind, override, content)
    except Exception:  # an agentlint bug on this file; the run goes on and exits 2
        outcome.internal_error = f"{relative}: {traceback.format_exc(limit=-3).strip().splitlines()[-1]}"
    if key is not None and cache is not None and outcome.internal_error is None:
        cache.put(key, outcome)
    return outcome


def _analyse(
    outcome: FileOutcome, path: Path, kind: str, override: str | bytes | None, content: bytes | None
) -> None:
    """``content`` is the file's bytes when the caller already read them (to key the cache)."""
    if isinstance(override, bytes):
        content = override
    if isinstance(override, str):
        text = sources.SourceText(override, sources.split_lines(override))
    else:
        raw = content if content is not None else sources.read_bytes(path)
        decoded = raw if isinstance(raw, sources.ReadProblem) else sources.decode(raw, python=kind == "python")
        if isinstance(decoded, sources.ReadProblem) and not isinstance(raw, sources.ReadProblem) and kind != "python" \
                and not data.claims(outcome.path, raw.decode("utf-8", errors="replace")):
            return  # a data file agentlint does not read (an image named .json, a latin-1 i18n table)
        if isinstance(decoded, sources.ReadProblem):
            code = "AGL003" if decoded.kind == "unreadable" else "AGL002"
            outcome.problems.append(Problem(code, decoded.message, decoded.row, decoded.column))
            return
        text = decoded
    outcome.suppressions = parse_suppressions(
        text.text, text.lines, kind, (rule.code for rule in registry.all_rules())
    )
    try:
        if kind == "python":
            outcome.fragment = extract_python(outcome.path, text.text, module_name(path))
        elif data.claims(outcome.path, text.text):
            document = data.parse(kind, text.text)
            entries = data.config_entries(outcome.path, kind, text.text)
            runs = data.langgraph_entry_points(outcome.path, path, document, text.lines)
            autogen = autogen_components.components(outcome.path, text.text)
            saved = smolagents.saved_agent(outcome.path, document, text.lines)
            if entries or runs or saved or autogen.teams or autogen.agents:
                outcome.fragment = Fragment(path=outcome.path, module="", config_entries=tuple(entries),
                                            run_sites=tuple(runs), teams=tuple(autogen.teams),
                                            agents=(*autogen.agents, *saved))
    except (PythonSyntaxError, data.DataSyntaxError) as error:
        outcome.problems.append(Problem("AGL001", f"{kind_label(kind)} syntax error: {error.message}", error.row, error.column))
    except UnanalysableError as error:
        outcome.problems.append(Problem("AGL006", str(error), error.row))


def kind_label(kind: str) -> str:
    return {"python": "Python", "yaml": "YAML", "json": "JSON", "toml": "TOML"}[kind]


def _analyse_job(job: tuple[Path, str, Cache | None]) -> FileOutcome:
    path, relative, cache = job
    return analyse(path, relative, None, cache)


def analyse_all(
    files: Sequence[DiscoveredFile], overrides: dict[str, str | bytes], cache: Cache | None = None
) -> list[FileOutcome]:
    jobs = [(file.path, file.relative, cache) for file in files if file.relative not in overrides]
    outcomes = [analyse(file.path, file.relative, overrides[file.relative]) for file in files if file.relative in overrides]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) >= PARALLEL_THRESHOLD and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes.extend(pool.map(_analyse_job, jobs, chunksize=16))
    else:
        outcomes.extend(_analyse_job(job) for job in jobs)
    return outcomes


def run(
    files: Sequence[DiscoveredFile],
    settings: Settings,
    enabled: Sequence[type[Rule]],
    overrides: dict[str, str | bytes] | None = None,
    *,
    focus: set[str] | None = None,
    cache: Cache | None = None,
) -> RunResult:
    """``focus``: report only findings that touch these files (primary or related location) while
    the graph is built from all of ``files``; what pre-commit and editors need."""
    outcomes = analyse_all(files, overrides or {}, cache)
    by_code = {rule.code: rule(rule.Options.model_validate(settings.options.get(rule.name, {}))) for rule in enabled}
    deployment = environment.deployment_fragments(
        (file.path.parents[level], str(directory))
        for file in files for level, directory in enumerate(PurePosixPath(file.relative).parents))
    graph = PipelineGraph([*(outcome.fragment for outcome in outcomes if outcome.fragment is not None), *deployment])
    findings: list[Finding] = []
    for outcome in outcomes:
        findings.extend(_engine_findings(outcome.path, outcome.problems, by_code))
    for rule in by_code.values():
        if isinstance(rule, GraphRule):
            findings.extend(rule.check(graph))
    findings = [f for f in findings if not _per_file_ignored(f, settings)]
    findings = _apply_suppressions(findings, outcomes, by_code, settings)
    if focus is not None:
        findings = [f for f in findings if f.location.path in focus or any(r.location.path in focus for r in f.related)]
        outcomes_reported = [outcome for outcome in outcomes if outcome.path in focus]
    else:
        outcomes_reported = outcomes
    return RunResult(
        findings=sorted(set(findings), key=Finding.sort_key),
        files=len(outcomes_reported),
        internal_errors=sorted(outcome.internal_error for outcome in outcomes_reported if outcome.internal_error),
        graph=graph,
    )


def _engine_findings(path: str, problems: Iterable[Problem], rules: dict[str, Rule]) -> Iterable[Finding]:
    for problem in problems:
        rule = rules.get(problem.code)
        if isinstance(rule, EngineRule):
            location = Location.at(path, problem.row, problem.column, problem.row, problem.end_column or problem.column)
            yield rule.finding(location, problem.message, anchor=f"{problem.code}:{problem.message}")


def _per_file_ignored(finding: Finding, settings: Settings) -> bool:
    for pattern, selectors in settings.per_file_ignores.items():
        if globs.matches(pattern, finding.location.path) and any(finding.code.startswith(s) for s in selectors):
            return True
    return False


def _apply_suppressions(
    findings: list[Finding], outcomes: list[FileOutcome], rules: dict[str, Rule], settings: Settings
) -> list[Finding]:
    by_path = {outcome.path: outcome for outcome in outcomes}
    kept = [f for f in findings if not _suppressed(f, by_path)]
    extra: list[Finding] = []
    for outcome in outcomes:
        extra.extend(_engine_findings(
            outcome.path,
            [Problem("AGL004", p.message, p.row, p.column, p.end_column) for p in outcome.suppressions.problems],
            rules,
        ))
        if outcome.fully_analysed:
            extra.extend(_engine_findings(outcome.path, _unused(outcome.suppressions, rules), rules))
    extra = [f for f in extra if not _per_file_ignored(f, settings)]
    # A suppression must not be able to hide the report that it is itself unused or malformed: those
    # answer only to ``file-ignore`` (and the config).
    return kept + [f for f in extra if not _suppressed(f, by_path, file_level_only=True)]


def _suppressed(finding: Finding, by_path: dict[str, FileOutcome], *, file_level_only: bool = False) -> bool:
    outcome = by_path.get(finding.location.path)
    return outcome is not None and outcome.suppressions.suppress(
        finding.code, finding.location.start.row, file_level_only=file_level_only)


def _unused(suppressions: FileSuppressions, rules: dict[str, Rule]) -> Iterable[Problem]:
    for item in suppressions.items:
        unused = [
            selector for selector in item.selectors
            if selector not in item.used and any(code.startswith(selector) for code in rules)
        ]
        if unused:
            names = ", ".join(f"`{selector}`" for selector in unused)
            yield Problem("AGL005", f"unused suppression: {names} suppressed nothing here",
                          item.row, item.column, item.end_column)
