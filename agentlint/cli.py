"""The ``agentlint`` command line (click). Exit codes: 0 clean, 1 findings at or above ``fail-on``,
2 usage, configuration or internal error, as with ruff."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from pathlib import Path

import click

from agentlint import __version__, api, baseline, registry, sources, views
from agentlint.views import dot as views_dot
from agentlint.views import mermaid as views_mermaid
from agentlint.config import ConfigError, Settings, find_config, load_settings, project_root
from agentlint.discovery import relative_to_root
from agentlint.findings import Finding, Severity
from agentlint.reporting import FORMATS, ReportContext
from agentlint.reporting.statistics import render_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Selectors may be repeated or comma-separated, as ruff accepts them."""
    return tuple(part.strip().upper() for value in values for part in value.split(",") if part.strip())


def _fail(message: str) -> None:
    click.echo(f"agentlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="agentlint")
def main() -> None:
    """Static linter and contract checker for multi-agent AI pipelines."""
    # libcst allocates millions of small objects per file, most of them alive until the file is done:
    # the default collection thresholds spend a third of a run scanning them. A one-shot command can
    # afford fewer, larger collections (measured in benchmarks/README.md).
    gc.freeze()
    gc.set_threshold(100_000, 20, 20)


def _existing_paths(ctx: click.Context, param: click.Parameter, paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """Like ``click.Path(exists=True)``, except that a dangling symlink counts as existing: it is
    checked and reported as an unreadable file (AGL003), not rejected as a usage error."""
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            raise click.BadParameter(f"Path {click.format_filename(path)!r} does not exist.", ctx, param)
    return paths


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing_paths)
@click.option("-o", "--output-format", type=click.Choice(sorted(FORMATS)), help="Output format [default: full].")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), help="Lowest severity that fails the run.")
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--force-exclude", is_flag=True, help="Apply exclusions to paths named on the command line too.")
@click.option("--stdin-filename", type=click.Path(path_type=Path), help="Read source from stdin, report it as PATH.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Use this config file instead of discovering one.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary line.")
@click.option("--no-cache", is_flag=True, help="Analyse every file afresh; do not read or write the cache.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Record the current findings in this file and exit 0.")
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    output_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    statistics: bool,
    exit_zero: bool,
    force_exclude: bool,
    stdin_filename: Path | None,
    config_file: Path | None,
    quiet: bool,
    no_cache: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
) -> None:
    """Check PATHS (default: the current directory) for pipeline failure patterns."""
    cwd = Path.cwd().resolve()
    targets = [stdin_filename] if stdin_filename else list(paths) or [Path(".")]
    try:
        rules = registry.all_rules()
    except registry.RuleLoadError as error:
        _fail(f"cannot load rules: {error}")
    try:
        config_path = config_file or find_config(Path(os.path.abspath(targets[0])))
        settings = load_settings(config_path) if config_path else Settings()
        root = project_root(config_path, Path(os.path.abspath(targets[0])), cwd)
        registry.check_selectors((*settings.select, *settings.extend_select, *settings.ignore),
                                 source=str(config_path or "settings"))
        for selectors in settings.per_file_ignores.values():
            registry.check_selectors(selectors, source=f"{config_path}: per-file-ignores")
        cli_selectors = (_split(select), _split(extend_select), _split(ignore))
        registry.check_selectors((s for group in cli_selectors for s in group), source="command line")
        enabled = registry.select_rules(
            (cli_selectors[0] or settings.select) + settings.extend_select + cli_selectors[1],
            settings.ignore + cli_selectors[2],
        )
        _validate_options(settings, rules, config_path)
    except (ConfigError, registry.SelectorError) as error:
        _fail(str(error))

    stdin = (stdin_filename, sys.stdin.buffer.read()) if stdin_filename else None
    result = api.check(list(paths) or [Path(".")], settings=settings, root=root, enabled=enabled,
                       force_exclude=force_exclude, stdin=stdin, project_context=True, cache=not no_cache)
    overrides = {relative_to_root(stdin[0], root): stdin[1]} if stdin else {}
    context = ReportContext(
        root=root,
        cwd=cwd,
        rules=enabled,
        lines=_source_lines(result.findings, root, overrides),
        version=__version__,
    )
    findings = result.findings
    if write_baseline is not None:
        baseline.write(write_baseline, findings, context)
        click.echo(f"agentlint: recorded {len(findings)} finding(s) in {write_baseline}", err=True)
        sys.exit(EXIT_CLEAN)
    if baseline_file is not None:
        try:
            findings = baseline.new_findings(findings, context, baseline.load(baseline_file))
        except baseline.BaselineError as error:
            _fail(str(error))
    if statistics:
        text = render_statistics(findings)
    else:
        text = FORMATS[output_format or settings.output_format](findings, context)
        if quiet and (output_format or settings.output_format) == "full":
            # Only the final summary line: a finding's own line may start with "Found " (its path).
            text = re.sub(r"(?:Found \d+ findings?\.|All checks passed!)\n\Z", "", text)
    _write(text, output_file)
    for message in result.internal_errors:
        click.echo(f"agentlint: internal error while analysing {message}", err=True)
    threshold = Severity(fail_on) if fail_on else settings.fail_on
    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    failing = any(finding.severity.rank >= threshold.rank for finding in findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _validate_options(settings: Settings, rules: tuple, config_path: Path | None) -> None:
    by_name = {rule.name: rule for rule in rules}
    for name, table in settings.options.items():
        rule = by_name.get(name)
        if rule is None:
            raise ConfigError(f"{config_path}: unknown rule `{name}` in [tool.agentlint.options]")
        try:
            rule.Options.model_validate(table)
        except Exception as error:  # pydantic.ValidationError, reported in one line
            first = error.errors()[0] if hasattr(error, "errors") else {"loc": (), "msg": str(error)}
            key = ".".join(str(part) for part in first["loc"])
            raise ConfigError(f"{config_path}: [tool.agentlint.options.{name}] `{key}`: {first['msg']}") from None


def _source_lines(findings: list[Finding], root: Path, overrides: dict[str, bytes]) -> dict[str, list[str]]:
    """Decoded lines of the files that have findings, for snippets and fingerprints; read again here
    rather than shipped back from the workers, since most files have no finding."""
    lines: dict[str, list[str]] = {}
    for path in {finding.location.path for finding in findings}:
        raw = overrides[path] if path in overrides else sources.read_bytes(root / path)
        decoded = raw if isinstance(raw, sources.ReadProblem) else sources.decode(raw, python=path.endswith(".py"))
        if isinstance(decoded, sources.SourceText):
            lines[path] = decoded.lines
    return lines


def _write(text: str, output_file: Path | None) -> None:
    if output_file is not None:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
        return
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


@main.command()
@click.argument("code_or_name", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule(code_or_name: str | None, show_all: bool, output_format: str) -> None:
    """Show the documentation of a rule (by code or name), or list every rule with --all."""
    if show_all == bool(code_or_name):
        _fail("give a rule code or name, or --all")
    try:
        rules = registry.all_rules()
    except registry.RuleLoadError as error:
        _fail(f"cannot load rules: {error}")
    if show_all:
        records = [_rule_record(r) for r in rules]
        if output_format == "json":
            click.echo(json.dumps(records, indent=2))
        else:
            for record in records:
                fix = " (fixable)" if record["fixable"] else ""
                click.echo(f"{record['code']}  {record['name']:<32} {record['summary']}{fix}")
        return
    found = registry.lookup(code_or_name or "")
    if found is None:
        _fail(f"unknown rule `{code_or_name}` (see `agentlint rule --all`)")
    if output_format == "json":
        click.echo(json.dumps({**_rule_record(found), "explanation": found.docs()}, indent=2))
    else:
        click.echo(f"# {found.name} ({found.code})\n\n{found.summary[0].upper()}{found.summary[1:]}.\n"
                   f"Family: {found.family()}. Severity: {found.severity.value}. Precision: {found.precision.value}.\n\n"
                   f"{found.docs()}")


def _rule_record(rule: type) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "family": rule.family(),
        "severity": rule.severity.value,
        "precision": rule.precision.value,
        "fixable": rule.fixable,
    }


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["json", "mermaid", "dot"]), default="mermaid",
              show_default=True)
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the graph here.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Use this config file instead of discovering one.")
def graph(paths: tuple[Path, ...], output_format: str, output_file: Path | None, config_file: Path | None) -> None:
    """Print the pipeline extracted from PATHS: clients and calls with their time bounds, graphs with
    their nodes and edges, run sites; ending with a coverage summary of what was not understood."""
    targets = list(paths) or [Path(".")]
    anchor = Path(os.path.abspath(targets[0]))
    try:
        config_path = config_file or find_config(anchor)
        settings = load_settings(config_path) if config_path else Settings()
    except ConfigError as error:
        _fail(str(error))
    root = project_root(config_path, anchor, Path.cwd().resolve())
    result = api.check(targets, settings=settings, root=root, enabled=[])
    report = views.build_report(result.graph, result.files, __version__)
    if output_format == "json":
        text = report.model_dump_json(indent=2) + "\n"
    else:
        renderer = views_mermaid.render if output_format == "mermaid" else views_dot.render
        text = renderer(result.graph, report)
    _write(text, output_file)
    for line in views.coverage_lines(report.coverage):
        click.echo(f"agentlint: {line}", err=True)
