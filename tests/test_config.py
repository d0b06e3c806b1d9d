"""``[tool.agentlint]``: which file is found, how it is validated, and how its keys change a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from agentlint import api, registry
from agentlint.cli import main
from agentlint.config import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    ConfigError,
    Settings,
    find_config,
    load_settings,
    project_root,
    settings_from_table,
)
from agentlint.findings import Severity

HTTP_BAD = "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n"
SYNTAX_ERROR = "def broken(:\n    pass\n"
BAD_YAML = "researcher:\n  backstory: [unclosed\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.stderr
    return result


def codes(result: Result) -> list[tuple[str, str]]:
    """(path, code) of each concise line."""
    pairs = []
    for line in result.stdout.splitlines():
        path, _, _, rest = line.split(":", 3)
        pairs.append((path, rest.split()[0]))
    return pairs


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


# --------------------------------------------------------------------------------------------------
# Finding the config file


def test_closest_config_wins(root: Path) -> None:
    write(root, {
        "pyproject.toml": '[tool.agentlint]\nignore = ["AGL101"]\n',
        "sub/agentlint.toml": 'select = ["AGL1"]\n',
        "sub/deeper/app.py": HTTP_BAD,
        "top.py": HTTP_BAD,
    })
    assert find_config(root / "sub/deeper/app.py") == root / "sub/agentlint.toml"
    assert find_config(root / "sub/deeper") == root / "sub/agentlint.toml"
    assert find_config(root / "top.py") == root / "pyproject.toml"
    assert codes(invoke("check", "sub/deeper/app.py", "-o", "concise")) == [("sub/deeper/app.py", "AGL101")]
    assert invoke("check", "top.py", "-o", "concise").stdout == ""


def test_pyproject_with_table_found_walking_up(root: Path) -> None:
    write(root, {"pyproject.toml": '[tool.agentlint]\nignore = ["AGL101"]\n', "a/b/c/app.py": HTTP_BAD})
    assert find_config(root / "a/b/c/app.py") == root / "pyproject.toml"
    result = invoke("check", "a/b/c/app.py")
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")


def test_pyproject_without_the_table_is_skipped(root: Path) -> None:
    write(root, {
        "agentlint.toml": 'ignore = ["AGL101"]\n',
        "sub/pyproject.toml": '[project]\nname = "sub"\n\n[tool.black]\nline-length = 100\n',
        "sub/app.py": HTTP_BAD,
    })
    assert find_config(root / "sub/app.py") == root / "agentlint.toml"
    assert invoke("check", "sub/app.py").exit_code == 0


def test_broken_pyproject_of_someone_else_is_skipped(root: Path) -> None:
    write(root, {
        "agentlint.toml": 'ignore = ["AGL101"]\n',
        "sub/pyproject.toml": "[project\nname = \n",
        "sub/app.py": HTTP_BAD,
    })
    assert find_config(root / "sub/app.py") == root / "agentlint.toml"
    assert invoke("check", "sub/app.py").exit_code == 0


def test_broken_pyproject_with_our_table_is_an_error(root: Path) -> None:
    write(root, {"agentlint.toml": "", "sub/pyproject.toml": '[tool.agentlint]\nignore = ["AGL101"\n',
                 "sub/app.py": HTTP_BAD})
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(root / "sub/app.py")
    result = invoke("check", "sub/app.py")
    assert result.exit_code == 2
    assert str(root / "sub/pyproject.toml") in result.stderr


def test_pyproject_whose_tool_is_not_a_table_is_skipped(root: Path) -> None:
    write(root, {"agentlint.toml": 'ignore = ["AGL101"]\n', "sub/pyproject.toml": "tool = 1\n", "sub/app.py": HTTP_BAD})
    assert find_config(root / "sub/app.py") == root / "agentlint.toml"
    assert invoke("check", "sub/app.py").exit_code == 0


def test_agentlint_toml_beats_pyproject_in_the_same_directory(root: Path) -> None:
    write(root, {"pyproject.toml": '[tool.agentlint]\nignore = ["AGL101"]\n', "agentlint.toml": "", "app.py": HTTP_BAD})
    assert find_config(root / "app.py") == root / "agentlint.toml"
    assert invoke("check").exit_code == 1


def test_no_config_at_all_uses_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    above = [d for d in (tmp_path, *tmp_path.parents) if (d / "agentlint.toml").exists() or (d / "pyproject.toml").exists()]
    if above:
        pytest.skip(f"a config file above the temporary directory: {above[0]}")
    write(tmp_path, {"pkg/app.py": HTTP_BAD, "build/x.py": HTTP_BAD})
    monkeypatch.chdir(tmp_path)
    assert find_config(tmp_path / "pkg/app.py") is None
    assert codes(invoke("check", "-o", "concise")) == [("pkg/app.py", "AGL101")]


def test_explicit_config_file_replaces_discovery(root: Path) -> None:
    write(root, {
        "agentlint.toml": "",
        "ci/strict.toml": 'ignore = ["AGL101"]\n',
        "ci/pyproject.toml": '[tool.agentlint]\nselect = ["AGL0"]\n',
        "app.py": HTTP_BAD,
    })
    assert invoke("check").exit_code == 1
    assert invoke("check", "--config", "ci/strict.toml").exit_code == 0
    assert invoke("check", "--config", "ci/pyproject.toml").exit_code == 0


def test_explicit_config_file_must_exist(root: Path) -> None:
    result = invoke("check", "--config", "missing.toml")
    assert result.exit_code == 2
    assert "missing.toml" in result.stderr


def test_explicit_config_that_is_invalid(root: Path) -> None:
    write(root, {"ci.toml": "exclude = 3\n", "app.py": HTTP_BAD})
    result = invoke("check", "--config", "ci.toml")
    assert result.exit_code == 2
    assert "ci.toml" in result.stderr and "`exclude`" in result.stderr


def test_agentlint_toml_may_also_use_the_tool_table(root: Path) -> None:
    write(root, {"agentlint.toml": '[tool.agentlint]\nignore = ["AGL101"]\n', "app.py": HTTP_BAD})
    assert load_settings(root / "agentlint.toml").ignore == ("AGL101",)
    assert invoke("check").exit_code == 0


def test_bom_in_config_is_accepted(root: Path) -> None:
    (root / "agentlint.toml").write_bytes(b'\xef\xbb\xbfignore = ["AGL101"]\n')
    assert load_settings(root / "agentlint.toml").ignore == ("AGL101",)


# --------------------------------------------------------------------------------------------------
# Validation


def test_defaults() -> None:
    settings = settings_from_table({}, source="x")
    assert settings == Settings()
    assert settings.select == ("AGL",)
    assert settings.fail_on is Severity.INFO
    assert settings.output_format == "full"
    assert settings.include == DEFAULT_INCLUDE
    assert settings.exclude == DEFAULT_EXCLUDE
    assert settings.respect_gitignore is True


def test_kebab_case_keys() -> None:
    settings = settings_from_table(
        {
            "extend-select": ["AGL1"],
            "per-file-ignores": {"tests/*": ["AGL101"]},
            "extend-exclude": ["gen"],
            "fail-on": "warning",
            "output-format": "sarif",
            "respect-gitignore": False,
            "options": {"http-call-without-timeout": {}},
        },
        source="x",
    )
    assert settings.extend_select == ("AGL1",)
    assert settings.per_file_ignores == {"tests/*": ("AGL101",)}
    assert settings.all_excludes == DEFAULT_EXCLUDE + ("gen",)
    assert settings.fail_on is Severity.WARNING
    assert settings.output_format == "sarif"
    assert settings.respect_gitignore is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"selec": ["AGL1"]}, "cfg.toml: unknown key `selec` in [tool.agentlint]"),
        ({"extend-ignore": ["AGL1"]}, "unknown key `extend-ignore`"),
        ({"fail-on": "fatal"}, "cfg.toml: invalid value for `fail-on`"),
        ({"output-format": "xml"}, "invalid value for `output-format`"),
        ({"select": "AGL1"}, "invalid value for `select`"),
        ({"select": ["AGL1", 3]}, "invalid value for `select.1`"),
        ({"respect-gitignore": "maybe"}, "invalid value for `respect-gitignore`"),
        ({"per-file-ignores": ["a.py"]}, "invalid value for `per-file-ignores`"),
        ({"options": {"http-call-without-timeout": 3}}, "invalid value for `options.http-call-without-timeout`"),
        ({"exclude": ["[z-a]"]}, "invalid value for `exclude`: Value error, invalid glob pattern `[z-a]`"),
        ({"include": ["src/[]"]}, "invalid value for `include`"),
        ({"per-file-ignores": {"[b-a].py": ["AGL1"]}}, "invalid value for `per-file-ignores`"),
    ],
)
def test_invalid_tables(table: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_table(table, source="cfg.toml")
    assert message in str(caught.value)


def test_settings_are_frozen() -> None:
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        Settings().select = ("AGL1",)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool]\nagentlint = 1\n", "must be a table"),
        ("tool = 'x'\n", "must be a table"),
        ("[tool.agentlint\n", "invalid TOML"),
    ],
)
def test_load_settings_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_unreadable_config(tmp_path: Path) -> None:
    path = tmp_path / "agentlint.toml"
    path.mkdir()  # a directory where the file should be
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings(path)


# --------------------------------------------------------------------------------------------------
# Project root


def test_project_root_is_the_config_directory(tmp_path: Path) -> None:
    write(tmp_path, {"proj/agentlint.toml": "", "proj/a/b.py": ""})
    assert project_root(tmp_path / "proj/agentlint.toml", tmp_path / "proj/a/b.py", tmp_path) == (tmp_path / "proj").resolve()


def test_project_root_is_the_git_root_without_config(tmp_path: Path) -> None:
    write(tmp_path, {"repo/pkg/app.py": ""})
    (tmp_path / "repo/.git").mkdir()
    assert project_root(None, tmp_path / "repo/pkg/app.py", tmp_path) == (tmp_path / "repo").resolve()


def test_project_root_falls_back_to_the_cwd(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/app.py": ""})
    cwd = tmp_path.resolve()
    assert project_root(None, tmp_path / "pkg/app.py", cwd) == cwd
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert project_root(None, tmp_path / "pkg/app.py", elsewhere.resolve()) == (tmp_path / "pkg").resolve()


# --------------------------------------------------------------------------------------------------
# Rule selection


def test_select_prefix_and_more_specific_ignore(root: Path) -> None:
    write(root, {"agentlint.toml": "", "app.py": HTTP_BAD, "broken.py": SYNTAX_ERROR})
    result = invoke("check", "-o", "concise", "--select", "AGL1", "--ignore", "AGL101")
    assert result.stdout == ""
    assert result.exit_code == 0
    assert codes(invoke("check", "-o", "concise", "--select", "AGL1")) == [("app.py", "AGL101")]
    assert codes(invoke("check", "-o", "concise", "--select", "AGL0")) == [("broken.py", "AGL001")]


def test_more_specific_select_beats_a_broader_ignore(root: Path) -> None:
    write(root, {"agentlint.toml": 'ignore = ["AGL1"]\n', "app.py": HTTP_BAD})
    assert invoke("check", "-o", "concise").stdout == ""
    assert codes(invoke("check", "-o", "concise", "--extend-select", "AGL101")) == [("app.py", "AGL101")]


def test_tie_between_select_and_ignore_goes_to_ignore() -> None:
    assert "AGL101" not in [rule.code for rule in registry.select_rules(("AGL101",), ("AGL101",))]
    assert [rule.code for rule in registry.select_rules(("AGL1",), ())] == [
        rule.code for rule in registry.all_rules() if rule.code.startswith("AGL1")
    ]


def test_config_select_and_extend_select(root: Path) -> None:
    write(root, {"agentlint.toml": 'select = ["AGL0"]\n', "app.py": HTTP_BAD, "broken.py": SYNTAX_ERROR})
    assert codes(invoke("check", "-o", "concise")) == [("broken.py", "AGL001")]
    assert codes(invoke("check", "-o", "concise", "--extend-select", "AGL101")) == [
        ("app.py", "AGL101"), ("broken.py", "AGL001"),
    ]
    write(root, {"agentlint.toml": 'select = ["AGL0"]\nextend-select = ["AGL101"]\n'})
    assert len(codes(invoke("check", "-o", "concise"))) == 2
    # --select on the command line replaces the configured select (and keeps extend-select).
    assert codes(invoke("check", "-o", "concise", "--select", "AGL001")) == [
        ("app.py", "AGL101"), ("broken.py", "AGL001"),
    ]


def test_cli_ignore_adds_to_config_ignore(root: Path) -> None:
    write(root, {"agentlint.toml": 'ignore = ["AGL001"]\n', "app.py": HTTP_BAD, "broken.py": SYNTAX_ERROR})
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101")]
    assert invoke("check", "-o", "concise", "--ignore", "AGL1").stdout == ""


def test_per_file_ignores(root: Path) -> None:
    write(root, {
        "agentlint.toml": '[per-file-ignores]\n"legacy/*.py" = ["AGL1"]\n"scratch.py" = ["AGL101", "AGL001"]\n',
        "legacy/old.py": HTTP_BAD,
        "legacy/deeper/older.py": HTTP_BAD,
        "src/scratch.py": HTTP_BAD,
        "src/app.py": HTTP_BAD,
    })
    assert codes(invoke("check", "-o", "concise")) == [
        ("legacy/deeper/older.py", "AGL101"),  # `*` does not cross `/`
        ("src/app.py", "AGL101"),
    ]


def test_per_file_ignores_with_double_star(root: Path) -> None:
    write(root, {
        "agentlint.toml": '[per-file-ignores]\n"legacy/**" = ["AGL101"]\n',
        "legacy/deeper/older.py": HTTP_BAD,
        "app.py": HTTP_BAD,
    })
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101")]


def test_per_file_ignores_also_covers_engine_findings(root: Path) -> None:
    write(root, {
        "agentlint.toml": '[per-file-ignores]\n"gen_*.py" = ["AGL0"]\n',
        "gen_parser.py": SYNTAX_ERROR + "# agentlint: ignore[AGL101]\n",
        "bad.py": SYNTAX_ERROR,
    })
    assert codes(invoke("check", "-o", "concise")) == [("bad.py", "AGL001")]


# --------------------------------------------------------------------------------------------------
# include / exclude through the config


def test_extend_exclude_by_basename_and_by_path(root: Path) -> None:
    write(root, {
        "agentlint.toml": 'extend-exclude = ["*_pb2.py", "src/vendored", "generated"]\n',
        "src/api_pb2.py": HTTP_BAD,
        "src/vendored/lib.py": HTTP_BAD,
        "src/generated/x.py": HTTP_BAD,
        "other/vendored/lib.py": HTTP_BAD,  # "src/vendored" is a path pattern: only that one
        "src/app.py": HTTP_BAD,
    })
    assert codes(invoke("check", "-o", "concise")) == [
        ("other/vendored/lib.py", "AGL101"), ("src/app.py", "AGL101"),
    ]


def test_exclude_replaces_the_defaults(root: Path) -> None:
    write(root, {"agentlint.toml": 'exclude = ["skip.py"]\n', "build/app.py": HTTP_BAD, "skip.py": HTTP_BAD})
    assert codes(invoke("check", "-o", "concise")) == [("build/app.py", "AGL101")]
    write(root, {"agentlint.toml": 'extend-exclude = ["skip.py"]\n'})
    assert invoke("check", "-o", "concise").stdout == ""


def test_explicit_path_is_checked_unless_force_exclude(root: Path) -> None:
    write(root, {
        "agentlint.toml": 'extend-exclude = ["fixtures", "gen_*.py"]\n',
        "fixtures/showcase/app.py": HTTP_BAD,
        "gen_a.py": HTTP_BAD,
        "app.py": HTTP_BAD,
    })
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101")]
    assert codes(invoke("check", "-o", "concise", "fixtures/showcase")) == [("fixtures/showcase/app.py", "AGL101")]
    assert codes(invoke("check", "-o", "concise", "fixtures")) == [("fixtures/showcase/app.py", "AGL101")]
    assert codes(invoke("check", "-o", "concise", "gen_a.py")) == [("gen_a.py", "AGL101")]
    for named in ("fixtures", "fixtures/showcase", "fixtures/showcase/app.py", "gen_a.py"):
        result = invoke("check", "-o", "concise", "--force-exclude", named)
        assert (result.exit_code, result.stdout) == (0, ""), named
    # pre-commit passes changed files one by one: the kept ones are still checked.
    result = invoke("check", "-o", "concise", "--force-exclude", "gen_a.py", "app.py", "fixtures/showcase/app.py")
    assert codes(result) == [("app.py", "AGL101")]


def test_default_excludes_with_force_exclude(root: Path) -> None:
    write(root, {"agentlint.toml": "", ".venv/lib/site.py": HTTP_BAD, "build/lib/x.py": HTTP_BAD})
    assert invoke("check", "-o", "concise").stdout == ""
    assert codes(invoke("check", "-o", "concise", "build/lib/x.py")) == [("build/lib/x.py", "AGL101")]
    assert invoke("check", "-o", "concise", "--force-exclude", "build/lib/x.py").stdout == ""
    assert invoke("check", "-o", "concise", "--force-exclude", ".venv/lib/site.py").stdout == ""


def test_include(root: Path) -> None:
    write(root, {"agentlint.toml": "", "config/agents.yaml": BAD_YAML, "app.py": HTTP_BAD})
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101"), ("config/agents.yaml", "AGL001")]
    write(root, {"agentlint.toml": 'include = ["*.py"]\n'})
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101")]
    write(root, {"agentlint.toml": 'include = ["config/*.yaml"]\n'})
    assert codes(invoke("check", "-o", "concise")) == [("config/agents.yaml", "AGL001")]


def test_gitignore_respected_and_can_be_turned_off(root: Path) -> None:
    write(root, {"agentlint.toml": "", ".gitignore": "out/\n*.tmp.py\n", "out/gen.py": HTTP_BAD,
                 "a.tmp.py": HTTP_BAD, "app.py": HTTP_BAD})
    assert codes(invoke("check", "-o", "concise")) == [("app.py", "AGL101")]
    write(root, {"agentlint.toml": "respect-gitignore = false\n"})
    assert codes(invoke("check", "-o", "concise")) == [
        ("a.tmp.py", "AGL101"), ("app.py", "AGL101"), ("out/gen.py", "AGL101"),
    ]


def test_options_table_for_a_known_rule_with_no_options(root: Path) -> None:
    rule = registry.lookup("unused-suppression")
    assert rule is not None
    write(root, {"agentlint.toml": "[options.unused-suppression]\n", "app.py": HTTP_BAD})
    assert invoke("check").exit_code == 1
    write(root, {"agentlint.toml": "[options.unused-suppression]\nlevel = 3\n"})
    result = invoke("check")
    assert result.exit_code == 2
    assert "[tool.agentlint.options.unused-suppression] `level`" in result.stderr


def test_api_check_uses_the_closest_config(root: Path) -> None:
    write(root, {"agentlint.toml": 'ignore = ["AGL101"]\n', "app.py": HTTP_BAD, "broken.py": SYNTAX_ERROR})
    result = api.check([root])
    assert [f.code for f in result.findings] == ["AGL001"]
    assert result.files == 3  # app.py, broken.py, agentlint.toml
