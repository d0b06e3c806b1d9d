"""Benchmark agentlint against the parse-only floor (DESIGN.md section 5).

    python benchmarks/run.py [--corpus DIR] [--repeat N] [--jobs N] [--json] [--profile]

Every measured step runs in a fresh subprocess, started through a small launcher that times it and
reads the peak RSS of its process tree (``getrusage(RUSAGE_CHILDREN)``), so interpreter start-up,
imports and process-pool start-up count as a user would experience them:

    libcst floor   read every .py file agentlint would check and ``libcst.parse_module`` it, one process
    ast floor      the same with ``ast.parse``, for reference
    agentlint      ``agentlint check CORPUS -o json --exit-zero`` with an empty config (its own parallelism)
    agentlint x1   the same run forced into one process (``agentlint.engine.PARALLEL_THRESHOLD`` raised)

Wall time is the best of ``--repeat`` runs (the repetitions are interleaved across steps so drift hits
every step alike). Speed is reported, never asserted: the script exits non-zero only when agentlint
crashes (exit code 2, a signal, or a traceback on stderr), after printing its stderr.

Standard library plus what agentlint already depends on; nothing here imports agentlint's internals
except ``discovery``/``config`` to list the files a run checks.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

# Runs the measured command and reports wall time, CPU time and peak RSS of its whole process tree.
# ``ru_maxrss`` of RUSAGE_CHILDREN is the largest single descendant (the main process or one pool
# worker), not a sum: for the parallel run it is the peak of the biggest process, not of the tree.
_LAUNCHER = textwrap.dedent(
    """
    import json, subprocess, sys, time
    try:
        import resource
    except ImportError:
        resource = None
    command = json.loads(sys.argv[1])
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    result = {"wall": wall, "returncode": done.returncode,
              "stdout": done.stdout.decode("utf-8", "replace"), "stderr": done.stderr.decode("utf-8", "replace")}
    if resource is not None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        result.update(maxrss=usage.ru_maxrss * scale, cpu=usage.ru_utime + usage.ru_stime)
    json.dump(result, sys.stdout)
    """
)

# The floors: read each file as bytes (both parsers honour coding cookies) and parse it; a file the
# parser rejects is counted, not fatal, since the stdlib holds deliberately broken test files.
_FLOOR = textwrap.dedent(
    """
    import json, sys
    {imports}
    paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
    failed = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            {parse}
        except Exception as error:
            failed.append([path, type(error).__name__])
    print(json.dumps({{"files": len(paths), "failed": failed}}))
    """
)
LIBCST_FLOOR = _FLOOR.format(imports="import libcst", parse="libcst.parse_module(data)")
AST_FLOOR = _FLOOR.format(
    imports="import ast, warnings\nwarnings.simplefilter('ignore')", parse="ast.parse(data)"
)

# agentlint's CLI in-process with the engine's parallelism overridden: PARALLEL_THRESHOLD raised to
# force one process, or os.cpu_count patched so the engine picks ``--jobs`` workers. agentlint has no
# ``--jobs`` option (engine.analyse_all uses min(os.cpu_count(), 8) workers from 64 files up).
_PATCHED_CLI = textwrap.dedent(
    """
    import sys
    import agentlint.engine as engine
    mode, value = sys.argv[1], int(sys.argv[2])
    if mode == "single":
        engine.PARALLEL_THRESHOLD = 10**12
    else:
        engine.os.cpu_count = lambda: value
    from agentlint.cli import main
    main(sys.argv[3:], prog_name="agentlint")
    """
)

# cProfile of the single-process run; lists agentlint's and libcst's functions only, by package path.
_PROFILE = textwrap.dedent(
    r"""
    import cProfile, pstats, re, sys
    import agentlint.engine as engine
    engine.PARALLEL_THRESHOLD = 10**12
    from agentlint.cli import main
    top = int(sys.argv[1])
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        main(sys.argv[2:], prog_name="agentlint")
    except SystemExit:
        pass
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"total profiled time: {stats.total_tt:.2f} s (profiler overhead included)")
    pattern = re.compile(r"[/\\]((?:agentlint|libcst)[/\\].*)$")
    rows = []
    for (filename, line, function), (cc, nc, tt, ct, callers) in stats.stats.items():
        match = pattern.search(filename)
        if match:
            calls = str(nc) if cc == nc else f"{nc}/{cc}"
            name = match.group(1).replace("\\", "/")
            rows.append((ct, tt, calls, f"{name}:{line}({function})"))
    for title, key in (("cumulative", 0), ("tottime", 1)):
        print(f"\n=== top {top} by {title} time (agentlint/libcst functions) ===")
        print(f"{'cumtime':>8} {'tottime':>8} {'ncalls':>14}  function")
        for ct, tt, calls, name in sorted(rows, key=lambda row: -row[key])[:top]:
            print(f"{ct:8.2f} {tt:8.2f} {calls:>14}  {name}")
    """
)


_LABELS = {LIBCST_FLOOR: "<libcst floor script>", AST_FLOOR: "<ast floor script>", _PATCHED_CLI: "<patched agentlint cli>"}


@dataclass
class Step:
    name: str
    description: str
    command: list[str]
    is_agentlint: bool = False
    output_file: Path | None = None
    runs: list[dict] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(run["wall"] for run in self.runs)

    @property
    def peak_rss(self) -> int | None:
        values = [run["maxrss"] for run in self.runs if "maxrss" in run]
        return max(values) if values else None

    @property
    def best_cpu(self) -> float | None:
        values = [run["cpu"] for run in self.runs if "cpu" in run]
        return min(values) if values else None


def default_corpus() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def agentlint_command() -> list[str]:
    script = Path(sys.executable).parent / ("agentlint.exe" if os.name == "nt" else "agentlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentlint"]


def list_files(corpus: Path, config: Path) -> tuple[list[Path], int]:
    """The .py files agentlint checks, and how many other (data) files it also reads. Discovered with
    the settings and root the CLI derives from ``--config``, so the file set is exactly the checked one
    (root = the config's directory: the corpus's own .gitignore files are then not applied, as in the run)."""
    from agentlint.config import load_settings, project_root
    from agentlint.discovery import discover

    settings = load_settings(config)
    root = project_root(config, corpus, Path.cwd())
    files = list(discover([corpus], settings, root, force_exclude=False))
    python = [file.path for file in files if file.path.suffix.lower() == ".py"]
    return python, len(files) - len(python)


def count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        data = path.read_bytes()
        total += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return total


def measure(step: Step) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, json.dumps(step.command)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=True,
    )
    result = json.loads(done.stdout)
    step.runs.append(result)
    return result


def verdict(result: dict, output_file: Path) -> str:
    """``ok``; ``internal`` when agentlint exited 2 having reported internal errors on some files (the
    run finished and wrote its report); ``crash`` for a traceback, a signal or no report at all."""
    stderr = result["stderr"]
    if "Traceback (most recent call last)" in stderr or not output_file.exists():
        return "crash"
    if result["returncode"] in (0, 1):
        return "ok"
    if result["returncode"] == 2 and "internal error" in stderr:
        return "internal"
    return "crash"


def summarise_findings(output_file: Path) -> dict:
    records = json.loads(output_file.read_text(encoding="utf-8"))
    by_code = collections.Counter(record["code"] for record in records)
    files_by_code: dict[str, set[str]] = collections.defaultdict(set)
    for record in records:
        files_by_code[record["code"]].add(record["filename"])
    return {
        "total": len(records),
        "by_code": dict(sorted(by_code.items())),
        "files_by_code": {code: len(files) for code, files in sorted(files_by_code.items())},
        "records": records,
    }


def comparable(records: list[dict]) -> list[tuple]:
    return sorted(
        (r["code"], r["filename"], r["location"]["row"], r["location"]["column"], r["message"]) for r in records
    )


def fmt_rate(value: float) -> str:
    return f"{value / 1000:,.1f}k" if value >= 10_000 else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="directory to check [default: this Python's stdlib]")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best wall time counts [default: 3]")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes for the parallel agentlint row [default: agentlint's own choice]")
    parser.add_argument("--json", action="store_true", help="print machine-readable results instead of the table")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile agentlint single-process once and print the top agentlint/libcst functions")
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed by --profile [default: 25]")
    parser.add_argument("--skip-floors", action="store_true", help="measure agentlint only")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    corpus = (args.corpus or default_corpus()).resolve()
    if not corpus.is_dir():
        parser.error(f"corpus is not a directory: {corpus}")
    workdir = Path(tempfile.mkdtemp(prefix="agentlint-bench-"))
    try:
        return _run(args, corpus, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, corpus: Path, workdir: Path) -> int:
    config = workdir / "agentlint.toml"
    config.write_text("", encoding="utf-8")  # empty: defaults, and no config from the corpus is picked up
    python_files, data_files = list_files(corpus, config)
    lines = count_lines(python_files)
    file_list = workdir / "files.txt"
    file_list.write_text("".join(f"{path}\n" for path in python_files), encoding="utf-8")

    cli = agentlint_command()
    help_text = subprocess.run([*cli, "check", "--help"], capture_output=True, text=True).stdout
    no_flags = [flag for flag in ("--no-cache",) if flag in help_text]  # keep every run cold: the cache would turn repeats into lookups

    def check_args(output: Path) -> list[str]:
        return ["check", str(corpus), *no_flags, "-o", "json", "--exit-zero",
                "--output-file", str(output), "--config", str(config)]

    parallel_out, single_out = workdir / "parallel.json", workdir / "single.json"
    if args.jobs is None:
        parallel_cmd = [*cli, *check_args(parallel_out)]
        parallel_desc = f"agentlint check (workers: min(cpu_count={os.cpu_count()}, 8))"
    else:
        parallel_cmd = [sys.executable, "-c", _PATCHED_CLI, "jobs", str(args.jobs), *check_args(parallel_out)]
        parallel_desc = f"agentlint check, {args.jobs} workers (os.cpu_count patched)"
    steps = []
    if not args.skip_floors:
        steps += [
            Step("libcst floor", "read + libcst.parse_module, 1 process", [sys.executable, "-c", LIBCST_FLOOR, str(file_list)]),
            Step("ast floor", "read + ast.parse, 1 process", [sys.executable, "-c", AST_FLOOR, str(file_list)]),
        ]
    steps += [
        Step("agentlint", parallel_desc, parallel_cmd, is_agentlint=True, output_file=parallel_out),
        Step("agentlint x1", "agentlint check, 1 process (PARALLEL_THRESHOLD patched)",
             [sys.executable, "-c", _PATCHED_CLI, "single", "1", *check_args(single_out)],
             is_agentlint=True, output_file=single_out),
    ]

    log = sys.stderr
    print(f"corpus: {corpus}\n{len(python_files)} .py files, {lines:,} lines (+{data_files} data files agentlint "
          f"also reads); {args.repeat} run(s) per step; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}",
          file=log)
    crashes: list[str] = []
    failed_stderr: dict[str, str] = {}  # distinct stderr of failing agentlint runs -> which runs
    floor_failures: dict[str, list] = {}
    for repetition in range(args.repeat):
        for step in steps:
            if step.output_file is not None:
                step.output_file.unlink(missing_ok=True)
            result = measure(step)
            print(f"  run {repetition + 1}/{args.repeat} {step.name:<13} {result['wall']:8.2f} s  rc={result['returncode']}",
                  file=log, flush=True)
            if step.is_agentlint:
                outcome = verdict(result, step.output_file)
                if outcome == "crash":
                    crashes.append(f"{step.name} run {repetition + 1}: exit code {result['returncode']}")
                if outcome != "ok":
                    label = f"{step.name} run {repetition + 1} (exit code {result['returncode']})"
                    key = result["stderr"]
                    failed_stderr[key] = f"{failed_stderr[key]}, {label}" if key in failed_stderr else label
            else:
                if result["returncode"] != 0:
                    print(f"  {step.name} failed (exit code {result['returncode']}):\n{result['stderr']}", file=log)
                else:
                    floor_failures[step.name] = json.loads(result["stdout"])["failed"]
        if crashes:
            break  # no report to read and no point timing a crashing build again

    findings = {}
    for step in steps:
        if step.is_agentlint and step.output_file.exists():
            findings[step.name] = summarise_findings(step.output_file)
    internal = sorted({line for step in steps if step.is_agentlint for run in step.runs
                       for line in run["stderr"].splitlines() if "internal error" in line})

    by_name = {step.name: step for step in steps}
    libcst_floor = by_name.get("libcst floor")
    ast_floor = by_name.get("ast floor")
    rows = []
    for step in steps:
        if not step.runs:
            continue
        row = {
            "step": step.name,
            "description": step.description,
            "command": [_LABELS.get(part, part) for part in step.command],
            "seconds": round(step.best, 3),
            "runs": [round(run["wall"], 3) for run in step.runs],
            "cpu_seconds": round(step.best_cpu, 3) if step.best_cpu is not None else None,
            "files_per_s": len(python_files) / step.best,
            "lines_per_s": lines / step.best,
            "peak_rss_mb": round(step.peak_rss / 2**20, 1) if step.peak_rss else None,
            "vs_libcst_floor": step.best / libcst_floor.best if libcst_floor and libcst_floor.runs else None,
            "vs_ast_floor": step.best / ast_floor.best if ast_floor and ast_floor.runs else None,
            "returncodes": [run["returncode"] for run in step.runs],
        }
        rows.append(row)

    parallel, single = findings.get("agentlint"), findings.get("agentlint x1")
    same = parallel is not None and single is not None and comparable(parallel["records"]) == comparable(single["records"])
    summary = findings.get("agentlint") or findings.get("agentlint x1")
    report = {
        "corpus": str(corpus),
        "python_files": len(python_files),
        "lines": lines,
        "data_files": data_files,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "repeat": args.repeat,
        "command": [*cli, *check_args(Path("<tmp>/out.json"))],
        "rows": rows,
        "floor_parse_failures": {name: len(failed) for name, failed in floor_failures.items()},
        "findings": {k: v for k, v in summary.items() if k != "records"} if summary else None,
        "parallel_and_single_agree": same if parallel and single else None,
        "internal_errors": internal,
        "crashed": bool(crashes),
    }

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
        if summary:
            examples(summary["records"])
        for name, failed in floor_failures.items():
            if failed:
                print(f"\n{name}: {len(failed)} file(s) rejected by the parser, e.g. "
                      + ", ".join(f"{Path(p).relative_to(corpus)} ({kind})" for p, kind in failed[:5]))

    if args.profile and not crashes:
        print(f"\n--- cProfile, agentlint single process ({corpus}) ---", flush=True)
        done = subprocess.run([sys.executable, "-c", _PROFILE, str(args.profile_top), *check_args(workdir / "profile.json")],
                              capture_output=True, text=True)
        print(done.stdout)
        if done.returncode != 0 or "Traceback" in done.stderr:
            print(done.stderr, file=sys.stderr)

    for stderr, runs in failed_stderr.items():
        print(f"\n--- agentlint stderr of {runs}:\n{stderr.rstrip()}", file=sys.stderr)
    if crashes:
        print("\nagentlint CRASHED: " + "; ".join(crashes), file=sys.stderr)
    elif failed_stderr:
        print(f"\nagentlint exited 2: internal errors on {len(internal)} file(s)", file=sys.stderr)
    return 1 if failed_stderr else 0


def print_table(report: dict) -> None:
    print(f"\ncorpus: {report['corpus']}")
    print(f"{report['python_files']:,} .py files, {report['lines']:,} lines (+{report['data_files']} data files agentlint "
          f"also reads); Python {report['python']}, {report['cpus']} CPUs, best of {report['repeat']}")
    print("agentlint command: " + " ".join(report["command"]) + "\n")
    header = ("step", "seconds", "cpu s", "files/s", "lines/s", "peak RSS MB", "vs libcst", "vs ast")
    table = [header]
    for row in report["rows"]:
        table.append((
            row["step"],
            f"{row['seconds']:.2f}",
            f"{row['cpu_seconds']:.2f}" if row["cpu_seconds"] is not None else "-",
            fmt_rate(row["files_per_s"]),
            fmt_rate(row["lines_per_s"]),
            f"{row['peak_rss_mb']:.0f}" if row["peak_rss_mb"] is not None else "-",
            f"{row['vs_libcst_floor']:.2f}x" if row["vs_libcst_floor"] is not None else "-",
            f"{row['vs_ast_floor']:.1f}x" if row["vs_ast_floor"] is not None else "-",
        ))
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    for row in report["rows"]:
        codes = sorted(set(row["returncodes"]))
        print(f"  {row['step']:<13} {row['description']}; runs: " + ", ".join(f"{s:.2f}" for s in row["runs"])
              + (f"; exit codes {codes}" if codes != [0] else ""))
    findings = report["findings"]
    if findings:
        codes = ", ".join(f"{code} {count}" for code, count in findings["by_code"].items()) or "none"
        print(f"\nfindings: {findings['total']} ({codes})")
        per_file = findings["files_by_code"]
        print(f"files with AGL001 (syntax error): {per_file.get('AGL001', 0)}; "
              f"with AGL006 (unanalysable): {per_file.get('AGL006', 0)}")
    if report["parallel_and_single_agree"] is False:
        print("WARNING: the parallel and single-process runs reported different findings")
    for line in report["internal_errors"]:
        print(f"INTERNAL ERROR: {line.removeprefix('agentlint: ')}")


def examples(records: list[dict], per_code: int = 5) -> None:
    by_code: dict[str, list[dict]] = collections.defaultdict(list)
    for record in records:
        by_code[record["code"]].append(record)
    for code, items in sorted(by_code.items()):
        print(f"\n{code} e.g.:")
        for record in items[:per_code]:
            print(f"  {record['filename']}:{record['location']['row']}:{record['location']['column']}: {record['message']}")


if __name__ == "__main__":
    sys.exit(main())
