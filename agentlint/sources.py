"""Turning a path into text the parsers can trust, or into a precise reason why not.

Python files honour a PEP 263 coding cookie and a UTF-8 BOM (what the interpreter itself would do);
data files are UTF-8, with a BOM tolerated. Every failure is returned as a ``ReadProblem`` carrying a
line and column, because the engine reports it as a finding for that file and carries on with the rest.
"""

from __future__ import annotations

import codecs
import io
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ReadProblem:
    """Why a file has no usable text. ``kind`` picks the engine rule: ``unreadable`` or ``undecodable``."""

    kind: str
    message: str
    row: int = 1
    column: int = 1


@dataclass(frozen=True)
class SourceText:
    text: str
    lines: list[str]


def read_bytes(path: Path) -> bytes | ReadProblem:
    try:
        # Opening a FIFO blocks until a writer appears, and a device may never end: read regular files only.
        if not stat.S_ISREG(path.stat().st_mode):
            return ReadProblem("unreadable", "cannot read file: not a regular file")
        return path.read_bytes()
    except OSError as error:
        return ReadProblem("unreadable", f"cannot read file: {error.strerror or error}")


def decode(raw: bytes, *, python: bool) -> SourceText | ReadProblem:
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        return ReadProblem("undecodable", "file contains NUL bytes and looks binary")
    encoding = "utf-8-sig"
    if python:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as error:
            # detect_encoding also fails on undecodable bytes in the first two lines; name the byte then.
            undecodable = _first_invalid_utf8(raw)
            if undecodable is not None:
                return undecodable
            return ReadProblem("undecodable", f"invalid encoding declaration: {error.msg}", error.lineno or 1)
    try:
        codecs.lookup(encoding)
        text = raw.decode(encoding)
    except LookupError:
        return ReadProblem("undecodable", f"unknown encoding `{encoding}`")
    except UnicodeDecodeError as error:
        row, column = _position_of_byte(raw, error.start)
        label = "UTF-8" if error.encoding.lower().replace("_", "-").startswith("utf-8") else error.encoding.upper()
        return ReadProblem("undecodable", f"byte 0x{raw[error.start]:02x} is not valid {label}", row, column)
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceText(text=text, lines=split_lines(text))


def split_lines(text: str) -> list[str]:
    """Split on the same line breaks Python's tokenizer honours (not ``str.splitlines``, which also
    breaks on form feeds and other separators and would shift every row after them)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _first_invalid_utf8(raw: bytes) -> ReadProblem | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row, column = _position_of_byte(raw, error.start)
        return ReadProblem("undecodable", f"byte 0x{raw[error.start]:02x} is not valid UTF-8", row, column)
    return None


def _position_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    # Rows count the line breaks ``split_lines`` honours, so a file with bare ``\r`` breaks gets the
    # row its finding is shown on.
    before = raw[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    row = before.count(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return row, column
