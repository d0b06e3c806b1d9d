"""ruff's path-pattern semantics for ``include``/``exclude``: a pattern matches a path when it matches
either the entry's basename or its project-relative path.

Not gitignore semantics on purpose: with gitignore rules ``exclude = ["fixtures"]`` would also swallow
``fixtures/showcase/app.py`` when the user names ``fixtures/showcase`` on the command line, and ruff
users expect an explicitly named path to be checked.
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error as error:  # `[z-a]`, `[]`: a config error, not a crash in the middle of the walk
        raise ValueError(f"invalid glob pattern `{pattern}`: {error.msg}") from None


def check(pattern: str) -> None:
    """Raise ``ValueError`` for a pattern that cannot be compiled, so config loading can reject it."""
    _compile(pattern.rstrip("/").removeprefix("./"))


def matches(pattern: str, relative_path: str) -> bool:
    pattern = pattern.rstrip("/").removeprefix("./")
    basename = relative_path.rsplit("/", 1)[-1]
    regex = _compile(pattern)
    return bool(regex.match(basename) or regex.match(relative_path))


def matches_any(patterns: tuple[str, ...] | list[str], relative_path: str) -> bool:
    return any(matches(pattern, relative_path) for pattern in patterns)
