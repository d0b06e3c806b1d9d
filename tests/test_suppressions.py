"""Suppression comments: what each form covers in Python, YAML and TOML, what is not a suppression,
and the message each malformed form gets; then the same through a whole run (AGL004/AGL005)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentlint import api
from agentlint.sources import split_lines
from agentlint.suppressions import FileSuppressions, parse_suppressions

CODES = ("AGL001", "AGL002", "AGL003", "AGL004", "AGL005", "AGL006", "AGL101", "AGL102", "AGL301")


def parse(text: str, kind: str = "python") -> FileSuppressions:
    return parse_suppressions(text, split_lines(text), kind, CODES)


def covered(result: FileSuppressions) -> list[tuple[str, tuple[str, ...], int, int]]:
    return [(item.action, item.selectors, item.first_row, item.last_row) for item in result.items]


def messages(result: FileSuppressions) -> list[str]:
    return [problem.message for problem in result.problems]


# --------------------------------------------------------------------------------------------------
# Python


def test_no_directive_no_work() -> None:
    result = parse("import requests\nrequests.get(u)  # noqa\n")
    assert (result.items, result.problems) == ([], [])


def test_trailing_covers_its_line() -> None:
    result = parse("x = 1\nrequests.get(u)  # agentlint: ignore[AGL101]\ny = 2\n")
    assert covered(result) == [("ignore", ("AGL101",), 2, 2)]
    item = result.items[0]
    assert (item.row, item.column) == (2, 18)
    assert item.end_column == 18 + len("# agentlint: ignore[AGL101]")


def test_trailing_covers_the_whole_logical_line() -> None:
    text = (
        "x = 1\n"
        "requests.get(\n"
        "    url,\n"
        "    headers=h,  # agentlint: ignore[AGL101]\n"
        ")\n"
        "y = requests.get(u)\n"
    )
    result = parse(text)
    assert covered(result) == [("ignore", ("AGL101",), 2, 5)]
    assert result.suppress("AGL101", 2)
    assert not result.suppress("AGL101", 6)


def test_trailing_on_the_last_line_of_a_call() -> None:
    result = parse("requests.get(\n    url)  # agentlint: ignore[AGL101]\n")
    assert covered(result) == [("ignore", ("AGL101",), 1, 2)]


def test_trailing_on_a_backslash_continuation() -> None:
    result = parse("x = a + \\\n    requests.get(u)  # agentlint: ignore[AGL101]\n")
    assert covered(result) == [("ignore", ("AGL101",), 1, 2)]


def test_own_line_covers_the_next_statement() -> None:
    text = (
        "x = 1\n"
        "# agentlint: ignore[AGL101] -- probe, killed by the supervisor\n"
        "\n"
        "# another comment\n"
        "response = requests.get(\n"
        "    url,\n"
        ")\n"
        "y = requests.get(u)\n"
    )
    assert covered(parse(text)) == [("ignore", ("AGL101",), 5, 7)]


def test_own_line_before_a_compound_statement_covers_its_header_only() -> None:
    text = "# agentlint: ignore[AGL101]\nwith requests.get(u) as r:\n    requests.get(v)\n"
    assert covered(parse(text)) == [("ignore", ("AGL101",), 2, 2)]


def test_own_line_indented_inside_a_block() -> None:
    text = "def f():\n    x = 1\n    # agentlint: ignore[AGL101]\n    return requests.get(u)\n"
    assert covered(parse(text)) == [("ignore", ("AGL101",), 4, 4)]


def test_own_line_with_nothing_after_it() -> None:
    result = parse("x = 1\n# agentlint: ignore[AGL101]\n\n# trailing comment\n")
    assert result.items == []
    assert messages(result) == ["suppression comment is not followed by anything to suppress"]
    assert (result.problems[0].row, result.problems[0].column) == (2, 1)


def test_disable_enable_range() -> None:
    text = (
        "a = 1\n"
        "# agentlint: disable[AGL1]\n"
        "b = requests.get(u)\n"
        "c = requests.get(u)\n"
        "# agentlint: enable[AGL1]\n"
        "d = requests.get(u)\n"
    )
    result = parse(text)
    assert covered(result) == [("disable", ("AGL1",), 2, 5)]
    assert result.suppress("AGL101", 3) and result.suppress("AGL102", 4)
    assert not result.suppress("AGL101", 6)
    assert not result.suppress("AGL101", 1)
    assert not result.suppress("AGL301", 3)


def test_disable_without_enable_runs_to_the_end_of_the_file() -> None:
    result = parse("# agentlint: disable[AGL101]\na = 1\nb = 2\n")
    assert covered(result) == [("disable", ("AGL101",), 1, 4)]


def test_enable_closes_only_the_selectors_it_names() -> None:
    text = "# agentlint: disable[AGL101, AGL301]\na = 1\n# agentlint: enable[AGL101]\nb = 2\nc = 3\n"
    result = parse(text)
    assert covered(result) == [("disable", ("AGL101", "AGL301"), 1, 3)]
    assert result.problems == []


def test_enable_without_disable() -> None:
    result = parse("a = 1\n# agentlint: enable[AGL1]\n")
    assert messages(result) == ["`enable[AGL1]` has no matching `disable[AGL1]` above it"]


def test_file_ignore() -> None:
    text = "requests.get(u)\n\n\n# agentlint: file-ignore[AGL101] -- generated client\nrequests.get(v)\n"
    result = parse(text)
    assert covered(result) == [("file-ignore", ("AGL101",), 1, 6)]
    assert result.suppress("AGL101", 1) and result.suppress("AGL101", 5)
    assert not result.suppress("AGL102", 1)


def test_prefix_selector_covers_the_family() -> None:
    result = parse("requests.get(u)  # agentlint: ignore[AGL1]\n")
    assert result.suppress("AGL101", 1)
    assert result.suppress("AGL102", 1)
    assert not result.suppress("AGL301", 1)
    assert result.items[0].used == {"AGL1"}


def test_several_codes_and_used_tracking() -> None:
    result = parse("requests.get(u)  # agentlint: ignore[AGL101, AGL301]\n")
    assert covered(result) == [("ignore", ("AGL101", "AGL301"), 1, 1)]
    assert result.suppress("AGL101", 1)
    assert result.items[0].used == {"AGL101"}


def test_reason_after_double_dash() -> None:
    result = parse("requests.get(u)  # agentlint: ignore[AGL101] -- the probe is killed by k8s after 5 s\n")
    assert covered(result) == [("ignore", ("AGL101",), 1, 1)]
    assert result.problems == []


def test_second_trailing_comment_after_the_codes() -> None:
    result = parse("requests.get(u)  # agentlint: ignore[AGL101]  # type: ignore[arg-type]\n")
    assert covered(result) == [("ignore", ("AGL101",), 1, 1)]
    assert result.problems == []


def test_spacing_variants() -> None:
    for comment in ("#agentlint:ignore[AGL101]", "#  agentlint : ignore[ AGL101 , AGL102 ]"):
        result = parse(f"x = 1  {comment}\n")
        assert [item.action for item in result.items] == ["ignore"], comment
        assert result.problems == []


def test_text_inside_a_string_is_not_a_suppression() -> None:
    text = (
        's = "# agentlint: ignore[AGL101]"\n'
        "t = '''\n"
        "# agentlint: file-ignore[AGL1]\n"
        "# agentlint: ignore\n"
        "'''\n"
        'u = f"{x}  # agentlint: disable[AGL1]"\n'
    )
    result = parse(text)
    assert (result.items, result.problems) == ([], [])


def test_directive_must_start_the_comment() -> None:
    result = parse("x = 1  # see agentlint: ignore[AGL101]\ny = 2  # TODO agentlint: ignore\n")
    assert (result.items, result.problems) == ([], [])


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# agentlint: ignore", "malformed suppression: expected `# agentlint: ignore[CODE, ...]` (or `disable`, "
                                "`enable`, `file-ignore`); there is no blanket form"),
        ("# agentlint: ignore AGL101", "malformed suppression: expected"),
        ("# agentlint: ignore(AGL101)", "malformed suppression: expected"),
        ("# agentlint: IGNORE[AGL101]", "malformed suppression: expected"),
        ("# agentlint: skip[AGL101]", "malformed suppression: expected"),
        ("# agentlint: ignore[AGL101", "malformed suppression: expected"),
        ("# agentlint:", "malformed suppression: expected"),
        ("# agentlint: ignore[]", "malformed suppression: no rule codes between the brackets"),
        ("# agentlint: ignore[ , ]", "malformed suppression: no rule codes between the brackets"),
        ("# agentlint: ignore[E501]", "malformed suppression: `E501` is not a rule code or code prefix like "
                                      "`AGL101` or `AGL1`"),
        ("# agentlint: ignore[agl101]", "malformed suppression: `agl101` is not a rule code"),
        ("# agentlint: ignore[AGL]", "malformed suppression: `AGL` is not a rule code"),  # a blanket in disguise
        ("# agentlint: ignore[AGL1011]", "malformed suppression: `AGL1011` is not a rule code"),
        ("# agentlint: ignore[AGL101 AGL102]", "malformed suppression: `AGL101 AGL102` is not a rule code"),
        ("# agentlint: ignore[AGL9]", "unknown rule code `AGL9` in suppression"),
        ("# agentlint: ignore[AGL999]", "unknown rule code `AGL999` in suppression"),
        ("# agentlint: ignore[AGL101, AGL9]", "unknown rule code `AGL9` in suppression"),
        ("# agentlint: ignore[AGL101] because it is fine",
         "malformed suppression: unexpected `because it is fine` after the codes (write a reason as `-- reason`)"),
        ("# agentlint: ignore[AGL101] - reason", "malformed suppression: unexpected `- reason`"),
        ("# agentlint: file-ignore", "malformed suppression: expected"),
        ("# agentlint: disable", "malformed suppression: expected"),
    ],
)
def test_malformed(comment: str, message: str) -> None:
    result = parse(f"requests.get(u)  {comment}\n")
    assert result.items == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.message.startswith(message)
    assert (problem.row, problem.column, problem.end_column) == (1, 18, 18 + len(comment))


def test_malformed_suppression_suppresses_nothing() -> None:
    result = parse("requests.get(u)  # agentlint: ignore\n")
    assert not result.suppress("AGL101", 1)


def test_untokenizable_python_falls_back_to_a_line_scan() -> None:
    text = 'x = """never closed\n# agentlint: file-ignore[AGL001]\nrequests.get(u)  # agentlint: ignore[AGL101]\n'
    result = parse(text)
    assert covered(result) == [("file-ignore", ("AGL001",), 1, 4), ("ignore", ("AGL101",), 3, 3)]


