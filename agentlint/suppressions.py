"""``# agentlint: ignore[...]``, ``disable[...]``/``enable[...]`` and ``file-ignore[...]`` comments.

Only comments count: in Python the tokenizer decides what is a comment (so a rule's docs showing a
suppression inside a string do not suppress anything); in YAML and TOML a ``#`` outside quotes.
There is no blanket form: a suppression names codes or code prefixes, and a malformed or unknown one is
itself a finding, as is one that suppresses nothing.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

DIRECTIVE = re.compile(r"#\s*agentlint\s*:(?P<body>.*)$")
_FORM = re.compile(
    r"^\s*(?P<action>ignore|disable|enable|file-ignore)\[(?P<codes>[^\]]*)\](?P<rest>.*)$"
)
_SELECTOR = re.compile(r"^AGL\d{1,3}$")  # at least a family digit: ``AGL`` alone would be a blanket form


@dataclass
class Suppression:
    action: str
    selectors: tuple[str, ...]
    row: int
    column: int
    end_column: int
    first_row: int = 0  # rows covered, inclusive; set once the target is known
    last_row: int = 0
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, row: int) -> str | None:
        if not self.first_row <= row <= self.last_row:
            return None
        return next((selector for selector in self.selectors if code.startswith(selector)), None)


@dataclass(frozen=True)
class SuppressionProblem:
    message: str
    row: int
    column: int
    end_column: int


@dataclass
class FileSuppressions:
    items: list[Suppression] = field(default_factory=list)
    problems: list[SuppressionProblem] = field(default_factory=list)

    def suppress(self, code: str, row: int, *, file_level_only: bool = False) -> bool:
        """Whether some suppression covers this finding; marks the selector that did as used."""
        for item in self.items:
            if file_level_only and item.action != "file-ignore":
                continue
            selector = item.covers(code, row)
            if selector is not None:
                item.used.add(selector)
                return True
        return False


@dataclass(frozen=True)
class _Comment:
    row: int
    column: int  # 1-based column of the ``#``
    text: str
    own_line: bool


def parse_suppressions(text: str, lines: list[str], kind: str, known_codes: Iterable[str]) -> FileSuppressions:
    result = FileSuppressions()
    if "agentlint" not in text:
        return result
    codes = tuple(known_codes)
    if kind == "python":
        comments, statements = _python_tokens(text, lines)
    else:
        comments, statements = _data_comments(lines), None
    open_ranges: dict[str, Suppression] = {}
    for comment in comments:
        match = DIRECTIVE.match(comment.text)
        if match is None:
            continue
        end_column = comment.column + len(comment.text)
        parsed = _parse_directive(match.group("body"), codes)
        if isinstance(parsed, str):
            result.problems.append(SuppressionProblem(parsed, comment.row, comment.column, end_column))
            continue
        action, selectors = parsed
        item = Suppression(action, selectors, comment.row, comment.column, end_column)
        if action == "ignore":
            if comment.own_line:
                target = _next_target(comment.row, lines, kind, statements)
            else:
                target = _statement_at(comment.row, statements) if statements is not None else (comment.row, comment.row)
            if target is None:
                result.problems.append(
                    SuppressionProblem("suppression comment is not followed by anything to suppress",
                                       comment.row, comment.column, end_column)
                )
                continue
            item.first_row, item.last_row = target
        elif action == "file-ignore":
            item.first_row, item.last_row = 1, len(lines)
        elif action == "disable":
            item.first_row, item.last_row = comment.row, len(lines)
            for selector in selectors:
                open_ranges[selector] = item
        else:  # enable
            for selector in selectors:
                opened = open_ranges.pop(selector, None)
                if opened is None:
                    result.problems.append(
                        SuppressionProblem(f"`enable[{selector}]` has no matching `disable[{selector}]` above it",
                                           comment.row, comment.column, end_column)
                    )
                else:
                    opened.last_row = comment.row
            continue
        result.items.append(item)
    return result


def _parse_directive(body: str, known_codes: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | str:
    form = _FORM.match(body)
    if form is None:
        return (
            "malformed suppression: expected `# agentlint: ignore[CODE, ...]` (or `disable`, `enable`, "
            "`file-ignore`); there is no blanket form"
        )
    rest = form.group("rest").strip()
    if rest and not rest.startswith(("--", "#")):
        unexpected = rest.split("#", 1)[0].strip()
        return f"malformed suppression: unexpected `{unexpected}` after the codes (write a reason as `-- reason`)"
    selectors = tuple(part.strip() for part in form.group("codes").split(",") if part.strip())
    if not selectors:
        return "malformed suppression: no rule codes between the brackets"
    for selector in selectors:
        if not _SELECTOR.match(selector):
            return f"malformed suppression: `{selector}` is not a rule code or code prefix like `AGL101` or `AGL1`"
        if not any(code.startswith(selector) for code in known_codes):
            return f"unknown rule code `{selector}` in suppression"
    return form.group("action"), selectors


def _python_tokens(text: str, lines: list[str]) -> tuple[list[_Comment], list[tuple[int, int]] | None]:
    """Comments, and the (first row, last row) of every logical line, from one tokenizer pass."""
    comments: list[_Comment] = []
    statements: list[tuple[int, int]] = []
    start: int | None = None
    try:
        # Universal newlines: a bare ``\r`` ends a line for Python and ``split_lines``, so rows agree.
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                row, column = token.start
                own_line = not token.line[:column].strip()
                comments.append(_Comment(row, column + 1, token.string, own_line))
            elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if start is not None:
                    statements.append((start, token.start[0]))
                start = None
            elif token.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT) and start is None:
                start = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        # Source the tokenizer rejects: a line scan still finds file-level and line suppressions.
        return _data_comments(lines), None
    return comments, statements


def _data_comments(lines: list[str]) -> list[_Comment]:
    comments: list[_Comment] = []
    for row, line in enumerate(lines, start=1):
        column = _comment_start(line)
        if column is not None:
            comments.append(_Comment(row, column + 1, line[column:].rstrip(), not line[:column].strip()))
    return comments


def _comment_start(line: str) -> int | None:
    """Index of a ``#`` that starts a comment: outside quotes, and at the start or after whitespace
    (YAML requires the space; ``a#b`` is a plain scalar). A quote opens a string only where a value
    can start, so the apostrophe in ``researcher's findings`` is just a character."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " \t[{,:=-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return index
    return None


def _statement_at(row: int, statements: list[tuple[int, int]]) -> tuple[int, int]:
    for first, last in statements:
        if first <= row <= last:
            return first, last
    return row, row


def _next_target(
    row: int, lines: list[str], kind: str, statements: list[tuple[int, int]] | None
) -> tuple[int, int] | None:
    if statements is not None:
        return next(((first, last) for first, last in statements if first > row), None)
    for index in range(row, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return index + 1, _block_end(index, lines, kind)
    return None


def _block_end(index: int, lines: list[str], kind: str) -> int:
    """A YAML key owns the more-indented lines below it; a TOML table header owns its table."""
    line = lines[index]
    if kind == "toml":
        if not line.strip().startswith("["):
            return index + 1
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith("["):
            end += 1
        return end
    indent = len(line) - len(line.lstrip())
    # A key's sequence may sit at the key's own indent (`tools:` then `- a`); a sequence item's block
    # ends at its next sibling item, which sits at the same indent.
    is_item = _is_sequence_item(line)
    end = index + 1
    while end < len(lines):
        following = lines[end]
        if following.strip() and not following.strip().startswith("#"):
            if len(following) - len(following.lstrip()) <= indent and (is_item or not _is_sequence_item(following)):
                break
            if len(following) - len(following.lstrip()) < indent:
                break
        end += 1
    return end


def _is_sequence_item(line: str) -> bool:
    stripped = line.strip()
    return stripped == "-" or stripped.startswith("- ")
