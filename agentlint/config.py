"""Finding and validating ``[tool.agentlint]``.

The closest ``agentlint.toml`` or ``pyproject.toml`` with a ``[tool.agentlint]`` table, walking up from
the checked path, wins, as with ruff. Every key is validated with ``extra="forbid"``: a typo'd key in a
linter's config silently turns a check off, so it must be an error naming the file and the key.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agentlint import globs
from agentlint.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

OutputFormat = Literal["full", "concise", "json", "json-lines", "sarif", "github"]

DEFAULT_INCLUDE = ("*.py", "*.yaml", "*.yml", "*.json", "*.toml")
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype",
    ".ruff_cache", ".agentlint_cache", ".svn", ".tox", ".venv", "__pypackages__", "_build", "buck-out", "build", "dist",
    "node_modules", "site-packages", "venv", ".pytest_cache", "__pycache__", "*.pyi",
)


class ConfigError(Exception):
    """A problem the user must fix before anything is checked (exit code 2)."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True, frozen=True)

    select: tuple[str, ...] = ("AGL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    fail_on: Severity = Severity.INFO
    output_format: OutputFormat = "full"
    cache_dir: str = ".agentlint_cache"
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("include", "exclude", "extend_exclude")
    @classmethod
    def _valid_globs(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            globs.check(pattern)
        return patterns

    @field_validator("per_file_ignores")
    @classmethod
    def _valid_glob_keys(cls, table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for pattern in table:
            globs.check(pattern)
        return table

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude


CONFIG_NAMES = ("agentlint.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = candidate_dir / name
            if candidate.is_file() and (name == "agentlint.toml" or _has_agentlint_table(candidate)):
                return candidate
    return None


_AGENTLINT_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*agentlint(?![\w-])", re.M)


def _has_agentlint_table(pyproject: Path) -> bool:
    try:
        tool = _load_toml(pyproject).get("tool", {})
    except ConfigError:
        # A broken pyproject.toml that may not even be meant for us must not stop the search for ours;
        # one with a [tool.agentlint] table is ours, and skipping it would silently drop its settings.
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        if _AGENTLINT_TABLE.search(text):
            raise
        return False
    return isinstance(tool, dict) and "agentlint" in tool


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_settings(path: Path) -> Settings:
    document = _load_toml(path)
    if path.name == "pyproject.toml" or "tool" in document:
        tool = document.get("tool", {})
        table = tool.get("agentlint", {}) if isinstance(tool, dict) else None
    else:
        table = document
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.agentlint] must be a table")
    return settings_from_table(table, source=str(path))


def settings_from_table(table: dict[str, Any], *, source: str) -> Settings:
    # Field names are accepted in code (``Settings(extend_select=...)``), but a config file spells keys
    # as ruff does; ``extend_select`` there is a typo to report, not a synonym to accept silently.
    snake = next((key for key in table if "_" in key), None)
    if snake is not None:
        raise ConfigError(f"{source}: unknown key `{snake}` in [tool.agentlint] (did you mean `{snake.replace('_', '-')}`?)")
    options = table.get("options")
    for rule_name, rule_table in (options.items() if isinstance(options, dict) else ()):
        snake = next((key for key in rule_table if "_" in key), None) if isinstance(rule_table, dict) else None
        if snake is not None:
            raise ConfigError(f"{source}: unknown key `{snake}` in [tool.agentlint.options.{rule_name}] "
                              f"(did you mean `{snake.replace('_', '-')}`?)")
    try:
        return Settings.model_validate(table)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key `{key}` in [tool.agentlint]") from None
        raise ConfigError(f"{source}: invalid value for `{key}`: {first['msg']}") from None


def project_root(config_path: Path | None, start: Path, cwd: Path) -> Path:
    """The directory finding paths, fingerprints and SARIF's %SRCROOT% are relative to."""
    if config_path is not None:
        return config_path.parent.resolve()
    directory = (start if start.is_dir() else start.parent).resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return cwd if directory.is_relative_to(cwd) else directory