def test_problem_positions_in_an_indented_block() -> None:
    result = parse("def f():\n    # agentlint: ignore[nope]\n    return 1\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, 5)]


# --------------------------------------------------------------------------------------------------
# YAML and TOML


def test_yaml_own_line_covers_the_key_block() -> None:
    text = (
        "researcher:\n"
        "  role: Researcher\n"
        "# agentlint: ignore[AGL101]\n"
        "writer:\n"
        "  role: Writer\n"
        "  tools:\n"
        "  - search\n"
        "\n"
        "  backstory: >\n"
        "    Writes things.\n"
        "editor:\n"
        "  role: Editor\n"
    )
    assert covered(parse(text, "yaml")) == [("ignore", ("AGL101",), 4, 10)]


def test_yaml_own_line_nested_key() -> None:
    text = "agents:\n  # agentlint: ignore[AGL101]\n  writer:\n    role: w\n    goal: g\n  editor:\n    role: e\n"
    assert covered(parse(text, "yaml")) == [("ignore", ("AGL101",), 3, 5)]


def test_yaml_own_line_before_a_sequence_item_stops_at_the_next_item() -> None:
    text = (
        "agents:\n"
        "  # agentlint: ignore[AGL101]\n"
        "  - name: writer\n"
        "    role: w\n"
        "  - name: editor\n"
        "    role: e\n"
    )
    assert covered(parse(text, "yaml")) == [("ignore", ("AGL101",), 3, 4)]


def test_yaml_key_with_a_sequence_at_the_same_indent() -> None:
    text = "# agentlint: ignore[AGL101]\ntools:\n- a\n- b\nother: 1\n"
    assert covered(parse(text, "yaml")) == [("ignore", ("AGL101",), 2, 4)]


def test_yaml_trailing_covers_its_line() -> None:
    text = "writer:\n  llm: gpt  # agentlint: ignore[AGL101]\n  role: w\n"
    assert covered(parse(text, "yaml")) == [("ignore", ("AGL101",), 2, 2)]


def test_yaml_hash_inside_quotes_or_a_plain_scalar_is_not_a_comment() -> None:
    text = (
        'a: "# agentlint: ignore[AGL101]"\n'
        "b: '# agentlint: ignore'\n"
        "c: x#agentlint: ignore\n"
    )
    result = parse(text, "yaml")
    assert (result.items, result.problems) == ([], [])


def test_yaml_malformed_and_file_ignore() -> None:
    result = parse("# agentlint: file-ignore[AGL1]\na: 1  # agentlint: ignore\n", "yaml")
    assert covered(result) == [("file-ignore", ("AGL1",), 1, 3)]
    assert [(p.row, p.column) for p in result.problems] == [(2, 7)]


def test_yaml_own_line_at_the_end() -> None:
    result = parse("a: 1\n# agentlint: ignore[AGL101]\n", "yaml")
    assert messages(result) == ["suppression comment is not followed by anything to suppress"]


def test_toml_table_header_covers_its_table() -> None:
    text = (
        "[project]\n"
        'name = "x"\n'
        "\n"
        "# agentlint: ignore[AGL101]\n"
        "[tool.agents.researcher]\n"
        'llm = "gpt"\n'
        "timeout = 0\n"
        "\n"
        "[tool.agents.writer]\n"
        'llm = "gpt"\n'
    )
    assert covered(parse(text, "toml")) == [("ignore", ("AGL101",), 5, 8)]


def test_toml_array_of_tables_header() -> None:
    text = "# agentlint: ignore[AGL101]\n[[servers]]\nurl = 1\n[[servers]]\nurl = 2\n"
    assert covered(parse(text, "toml")) == [("ignore", ("AGL101",), 2, 3)]


def test_toml_own_line_before_a_key_covers_the_key() -> None:
    text = "[a]\n# agentlint: ignore[AGL101]\ntimeout = 0\nother = 1\n"
    assert covered(parse(text, "toml")) == [("ignore", ("AGL101",), 3, 3)]


def test_toml_hash_inside_a_string() -> None:
    result = parse('a = "# agentlint: ignore[AGL101]"\nb = 1  # agentlint: ignore[AGL101]\n', "toml")
    assert covered(result) == [("ignore", ("AGL101",), 2, 2)]


# --------------------------------------------------------------------------------------------------
# Through a run: suppressed findings, AGL004, AGL005


HTTP = "import requests\n\n\ndef fetch(url):\n    return requests.get(url){comment}\n"


def run(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    (tmp_path / "agentlint.toml").write_text("")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    result = api.check([tmp_path])
    assert result.internal_errors == []
    return [(f.location.path, f.location.start.row, f.code) for f in result.findings]


def test_suppressed_finding_disappears(tmp_path: Path) -> None:
    assert run(tmp_path, {"a.py": HTTP.format(comment="  # agentlint: ignore[AGL101] -- probe")}) == []


def test_prefix_suppression_through_a_run(tmp_path: Path) -> None:
    assert run(tmp_path, {"a.py": HTTP.format(comment="  # agentlint: ignore[AGL1]")}) == []


def test_unused_suppression_is_reported(tmp_path: Path) -> None:
    text = "import requests\nrequests.get(u, timeout=5)  # agentlint: ignore[AGL101]\n"
    assert run(tmp_path, {"a.py": text}) == [("a.py", 2, "AGL005")]


def test_partly_used_suppression_names_the_unused_code(tmp_path: Path) -> None:
    (tmp_path / "agentlint.toml").write_text("")
    (tmp_path / "a.py").write_text(HTTP.format(comment="  # agentlint: ignore[AGL101, AGL006]"))
    findings = api.check([tmp_path]).findings
    assert [(f.code, f.message) for f in findings] == [
        ("AGL005", "unused suppression: `AGL006` suppressed nothing here")
    ]


def test_malformed_suppression_is_reported_and_the_finding_stays(tmp_path: Path) -> None:
    assert run(tmp_path, {"a.py": HTTP.format(comment="  # agentlint: ignore")}) == [
        ("a.py", 5, "AGL101"), ("a.py", 5, "AGL004"),  # sorted by column: the call, then the comment
    ]


def test_disable_enable_through_a_run(tmp_path: Path) -> None:
    text = (
        "import requests\n"
        "# agentlint: disable[AGL101]\n"
        "requests.get(a)\n"
        "requests.get(b)\n"
        "# agentlint: enable[AGL101]\n"
        "requests.get(c)\n"
    )
    assert run(tmp_path, {"a.py": text}) == [("a.py", 6, "AGL101")]


def test_file_ignore_through_a_run(tmp_path: Path) -> None:
    text = "# agentlint: file-ignore[AGL101]\nimport requests\nrequests.get(a)\nrequests.get(b)\n"
    assert run(tmp_path, {"a.py": text, "b.py": "import requests\nrequests.get(a)\n"}) == [("b.py", 2, "AGL101")]


def test_syntax_error_suppressed_and_no_unused_report_in_broken_files(tmp_path: Path) -> None:
    files = {
        "a.py": "def broken(:  # agentlint: ignore[AGL001] -- fixture\n    pass\n",
        "b.py": "requests.get(u)  # agentlint: ignore[AGL101]\ndef broken(:\n",
    }
    assert run(tmp_path, files) == [("b.py", 2, "AGL001")]


def test_unused_suppression_not_reported_when_its_rule_is_not_selected(tmp_path: Path) -> None:
    (tmp_path / "agentlint.toml").write_text('ignore = ["AGL101"]\n')
    (tmp_path / "a.py").write_text("x = 1  # agentlint: ignore[AGL101]\n")
    assert api.check([tmp_path]).findings == []


def test_unused_suppression_can_itself_be_suppressed_by_file_ignore(tmp_path: Path) -> None:
    text = "# agentlint: file-ignore[AGL005]\nx = 1  # agentlint: ignore[AGL101]\n"
    assert run(tmp_path, {"a.py": text}) == []


def test_yaml_suppression_through_a_run(tmp_path: Path) -> None:
    # The parser reports the error at row 4, inside the block of the key the comment precedes.
    yaml_text = "researcher:\n  # agentlint: ignore[AGL001]\n  backstory: a\n   bad: x\nwriter:\n  role: w\n"
    assert run(tmp_path, {"config/agents.yaml": yaml_text}) == []
    unsuppressed = yaml_text.replace("  # agentlint: ignore[AGL001]\n", "")
    assert run(tmp_path, {"config/agents.yaml": unsuppressed}) == [("config/agents.yaml", 3, "AGL001")]
    broken = "researcher:\n  backstory: a: b\n  x: 1  # agentlint: ignore[bogus]\n"
    codes = [code for _, _, code in run(tmp_path, {"config/agents.yaml": broken})]
    assert sorted(codes) == ["AGL001", "AGL004"]
