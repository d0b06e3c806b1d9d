"""Environment variables a project's deployment files set for the code agentlint checks.

Some framework defaults are read from the environment at run time, LangGraph's recursion limit
(``LANGGRAPH_DEFAULT_RECURSION_LIMIT``) first among them, and teams set them where they deploy:
``.env`` files, Dockerfiles, compose files, ``langgraph.json``'s ``env``. These files are not checked
(they hold no pipeline code), only read for the few variables rules depend on, in the directories
that hold checked files and their parents up to the project root.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from agentlint.findings import Location
from agentlint.ir import ConfigValue, Fragment

# The variables rules read; anything else in these files is none of agentlint's business.
VARIABLES = ("LANGGRAPH_DEFAULT_RECURSION_LIMIT",)
_NAMES = "|".join(VARIABLES)
_FILE_NAMES = re.compile(r"^(?:\.env(?:\..+)?|.+\.env|Dockerfile(?:\..+)?|.+\.Dockerfile|(?:docker-)?compose.*\.ya?ml|langgraph\.json)$")
# ``NAME=50`` (.env, ``export``), ``ENV NAME=50`` / ``ENV NAME 50`` (Dockerfile), ``- NAME=50`` and
# ``NAME: 50`` (compose): the value must be a plain integer.
_SETTING = re.compile(
    rf"""^\s*(?:export\s+|ENV\s+(?:.*\s)?|-\s*)?["']?(?P<name>{_NAMES})["']?"""
    r"""(?:\s*[=:]\s*|\s+)["']?(?P<value>\d+)["']?\s*,?\s*(?:#.*)?$""",
    re.M,
)
# ``"NAME": "50"`` anywhere in ``langgraph.json``, which is often written on one line.
_JSON_SETTING = re.compile(rf"""["](?P<name>{_NAMES})["]\s*:\s*["]?(?P<value>\d+)["]?\s*[,}}]""")
_MAX_BYTES = 256 * 1024


def deployment_fragments(directories: Iterable[tuple[Path, str]]) -> list[Fragment]:
    """One fragment per deployment file that sets a variable, for each (absolute directory, its
    project-relative POSIX path) pair."""
    fragments = []
    for directory, relative in sorted(set(directories), key=lambda pair: pair[1]):
        try:
            names = sorted(entry.name for entry in directory.iterdir() if _FILE_NAMES.match(entry.name) and entry.is_file())
        except OSError:
            continue
        for name in names:
            path = f"{relative}/{name}" if relative not in ("", ".") else name
            settings = _settings(directory / name, path)
            if settings:
                fragments.append(Fragment(path=path, module="", environment=settings))
    return fragments


def _settings(file: Path, path: str) -> dict[str, ConfigValue]:
    try:
        with file.open("rb") as handle:
            text = handle.read(_MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return {}
    found = {}
    for match in (_JSON_SETTING if path.endswith(".json") else _SETTING).finditer(text):
        start = match.start("name")
        row = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        found[match.group("name")] = ConfigValue(
            value=int(match.group("value")),
            location=Location.at(path, row, column, row, column + len(match.group("name"))),
        )
    return found
