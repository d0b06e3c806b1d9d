"""An editor's buffer on stdin is decoded exactly as the file on disk would be: a coding cookie is
honoured, and undecodable bytes are an AGL002 finding rather than silently replaced."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from agentlint.cli import main


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "agentlint.toml").write_text("")
    monkeypatch.chdir(tmp_path)


def check_stdin(source: bytes) -> list[str]:
    result = CliRunner().invoke(main, ["check", "-o", "concise", "--stdin-filename", "tool.py"], input=source)
    return result.stdout.splitlines()


def test_undecodable_bytes_on_stdin_are_reported_like_the_file() -> None:
    source = b'x = 1\ny = "\xe9"\n'
    Path("tool.py").write_bytes(source)
    on_disk = CliRunner().invoke(main, ["check", "-o", "concise", "tool.py"]).stdout.splitlines()
    assert check_stdin(source) == on_disk == ["tool.py:2:6: AGL002 byte 0xe9 is not valid UTF-8"]


def test_a_coding_cookie_on_stdin_is_honoured() -> None:
    source = b'# -*- coding: latin-1 -*-\nimport requests\nname = "\xe9"\nrequests.get(name)\n'
    assert [line.split(" ")[1] for line in check_stdin(source)] == ["AGL101"]
