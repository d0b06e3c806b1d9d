"""Hostile input never crashes a run: pathological nesting (in a subprocess, since a parser stack
overflow is a segfault, not an exception), symlink loops, dangling links, special files, unreadable
files, parallel analysis, and arbitrary bytes fed to the per-file analysis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlint import api, engine
from agentlint.cli import main
from agentlint.engine import analyse

needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks")
HTTP_BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("agentlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentlint"]


def run_json(project: Path, *args: str) -> tuple[int, list[dict], str]:
    """The real console script in its own process: a segfault shows as a negative return code
    instead of taking the test run down."""
    completed = subprocess.run(
        [*console_script(), "check", "-o", "json", *args], cwd=project, capture_output=True, timeout=300
    )
    stderr = completed.stderr.decode("utf-8", errors="replace")
    assert completed.returncode >= 0, f"killed by signal {-completed.returncode}: {stderr}"
    assert "Traceback" not in stderr, stderr
    return completed.returncode, json.loads(completed.stdout or b"[]"), stderr


def located(findings: list[dict]) -> list[tuple[str, str]]:
    return [(f["filename"], f["code"]) for f in findings]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agentlint.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------------------------------
# Pathological nesting, each in a subprocess


DEEP_SOURCES = {
    # 250 nested parentheses: CPython's tokenizer refuses more than 200.
    "parens.py": "x = " + "(" * 250 + "1" + ")" * 250 + "\n",
    "parens_http.py": "import requests\nx = " + "(" * 250 + "1" + ")" * 250 + "\n",
    # 2,500 chained additions: fine for CPython, beyond what libcst's parser takes.
    "chain.py": "import requests\nx = " + "1+" * 2500 + "1\n",
    "chain_20k.py": "x = " + "1+" * 20000 + "1\n",
    "not_chain.py": "import requests\nx = " + "not " * 5000 + "1\n",
    "attribute_chain.py": "import requests\nx = " + "a." * 20000 + "b\n",
    "call_chain.py": "import requests\nx = f(1)" + "(1)" * 20000 + "\n",
    "brackets.py": "import requests\nx = " + "[" * 150 + "]" * 150 + "\n",
    "dict_nest.py": "import requests\nx = " + "{1: " * 150 + "1" + "}" * 150 + "\n",
}


def test_250_nested_parentheses_is_agl006(project: Path) -> None:
    (project / "parens.py").write_text(DEEP_SOURCES["parens.py"])
    code, findings, _ = run_json(project, "parens.py")
    assert code == 1
    assert located(findings) == [("parens.py", "AGL006")]
    assert "too many nested parentheses" in findings[0]["message"]


def test_2500_chained_operators_is_a_finding_not_a_crash(project: Path) -> None:
    (project / "chain.py").write_text(DEEP_SOURCES["chain.py"])
    code, findings, _ = run_json(project, "chain.py")
    assert (code, located(findings)) == (1, [("chain.py", "AGL006")])


def test_deep_chain_in_a_file_agentlint_does_not_need_to_parse(project: Path) -> None:
    """Without an import agentlint understands, only CPython's parser sees the file, and it accepts
    2,500 chained operators: nothing to report, and no crash."""
    (project / "plain.py").write_text("x = " + "1+" * 2500 + "1\n")
    code, findings, _ = run_json(project, "plain.py")
    assert (code, findings) == (0, [])


def test_every_deep_source_in_one_run(project: Path) -> None:
    for name, text in DEEP_SOURCES.items():
        (project / name).write_text(text)
    (project / "fine.py").write_text(HTTP_BAD)
    code, findings, stderr = run_json(project, ".")
    assert code == 1
    assert stderr == ""
    by_file = {}
    for filename, rule in located(findings):
        by_file.setdefault(filename, []).append(rule)
    assert by_file.pop("fine.py") == ["AGL101"]
    assert set(by_file) <= set(DEEP_SOURCES)
    for filename, codes in by_file.items():
        assert len(codes) == 1, (filename, codes)
        assert codes[0] in {"AGL001", "AGL006"}, (filename, codes)
    for must_report in ("parens.py", "parens_http.py", "chain.py", "chain_20k.py"):
        assert by_file[must_report] == ["AGL006"]


def test_deep_nesting_with_a_syntax_error(project: Path) -> None:
    """A syntax error is confirmed with libcst before it is reported; that must not overflow either."""
    (project / "a.py").write_text("x = " + "1+" * 2500 + "1 +\n")
    (project / "b.py").write_text("import requests\nx = " + "[" * 150 + "]" * 150 + " +\n")
    code, findings, _ = run_json(project, ".")
    assert code == 1
    assert sorted(located(findings)) == [("a.py", "AGL001"), ("b.py", "AGL001")]


def test_deeply_nested_yaml_and_json(project: Path) -> None:
    (project / "config").mkdir()
    (project / "config/agents.yaml").write_text("backstory: " + "[" * 5000 + "]" * 5000 + "\n")
    (project / "langgraph.json").write_text("[" * 100_000 + "]" * 100_000)
    code, findings, stderr = run_json(project, ".")
    assert stderr == ""
    assert code in (0, 1)
    for finding in findings:
        assert finding["code"] in {"AGL001", "AGL006"}


# --------------------------------------------------------------------------------------------------
# Symlinks and special files


def invoke(*args: str) -> tuple[int, list[tuple[str, str, str]]]:
    result = CliRunner().invoke(main, ["check", "-o", "concise", *args], catch_exceptions=False)
    assert "Traceback" not in result.stderr
    rows = []
    for line in result.stdout.splitlines():
        path, row, column, rest = line.split(":", 3)
        rows.append((path, f"{row}:{column}", rest.split()[0]))
    return result.exit_code, rows


@needs_symlinks
def test_directory_symlink_loop_terminates_and_each_file_is_reported_once(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg/tool.py").write_text(HTTP_BAD)
    (project / "top.py").write_text(HTTP_BAD)
    (project / "pkg/loop").symlink_to("..")
    (project / "pkg/deeper").mkdir()
    (project / "pkg/deeper/back").symlink_to("../..")
    code, rows = invoke(".")
    assert code == 1
    assert rows == [("pkg/tool.py", "5:12", "AGL101"), ("top.py", "5:12", "AGL101")]
    # Named through the loop, the walk still ends.
    code, rows = invoke("pkg/loop")
    assert sorted(path for path, _, _ in rows) == ["pkg/loop/pkg/tool.py", "pkg/loop/top.py"]


@needs_symlinks
def test_symlinked_file_is_reported_once(project: Path) -> None:
    (project / "real.py").write_text(HTTP_BAD)
    (project / "zlink.py").symlink_to("real.py")
    assert invoke(".") == (1, [("real.py", "5:12", "AGL101")])
    assert invoke("real.py", "zlink.py") == (1, [("real.py", "5:12", "AGL101")])


@needs_symlinks
def test_dangling_symlink_is_agl003(project: Path) -> None:
    (project / "agents.py").symlink_to("missing.py")
    (project / "ok.py").write_text("x = 1\n")
    assert invoke(".") == (1, [("agents.py", "1:1", "AGL003")])
    # Named on the command line too: a finding, not a usage error.
    assert invoke("agents.py") == (1, [("agents.py", "1:1", "AGL003")])


@needs_symlinks
def test_symlink_to_a_directory_outside_the_project(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("shared")
    (outside / "lib.py").write_text(HTTP_BAD)
    (project / "vendored").symlink_to(outside)
    assert invoke(".") == (1, [("vendored/lib.py", "5:12", "AGL101")])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_fifo_does_not_hang_the_run(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    (project / "ok.py").write_text(HTTP_BAD)
    completed = subprocess.run([*console_script(), "check", "-o", "concise", "."], cwd=project,
                               capture_output=True, timeout=60)
    assert completed.returncode == 1
    lines = completed.stdout.decode().splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [["ok.py:5:12:", "AGL101"], ["pipe.py:1:1:", "AGL003"]]
    assert lines[1] == "pipe.py:1:1: AGL003 cannot read file: not a regular file"


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_unreadable_file_is_agl003(project: Path) -> None:
    secret = project / "secret.py"
    secret.write_text(HTTP_BAD)
    secret.chmod(0)
    try:
        assert invoke(".") == (1, [("secret.py", "1:1", "AGL003")])
    finally:
        secret.chmod(0o644)


def test_unreadable_file_via_the_engine(tmp_path: Path) -> None:
    """Root can read a chmod-000 file, so the unreadable case is also pinned at the engine level."""
    directory = tmp_path / "dir.py"
    directory.mkdir()
    outcome = analyse(directory, "dir.py")
    assert [(p.code, p.row, p.column) for p in outcome.problems] == [("AGL003", 1, 1)]
    assert outcome.internal_error is None


def test_directory_named_like_a_python_file_is_walked(project: Path) -> None:
    (project / "weird.py").mkdir()
    (project / "weird.py/inner.py").write_text(HTTP_BAD)
    assert invoke(".") == (1, [("weird.py/inner.py", "5:12", "AGL101")])


def test_file_that_vanishes_between_discovery_and_analysis(tmp_path: Path) -> None:
    outcome = analyse(tmp_path / "gone.py", "gone.py")
    assert [p.code for p in outcome.problems] == ["AGL003"]
    assert outcome.problems[0].message == "cannot read file: No such file or directory"


# --------------------------------------------------------------------------------------------------
# Parallel analysis gives the same result as sequential


def test_parallel_run_matches_sequential(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count = engine.PARALLEL_THRESHOLD + 6
    for index in range(count):
        kind = index % 5
        name = f"pkg/m{index:03d}.py"
        path = project / name
        path.parent.mkdir(exist_ok=True)
        if kind == 0:
            path.write_text(HTTP_BAD)
        elif kind == 1:
            path.write_text("def broken(:\n")
        elif kind == 2:
            path.write_bytes(b'x = "\xff"\n')
        elif kind == 3:
            path.write_text("import requests\nrequests.get(u, timeout=3)  # agentlint: ignore[AGL101]\n")
        else:
            path.write_text("x = 1\n")
    parallel = api.check([project])
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    sequential = api.check([project])
    assert parallel.internal_errors == sequential.internal_errors == []
    assert parallel.findings == sequential.findings
    assert parallel.files == sequential.files == count + 1  # + agentlint.toml
    assert {f.code for f in parallel.findings} == {"AGL101", "AGL001", "AGL002", "AGL005"}


# --------------------------------------------------------------------------------------------------
# Arbitrary bytes


PYTHONISH = st.sampled_from([
    b"import requests\n", b"requests.get(u)", b"(", b")", b"[", b"]", b"{", b"}", b"#", b"\n", b"\r", b"\r\n",
    b"\t", b" ", b"'", b'"', b'"""', b"\\", b"\x00", b"\xff", b"\xe9", b"\xef\xbb\xbf", b"\x0c",
    b"# -*- coding: latin-1 -*-\n", b"# coding: utf-16\n", b"# coding: nope\n", b"def f():\n", b"    ",
    b"# agentlint: ignore[AGL101]", b"# agentlint: disable[AGL1]", b"# agentlint: enable[AGL1]",
    b"# agentlint: file-ignore[AGL0]", b"# agentlint: ignore", b"timeout=None", b"lambda: ", b"async ",
    b"await ", b"with ", b":", b"=", b",", b"x", b"1",
])
YAMLISH = st.sampled_from([
    b"backstory:", b"expected_output:", b" ", b"\n", b"- ", b":", b"&a ", b"*a", b"!!python/object ", b"%YAML 1.1\n",
    b"---\n", b"...\n", b"'", b'"', b"{", b"}", b"[", b"]", b"#", b"# agentlint: ignore[AGL001]", b"\t", b"\xff",
    b"\x00", b"\xef\xbb\xbf", b"x", b"|\n", b">-\n", b"? ",
])


def mixed(tokens: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        st.lists(tokens, max_size=60).map(b"".join),
        st.lists(st.one_of(tokens, st.binary(max_size=4)), max_size=40).map(b"".join),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=mixed(PYTHONISH))
def test_analyse_never_fails_on_python_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.py"
    path.write_bytes(content)
    outcome = analyse(path, "fuzz.py")
    assert outcome.internal_error is None, (content, outcome.internal_error)
    for problem in outcome.problems:
        assert problem.code in {"AGL001", "AGL002", "AGL006"}
        assert problem.row >= 1 and problem.column >= 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=mixed(YAMLISH))
def test_analyse_never_fails_on_claimed_yaml_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "config" / "agents.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"backstory: " + content)
    outcome = analyse(path, "config/agents.yaml")
    assert outcome.internal_error is None, (content, outcome.internal_error)
    for problem in outcome.problems:
        assert problem.code in {"AGL001", "AGL002"}
        assert problem.row >= 1 and problem.column >= 1
