"""``agentlint check`` and ``agentlint rule`` end to end: exit codes, error messages, every output format
and the flags that shape them. Projects are built in ``tmp_path``; most runs go through click's
``CliRunner`` (stdout and stderr separated), a few through the real console script in a subprocess."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from agentlint import __version__, registry
from agentlint.cli import main

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"

HTTP_BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
HTTP_BAD_AT = "5:12"
HTTP_OK = "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=10)\n"
UNUSED_SUPPRESSION = (
    "import requests\n\n\ndef fetch(url):\n"
    "    return requests.get(url, timeout=10)  # agentlint: ignore[AGL101] -- was slow once\n"
)
SYNTAX_ERROR = "import os\n\n\ndef broken(:\n    pass\n"

CONCISE = re.compile(r"^(?P<path>[^:]+):(?P<row>\d+):(?P<column>\d+): (?P<code>AGL\d{3}) (?P<message>.+)$")
GITHUB = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+.*::.+$")


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project with its own (empty) config, so nothing above ``tmp_path`` can leak in, and the
    current directory set to it, so reported paths are short and relative."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "agentlint.toml").write_text("")
    monkeypatch.chdir(root)
    return root


def invoke(*args: str, input: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def concise_codes(stdout: str) -> list[tuple[str, str, str]]:
    """(path, row:col, code) of each concise line."""
    rows = []
    for line in stdout.splitlines():
        match = CONCISE.match(line)
        assert match, f"not a concise line: {line!r}"
        rows.append((match["path"], f"{match['row']}:{match['column']}", match["code"]))
    return rows


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("agentlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agentlint"]


def run_script(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*console_script(), *args], cwd=cwd, capture_output=True, timeout=120,
        env={**os.environ, **(env or {})},
    )


# --------------------------------------------------------------------------------------------------
# Exit codes


def test_clean_project_exits_0_and_says_all_checks_passed(project: Path) -> None:
    write(project, {"app.py": HTTP_OK})
    result = invoke("check")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"
    assert result.stderr == ""


def test_findings_exit_1_with_full_output(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    result = invoke("check", "app.py")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"app.py:{HTTP_BAD_AT}: AGL101 [error] `requests.get` can wait forever")
    assert "5 |     return requests.get(url)\n" in result.stdout
    assert "  |            " + "^" * len("requests.get(url)") + "\n" in result.stdout
    assert "  = help: " in result.stdout
    assert result.stdout.endswith("Found 1 finding.\n")


def test_default_path_is_the_current_directory(project: Path) -> None:
    write(project, {"pkg/app.py": HTTP_BAD})
    result = invoke("check", "-o", "concise")
    assert result.exit_code == 1
    assert concise_codes(result.stdout) == [("pkg/app.py", HTTP_BAD_AT, "AGL101")]


@pytest.mark.parametrize(
    ("config_name", "config", "expected"),
    [
        pytest.param("pyproject.toml", '[tool.agentlint]\nselec = ["AGL1"]\n', ["unknown key `selec`"], id="typo-key"),
        pytest.param("agentlint.toml", 'fail-on = "fatal"\n', ["invalid value for `fail-on`", "'error'"], id="bad-fail-on"),
        pytest.param("agentlint.toml", 'output-format = "xml"\n', ["invalid value for `output-format`"], id="bad-format"),
        pytest.param("agentlint.toml", "select = \"AGL1\"\n", ["invalid value for `select`"], id="select-not-list"),
        pytest.param("agentlint.toml", "[tool.agentlint\nselect = []\n", ["invalid TOML"], id="invalid-toml"),
        pytest.param("agentlint.toml", "select = [\"AGL1\"\n", ["invalid TOML"], id="unclosed-array"),
        pytest.param("agentlint.toml", b"select = [\"\xff\"]\n", ["invalid TOML"], id="non-utf8-config"),
        pytest.param("agentlint.toml", "[options.nope]\nx = 1\n", ["unknown rule `nope`"], id="unknown-rule-options"),
        pytest.param("agentlint.toml", "[options.http-call-without-timeout]\nbogus = 1\n",
                     ["options.http-call-without-timeout", "`bogus`"], id="unknown-rule-option"),
        pytest.param("agentlint.toml", 'select = ["AGL9"]\n', ["unknown rule selector `AGL9`"], id="unknown-select"),
        pytest.param("agentlint.toml", 'ignore = ["XYZ"]\n', ["unknown rule selector `XYZ`"], id="unknown-ignore"),
        pytest.param("agentlint.toml", '[per-file-ignores]\n"a.py" = ["AGL99"]\n',
                     ["per-file-ignores", "`AGL99`"], id="unknown-per-file-ignore"),
        pytest.param("pyproject.toml", "[tool]\nagentlint = 1\n", ["[tool.agentlint] must be a table"], id="table-not-table"),
        pytest.param("agentlint.toml", 'extend-exclude = ["gen/[z-a]"]\n', ["`extend-exclude`", "`gen/[z-a]`"],
                     id="invalid-glob"),
        pytest.param("pyproject.toml", '[tool.agentlint]\nselect = ["AGL1"\n', ["invalid TOML"], id="broken-pyproject-with-table"),
    ],
)
def test_config_errors_exit_2_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_name: str, config: str | bytes, expected: list[str]
) -> None:
    write(tmp_path, {config_name: config, "app.py": HTTP_BAD})
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "app.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("agentlint: error: ")
    assert str(tmp_path / config_name) in result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_unknown_selector_on_the_command_line_exits_2(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    for flag in ("--select", "--ignore", "--extend-select"):
        result = invoke("check", flag, "AGL9", "app.py")
        assert result.exit_code == 2
        assert "unknown rule selector `AGL9`" in result.stderr
        assert "command line" in result.stderr
        assert result.stdout == ""


def test_comma_separated_and_lowercase_selectors(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD, "bad.py": SYNTAX_ERROR})
    result = invoke("check", "-o", "concise", "--select", "agl001,AGL101")
    assert {code for _, _, code in concise_codes(result.stdout)} == {"AGL001", "AGL101"}
    result = invoke("check", "-o", "concise", "--select", "AGL0", "--select", "AGL101", "--ignore", "agl001")
    assert {code for _, _, code in concise_codes(result.stdout)} == {"AGL101"}


def test_missing_path_is_a_usage_error(project: Path) -> None:
    result = invoke("check", "nowhere.py")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_rule_unknown_exits_2(project: Path) -> None:
    result = invoke("rule", "NOPE")
    assert result.exit_code == 2
    assert result.stderr == "agentlint: error: unknown rule `NOPE` (see `agentlint rule --all`)\n"
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[], ["AGL101", "--all"]])
def test_rule_needs_exactly_one_of_code_or_all(project: Path, args: list[str]) -> None:
    result = invoke("rule", *args)
    assert result.exit_code == 2
    assert "give a rule code or name, or --all" in result.stderr


def test_exit_zero_with_findings(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    result = invoke("check", "--exit-zero", "-o", "concise")
    assert result.exit_code == 0
    assert concise_codes(result.stdout) == [("app.py", HTTP_BAD_AT, "AGL101")]


def test_fail_on_error_ignores_warnings(project: Path) -> None:
    write(project, {"app.py": UNUSED_SUPPRESSION})
    result = invoke("check", "-o", "concise", "--fail-on", "error")
    assert [code for _, _, code in concise_codes(result.stdout)] == ["AGL005"]
    assert result.exit_code == 0
    assert invoke("check", "--fail-on", "warning").exit_code == 1
    assert invoke("check").exit_code == 1  # default fail-on is info


def test_fail_on_from_config_and_cli_override(project: Path) -> None:
    write(project, {"agentlint.toml": 'fail-on = "error"\n', "app.py": UNUSED_SUPPRESSION})
    assert invoke("check").exit_code == 0
    assert invoke("check", "--fail-on", "info").exit_code == 1


def test_fail_on_error_still_fails_on_errors(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    assert invoke("check", "--fail-on", "error").exit_code == 1


def test_internal_error_exits_2_and_other_files_are_still_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agentlint.engine as engine

    real = engine.extract_python

    def flaky(path: str, *args, **kwargs):
        if path == "boom.py":
            raise KeyError("simulated agentlint bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(engine, "extract_python", flaky)
    write(project, {"app.py": HTTP_BAD, "boom.py": HTTP_OK})
    result = invoke("check", "-o", "concise")
    assert result.exit_code == 2
    assert concise_codes(result.stdout) == [("app.py", HTTP_BAD_AT, "AGL101")]
    assert "internal error while analysing boom.py" in result.stderr
    assert "KeyError" in result.stderr


# --------------------------------------------------------------------------------------------------
# The mixed directory: every kind of broken file is one finding, the good file is still analysed


def mixed_directory(root: Path) -> dict[str, tuple[int, int]]:
    write(root, {
        "mixed/broken_syntax.py": SYNTAX_ERROR,
        "mixed/latin1_no_cookie.py": b'name = "caf\xe9"\n',
        "mixed/binary.py": b"\x00\x01\x02import requests\x00\xff\xfe",
        "mixed/empty.py": b"",
        "mixed/tool.py": "import requests\n\n\ndef fetch(u):\n    return requests.get(u)\n",
    })
    try:
        ast.parse(SYNTAX_ERROR)
    except SyntaxError as error:
        return {"syntax": (error.lineno, error.offset)}
    raise AssertionError("SYNTAX_ERROR parses")


def test_mixed_directory_one_finding_per_broken_file(project: Path) -> None:
    expected = mixed_directory(project)
    result = invoke("check", "mixed", "-o", "concise")
    assert result.exit_code == 1
    assert result.stderr == ""
    row, column = expected["syntax"]
    assert concise_codes(result.stdout) == [
        ("mixed/binary.py", "1:1", "AGL002"),
        ("mixed/broken_syntax.py", f"{row}:{column}", "AGL001"),
        ("mixed/latin1_no_cookie.py", "1:12", "AGL002"),
        ("mixed/tool.py", "5:12", "AGL101"),
    ]
    assert (row, column) == (4, 12)
    lines = result.stdout.splitlines()
    assert "Python syntax error" in lines[1]
    assert "byte 0xe9 is not valid UTF-8" in lines[2]
    assert "NUL bytes" in lines[0]


def test_mixed_directory_full_output(project: Path) -> None:
    mixed_directory(project)
    result = invoke("check", "mixed")
    assert result.exit_code == 1
    assert result.stdout.endswith("Found 4 findings.\n")
    # The binary file has no readable source line, so it gets no snippet; the syntax error does.
    assert "mixed/binary.py:1:1: AGL002 [error] file contains NUL bytes and looks binary\n\n" in result.stdout
    assert "4 | def broken(:\n" in result.stdout


def test_mixed_directory_in_a_subprocess(project: Path) -> None:
    mixed_directory(project)
    completed = run_script("check", "mixed", "-o", "json", cwd=project)
    assert completed.returncode == 1
    assert b"Traceback" not in completed.stderr
    assert completed.stderr == b""
    findings = json.loads(completed.stdout)
    assert sorted((f["filename"], f["code"]) for f in findings) == [
        ("mixed/binary.py", "AGL002"),
        ("mixed/broken_syntax.py", "AGL001"),
        ("mixed/latin1_no_cookie.py", "AGL002"),
        ("mixed/tool.py", "AGL101"),
    ]
    syntax = next(f for f in findings if f["code"] == "AGL001")
    assert syntax["location"] == {"row": 4, "column": 12}


# --------------------------------------------------------------------------------------------------
# Output formats


def two_findings(root: Path) -> None:
    write(root, {"pkg/app.py": HTTP_BAD, "pkg/sup.py": UNUSED_SUPPRESSION, "pkg/clean.py": HTTP_OK})


def test_sarif_validates_and_lists_every_enabled_rule(project: Path) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip("the shared directory (SARIF schema) is not present in this checkout")
    from jsonschema.validators import validator_for

    two_findings(project)
    result = invoke("check", "-o", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0]

    run = log["runs"][0]
    enabled = [rule.code for rule in registry.select_rules(("AGL",), ())]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == enabled
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert {r["ruleId"] for r in run["results"]} == {"AGL101", "AGL005"}
    for sarif_result in run["results"]:
        artifact = sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("pkg/")
        assert not artifact["uri"].startswith(("/", "file:"))
        assert run["tool"]["driver"]["rules"][sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]


def test_sarif_lists_only_selected_rules(project: Path) -> None:
    two_findings(project)
    result = invoke("check", "-o", "sarif", "--select", "AGL1")
    run = json.loads(result.stdout)["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        rule.code for rule in registry.all_rules() if rule.code.startswith("AGL1")
    ]
    assert [r["ruleId"] for r in run["results"]] == ["AGL101"]


def test_sarif_paths_are_relative_to_the_project_root_not_the_cwd(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    two_findings(project)
    monkeypatch.chdir(project / "pkg")
    log = json.loads(invoke("check", "-o", "sarif", "app.py").stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert uris == ["pkg/app.py"]


def test_github_annotations(project: Path) -> None:
    two_findings(project)
    result = invoke("check", "-o", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert GITHUB.match(line), line
    assert lines[0].startswith("::error file=pkg/app.py,line=5,col=12,")
    assert lines[1].startswith("::warning file=pkg/sup.py,line=5,")
    assert "title=AGL101 http-call-without-timeout::" in lines[0]


JSON_FIELDS = {
    "code", "name", "message", "severity", "filename", "location", "end_location", "fix", "url", "fingerprint",
    "related",
}


def test_json_output_fields(project: Path) -> None:
    two_findings(project)
    result = invoke("check", "-o", "json")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [(r["filename"], r["code"]) for r in records] == [("pkg/app.py", "AGL101"), ("pkg/sup.py", "AGL005")]
    for record in records:
        assert JSON_FIELDS <= set(record)
        assert set(record["location"]) == {"row", "column"}
        assert set(record["end_location"]) == {"row", "column"}
        assert re.fullmatch(r"[0-9a-f]{16}", record["fingerprint"])
    app = records[0]
    assert app["location"] == {"row": 5, "column": 12}
    assert app["severity"] == "error"
    assert app["name"] == "http-call-without-timeout"
    assert records[1]["severity"] == "warning"


def test_json_clean_project_is_an_empty_array(project: Path) -> None:
    write(project, {"app.py": HTTP_OK})
    result = invoke("check", "-o", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_json_lines_matches_json(project: Path) -> None:
    two_findings(project)
    lines = invoke("check", "-o", "json-lines").stdout.splitlines()
    records = json.loads(invoke("check", "-o", "json").stdout)
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == records
    assert all(" " not in line.split('"message"')[0] for line in lines)  # compact separators


def test_output_file_is_written_in_utf8_and_nothing_is_printed(project: Path) -> None:
    write(project, {"café/agent_é.py": HTTP_BAD})
    result = invoke("check", "-o", "concise", "--output-file", "reports/out.txt")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ""
    text = (project / "reports/out.txt").read_bytes().decode("utf-8")
    assert text.startswith(f"café/agent_é.py:{HTTP_BAD_AT}: AGL101 ")


def test_output_file_with_json(project: Path) -> None:
    two_findings(project)
    out = project / "out.json"
    result = invoke("check", "-o", "json", "--output-file", str(out))
    assert result.stdout == ""
    assert [r["code"] for r in json.loads(out.read_text(encoding="utf-8"))] == ["AGL101", "AGL005"]


def test_statistics(project: Path) -> None:
    write(project, {"a.py": HTTP_BAD, "b.py": HTTP_BAD, "c.py": UNUSED_SUPPRESSION})
    result = invoke("check", "--statistics")
    assert result.exit_code == 1
    assert result.stdout == "2  AGL101  http-call-without-timeout\n1  AGL005  unused-suppression\n"


def test_statistics_of_a_clean_project_is_empty(project: Path) -> None:
    write(project, {"a.py": HTTP_OK})
    result = invoke("check", "--statistics")
    assert (result.exit_code, result.stdout) == (0, "")


def test_quiet_drops_the_summary_line(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    loud = invoke("check").stdout
    quiet = invoke("check", "-q")
    assert quiet.exit_code == 1
    assert "Found 1 finding." in loud
    assert "Found" not in quiet.stdout
    assert quiet.stdout.startswith(f"app.py:{HTTP_BAD_AT}: AGL101")
    assert quiet.stdout == loud.replace("Found 1 finding.\n", "")


def test_quiet_keeps_a_finding_whose_path_starts_like_the_summary(project: Path) -> None:
    write(project, {"Found it.py": HTTP_BAD, "All checks passed!.py": HTTP_BAD})
    result = invoke("check", "-q")
    headers = [line for line in result.stdout.splitlines() if ": AGL101 " in line]
    assert [line.split(":")[0] for line in headers] == ["All checks passed!.py", "Found it.py"]
    assert "Found 2 findings." not in result.stdout


def test_quiet_clean_project_prints_nothing(project: Path) -> None:
    write(project, {"app.py": HTTP_OK})
    result = invoke("check", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "")


def test_output_format_from_config_and_cli_override(project: Path) -> None:
    write(project, {"agentlint.toml": 'output-format = "concise"\n', "app.py": HTTP_BAD})
    assert concise_codes(invoke("check").stdout) == [("app.py", HTTP_BAD_AT, "AGL101")]
    assert json.loads(invoke("check", "-o", "json").stdout)[0]["code"] == "AGL101"


def test_paths_are_shown_relative_to_the_cwd(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {"pkg/sub/app.py": HTTP_BAD})
    monkeypatch.chdir(project / "pkg")
    assert concise_codes(invoke("check", "-o", "concise").stdout) == [("sub/app.py", HTTP_BAD_AT, "AGL101")]


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "json-lines", "sarif", "github"])
def test_output_is_byte_identical_across_runs(project: Path, output_format: str) -> None:
    """Separate processes with different hash seeds: set iteration order must not leak into output."""
    mixed_directory(project)
    two_findings(project)
    first = run_script("check", "-o", output_format, cwd=project, env={"PYTHONHASHSEED": "1"})
    second = run_script("check", "-o", output_format, cwd=project, env={"PYTHONHASHSEED": "2"})
    assert first.returncode == second.returncode == 1
    assert first.stderr == second.stderr == b""
    assert first.stdout == second.stdout
    assert first.stdout


def test_console_script_version_and_clean_run(project: Path) -> None:
    completed = run_script("--version", cwd=project)
    assert completed.returncode == 0
    assert __version__ in completed.stdout.decode()
    write(project, {"app.py": HTTP_OK})
    completed = run_script("check", cwd=project)
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, b"All checks passed!\n", b"")


def test_console_script_config_error(project: Path) -> None:
    write(project, {"agentlint.toml": 'selec = ["AGL1"]\n', "app.py": HTTP_OK})
    completed = run_script("check", cwd=project)
    assert completed.returncode == 2
    assert b"Traceback" not in completed.stderr
    assert b"unknown key `selec`" in completed.stderr


# --------------------------------------------------------------------------------------------------
# --stdin-filename


def test_stdin_same_findings_as_on_disk(project: Path) -> None:
    write(project, {"pkg/app.py": HTTP_BAD + "\n\ndef other(u):\n    return requests.post(u)\n"})
    on_disk = invoke("check", "pkg/app.py", "-o", "concise")
    from_stdin = invoke("check", "--stdin-filename", "pkg/app.py", "-o", "concise",
                        input=(project / "pkg/app.py").read_bytes())
    assert on_disk.exit_code == from_stdin.exit_code == 1
    assert from_stdin.stdout == on_disk.stdout
    assert len(on_disk.stdout.splitlines()) == 2


def test_stdin_overrides_the_content_on_disk(project: Path) -> None:
    write(project, {"app.py": HTTP_BAD})
    result = invoke("check", "--stdin-filename", "app.py", input=HTTP_OK)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")


def test_stdin_full_output_snippet_comes_from_stdin(project: Path) -> None:
    write(project, {"app.py": HTTP_OK})
    result = invoke("check", "--stdin-filename", "app.py", input=HTTP_BAD)
    assert result.exit_code == 1
    assert "5 |     return requests.get(url)\n" in result.stdout


def test_stdin_for_a_path_that_does_not_exist(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "new/unsaved.py", "-o", "json", input=HTTP_BAD)
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [(r["filename"], r["code"], r["location"]) for r in records] == [
        ("new/unsaved.py", "AGL101", {"row": 5, "column": 12})
    ]
    assert not (project / "new").exists()


def test_stdin_syntax_error(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "x.py", "-o", "concise", input=SYNTAX_ERROR)
    assert concise_codes(result.stdout) == [("x.py", "4:12", "AGL001")]


@pytest.mark.parametrize("filename", ["generated.py", "build/new.py", "vendor/lib/deep.py"])
def test_stdin_force_exclude_drops_an_excluded_path(project: Path, filename: str) -> None:
    write(project, {"agentlint.toml": 'extend-exclude = ["generated.py", "vendor"]\n'})
    result = invoke("check", "--stdin-filename", filename, "--force-exclude", input=HTTP_BAD)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")
    # Without --force-exclude an explicitly named path is checked.
    result = invoke("check", "--stdin-filename", filename, "-o", "concise", input=HTTP_BAD)
    assert concise_codes(result.stdout) == [(filename, HTTP_BAD_AT, "AGL101")]


def test_stdin_force_exclude_respects_include(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "notes.txt", "--force-exclude", input=HTTP_BAD)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")


def test_stdin_uses_the_config_of_the_stdin_path(project: Path) -> None:
    write(project, {"sub/agentlint.toml": 'ignore = ["AGL101"]\n'})
    assert invoke("check", "--stdin-filename", "sub/app.py", input=HTTP_BAD).exit_code == 0
    assert invoke("check", "--stdin-filename", "app.py", input=HTTP_BAD).exit_code == 1


# --------------------------------------------------------------------------------------------------
# agentlint rule / --version


@pytest.mark.parametrize("selector", ["AGL101", "agl101", "http-call-without-timeout"])
def test_rule_prints_the_docs(selector: str) -> None:
    result = invoke("rule", selector)
    assert result.exit_code == 0
    assert result.stdout.startswith("# http-call-without-timeout (AGL101)\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "Use instead:"):
        assert heading in result.stdout
    assert "Severity: error" in result.stdout


def test_rule_by_code_and_by_name_agree() -> None:
    assert invoke("rule", "AGL101").stdout == invoke("rule", "http-call-without-timeout").stdout


def test_rule_all_lists_every_rule() -> None:
    result = invoke("rule", "--all")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    rules = registry.all_rules()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules, strict=True):
        assert line.split()[:2] == [rule.code, rule.name]
        assert rule.summary in line


def test_rule_all_json() -> None:
    result = invoke("rule", "--all", "--output-format", "json")
    records = json.loads(result.stdout)
    assert [r["code"] for r in records] == [rule.code for rule in registry.all_rules()]
    for record in records:
        assert set(record) >= {"code", "name", "summary", "family", "severity", "precision", "fixable"}


def test_rule_json_has_the_explanation() -> None:
    record = json.loads(invoke("rule", "AGL005", "--output-format", "json").stdout)
    assert record["code"] == "AGL005"
    assert record["name"] == "unused-suppression"
    assert record["family"] == "engine"
    assert "## What it does" in record["explanation"]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"agentlint, version {__version__}\n"


def test_help() -> None:
    result = invoke("check", "--help")
    assert result.exit_code == 0
    for flag in ("--output-format", "--select", "--ignore", "--stdin-filename", "--force-exclude", "--exit-zero"):
        assert flag in result.stdout
