"""Reading and decoding files the way the interpreter would (PEP 263 cookies, BOM), line splitting
that keeps rows in step with Python's tokenizer, and findings on the right row and column for every
kind of line ending, indentation and line length."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from agentlint.cli import main
from agentlint.sources import ReadProblem, SourceText, decode, read_bytes, split_lines

# --------------------------------------------------------------------------------------------------
# decode()


def test_plain_utf8() -> None:
    decoded = decode("name = 'café'\n".encode(), python=True)
    assert decoded == SourceText("name = 'café'\n", ["name = 'café'", ""])


def test_utf8_bom_is_stripped() -> None:
    for python in (True, False):
        decoded = decode(b"\xef\xbb\xbfx = 1\n", python=python)
        assert isinstance(decoded, SourceText)
        assert decoded.text == "x = 1\n"
        assert decoded.lines[0] == "x = 1"


def test_pep263_latin1_cookie() -> None:
    decoded = decode(b'# -*- coding: latin-1 -*-\nname = "caf\xe9"\n', python=True)
    assert isinstance(decoded, SourceText)
    assert decoded.lines[1] == 'name = "café"'


def test_cookie_on_the_second_line() -> None:
    decoded = decode(b'#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nx = "\x80"\n', python=True)
    assert isinstance(decoded, SourceText)
    assert decoded.lines[2] == 'x = "€"'


def test_cookie_on_the_third_line_is_ignored() -> None:
    decoded = decode(b'x = 1\ny = 2\n# coding: latin-1\nz = "\xe9"\n', python=True)
    assert decoded == ReadProblem("undecodable", "byte 0xe9 is not valid UTF-8", 4, 6)


def test_data_files_ignore_cookies() -> None:
    decoded = decode(b'# coding: latin-1\nbackstory: "caf\xe9"\n', python=False)
    assert decoded == ReadProblem("undecodable", "byte 0xe9 is not valid UTF-8", 2, 16)


def test_unknown_cookie() -> None:
    decoded = decode(b"# -*- coding: klingon -*-\nimport requests\n", python=True)
    assert isinstance(decoded, ReadProblem)
    assert decoded.kind == "undecodable"
    assert "klingon" in decoded.message
    assert decoded.row == 1


def test_non_text_codec_cookie() -> None:
    decoded = decode(b"# coding: uu\nx = 1\n", python=True)
    assert decoded == ReadProblem("undecodable", "unknown encoding `uu`")


def test_bom_with_a_conflicting_cookie() -> None:
    decoded = decode(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", python=True)
    assert isinstance(decoded, ReadProblem)
    assert decoded.kind == "undecodable"
    assert decoded.message.startswith("invalid encoding declaration")


def test_invalid_utf8_position_counts_characters() -> None:
    decoded = decode("a = 1\nb = 'é".encode() + b"\xff'\n", python=True)
    assert decoded == ReadProblem("undecodable", "byte 0xff is not valid UTF-8", 2, 7)


def test_invalid_utf8_on_the_first_line() -> None:
    # detect_encoding itself fails here; the byte is still named with its position.
    assert decode(b"\xff = 1\n", python=True) == ReadProblem("undecodable", "byte 0xff is not valid UTF-8", 1, 1)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_invalid_byte_row_for_every_line_ending(newline: bytes) -> None:
    raw = newline.join([b"x = 1", b"y = 2", b'z = "\xff"', b""])
    decoded = decode(raw, python=True)
    assert decoded == ReadProblem("undecodable", "byte 0xff is not valid UTF-8", 3, 6)


def test_invalid_for_the_declared_encoding() -> None:
    decoded = decode(b'# coding: ascii\nx = "\xe9"\n', python=True)
    assert decoded == ReadProblem("undecodable", "byte 0xe9 is not valid ASCII", 2, 6)


def test_nul_bytes_are_binary() -> None:
    assert decode(b"import os\x00\n", python=True) == ReadProblem(
        "undecodable", "file contains NUL bytes and looks binary"
    )
    assert isinstance(decode(b"\x00\x00", python=False), ReadProblem)


def test_nul_beyond_the_sniffed_prefix_is_left_to_the_parser() -> None:
    decoded = decode(b"x = 1\n" * 2000 + b"\x00", python=True)
    assert isinstance(decoded, SourceText)


def test_empty() -> None:
    assert decode(b"", python=True) == SourceText("", [""])


def test_read_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x")
    assert read_bytes(tmp_path / "a.py") == b"x"
    missing = read_bytes(tmp_path / "missing.py")
    assert isinstance(missing, ReadProblem)
    assert missing.kind == "unreadable"
    assert missing.message == "cannot read file: No such file or directory"
    assert isinstance(read_bytes(tmp_path), ReadProblem)


# --------------------------------------------------------------------------------------------------
# split_lines()


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b", ""]),
        ("a\r\nb\r\n", ["a", "b", ""]),
        ("a\rb\r", ["a", "b", ""]),
        ("a\r\n\rb", ["a", "", "b"]),
        ("a\x0cb\n", ["a\x0cb", ""]),  # form feed is not a line break for the tokenizer
        ("a\x0bb\x1cc\x85d\u2028e\n", ["a\x0bb\x1cc\x85d\u2028e", ""]),
        ("", [""]),
        ("no newline", ["no newline"]),
    ],
)
def test_split_lines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


# --------------------------------------------------------------------------------------------------
# End to end: findings on the right row and column


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agentlint.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(path: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "-o", "concise", *args, path], catch_exceptions=False)
    assert result.stderr == ""
    return result.exit_code, result.stdout


def test_latin1_cookie_file_is_analysed(project: Path) -> None:
    (project / "legacy.py").write_bytes(
        b'# -*- coding: latin-1 -*-\nimport requests\n\nGREETING = "d\xe9j\xe0 vu"\nrequests.get(GREETING)\n'
    )
    code, out = check("legacy.py")
    assert code == 1
    assert out.startswith("legacy.py:5:1: AGL101 ")
    full = CliRunner().invoke(main, ["check", "legacy.py"], catch_exceptions=False).stdout
    assert "5 | requests.get(GREETING)" in full


def test_latin1_non_ascii_before_the_finding_on_the_same_line(project: Path) -> None:
    (project / "legacy.py").write_bytes(b'# coding: latin-1\nimport requests\nx = "\xe9\xe9"; requests.get(x)\n')
    code, out = check("legacy.py")
    assert code == 1
    assert out.startswith("legacy.py:3:11: AGL101 `requests.get`")
    assert len(out.splitlines()) == 1


def test_utf8_bom(project: Path) -> None:
    (project / "bom.py").write_bytes(b'\xef\xbb\xbfimport requests; requests.get("u")\n')
    code, out = check("bom.py")
    assert out.startswith("bom.py:1:18: AGL101 ")  # the BOM is not a column


def test_crlf_rows(project: Path) -> None:
    (project / "crlf.py").write_bytes(b'import requests\r\n\r\n\r\ndef f():\r\n    return requests.get("u")\r\n')
    assert check("crlf.py")[1].startswith("crlf.py:5:12: AGL101 ")
    full = CliRunner().invoke(main, ["check", "crlf.py"], catch_exceptions=False).stdout
    assert '5 |     return requests.get("u")\n' in full
    assert "\r" not in full


def test_cr_only_rows(project: Path) -> None:
    (project / "cr.py").write_bytes(b'import requests\rx = 1\r\r    \rrequests.get("u")\r')
    assert check("cr.py")[1].startswith("cr.py:5:1: AGL101 ")


def test_cr_only_syntax_error_row(project: Path) -> None:
    (project / "cr.py").write_bytes(b"x = 1\ry = 2\rdef f(:\r    pass\r")
    assert check("cr.py")[1].startswith("cr.py:3:7: AGL001 ")


def test_cr_only_suppression(project: Path) -> None:
    """The suppression on row 3 must cover the call on row 4, not be read as a comment on row 1."""
    (project / "cr.py").write_bytes(b'import requests\rx = 1\r# agentlint: ignore[AGL101]\rrequests.get("u")\r')
    assert check("cr.py") == (0, "")


def test_tabs(project: Path) -> None:
    (project / "tabs.py").write_bytes(b'import requests\nif True:\n\tif True:\n\t\trequests.get("u")\n')
    assert check("tabs.py")[1].startswith("tabs.py:4:3: AGL101 ")
    full = CliRunner().invoke(main, ["check", "tabs.py"], catch_exceptions=False).stdout
    # Tabs are expanded in the snippet and the caret sits under the call.
    assert '4 |         requests.get("u")\n' in full
    assert "  |         ^^^^^^^^^^^^^^^^^\n" in full


def test_empty_file(project: Path) -> None:
    (project / "empty.py").write_bytes(b"")
    assert check("empty.py") == (0, "")


def test_whitespace_only_file(project: Path) -> None:
    (project / "blank.py").write_bytes(b"\n\n   \n\t\n")
    assert check("blank.py") == (0, "")


def test_no_trailing_newline(project: Path) -> None:
    (project / "app.py").write_bytes(b'import requests\nrequests.get("u")')
    assert check("app.py")[1].startswith("app.py:2:1: AGL101 ")


def test_form_feed_does_not_shift_rows(project: Path) -> None:
    (project / "ff.py").write_bytes(b'import requests\n\x0c\nx = 1\x0c\nrequests.get("u")\n')
    assert check("ff.py")[1].startswith("ff.py:4:1: AGL101 ")


def test_very_long_line_with_a_finding_at_the_end(project: Path) -> None:
    padding = "a" * 100_000
    (project / "long.py").write_text(f'import requests\nx = "{padding}"; requests.get(x)\n')
    code, out = check("long.py")
    column = len(f'x = "{padding}"; ') + 1
    assert (code, out.split(" AGL101")[0]) == (1, f"long.py:2:{column}:")
    full = CliRunner().invoke(main, ["check", "long.py"], catch_exceptions=False).stdout
    snippet = next(line for line in full.splitlines() if line.startswith("2 | "))
    assert len(snippet) < 200  # windowed around the caret, not 100k characters
    assert "requests.get(x)" in snippet


def test_non_ascii_path_and_content(project: Path) -> None:
    (project / "agents_ü").mkdir()
    (project / "agents_ü" / "wérk.py").write_text('import requests\n# 日本語\nrequests.get("ü")\n', encoding="utf-8")
    assert check(".")[1].startswith("agents_ü/wérk.py:3:1: AGL101 ")


def test_undecodable_yaml_is_a_finding(project: Path) -> None:
    (project / "config").mkdir()
    (project / "config/agents.yaml").write_bytes(b"researcher:\n  backstory: caf\xe9\n")
    assert check(".") == (1, "config/agents.yaml:2:17: AGL002 byte 0xe9 is not valid UTF-8\n")
