"""The library entry point: everything ``agentlint check`` does short of printing, for tests, editor
integrations and scripts that must not shell out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from agentlint import registry
from agentlint.config import Settings, find_config, load_settings, project_root
from agentlint.discovery import discover, stdin_file
from agentlint.engine import RunResult, run
from agentlint.rule import Rule


def check(
    paths: Sequence[Path],
    *,
    settings: Settings | None = None,
    root: Path | None = None,
    enabled: Sequence[type[Rule]] | None = None,
    force_exclude: bool = False,
    stdin: tuple[Path, str] | None = None,
) -> RunResult:
    """Lint ``paths``. Without ``settings`` the closest config file is used; without ``root`` the
    project root is derived as the CLI derives it; without ``enabled`` the configured selection runs.
    ``stdin`` is (path, source) to lint in place of that file's content on disk; it may name a file
    that does not exist yet."""
    anchor = Path(os.path.abspath(stdin[0] if stdin else paths[0]))
    config_path = find_config(anchor) if settings is None else None
    settings = settings or (load_settings(config_path) if config_path else Settings())
    root = root.resolve() if root is not None else project_root(config_path, anchor, Path.cwd().resolve())
    if enabled is None:
        enabled = registry.select_rules(settings.select + settings.extend_select, settings.ignore)
    if stdin is not None:
        file = stdin_file(stdin[0], settings, root, force_exclude=force_exclude)
        return run([file] if file else [], settings, enabled, {file.relative: stdin[1]} if file else {})
    return run(list(discover(list(paths), settings, root, force_exclude=force_exclude)), settings, enabled)
