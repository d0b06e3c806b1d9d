"""The library entry point: everything ``agentlint check`` does short of printing, for tests, editor
integrations and scripts that must not shell out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from agentlint import registry
from agentlint.cache import Cache
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
    stdin: tuple[Path, str | bytes] | None = None,
    project_context: bool = False,
    cache: bool = False,
) -> RunResult:
    """Lint ``paths``. Without ``settings`` the closest config file is used; without ``root`` the
    project root is derived as the CLI derives it; without ``enabled`` the configured selection runs.
    ``stdin`` is (path, source) to lint in place of that file's content on disk; it may name a file
    that does not exist yet. Source given as bytes is decoded as the file would be (coding cookie,
    BOM, undecodable bytes reported as AGL002).

    With ``project_context``, when only files are named (what pre-commit and editors pass), the whole
    project under ``root`` is analysed so that facts from other modules count, and only findings that
    touch the named files are reported. ``cache`` keeps per-file results under the configured
    ``cache-dir`` so that this stays fast."""
    anchor = Path(os.path.abspath(stdin[0] if stdin else paths[0]))
    config_path = find_config(anchor) if settings is None else None
    settings = settings or (load_settings(config_path) if config_path else Settings())
    root = root.resolve() if root is not None else project_root(config_path, anchor, Path.cwd().resolve())
    if enabled is None:
        enabled = registry.select_rules(settings.select + settings.extend_select, settings.ignore)
    store = Cache(root / settings.cache_dir) if cache else None
    if stdin is not None:
        file = stdin_file(stdin[0], settings, root, force_exclude=force_exclude)
        if file is None:
            return run([], settings, enabled)
        named, overrides = [file], {file.relative: stdin[1]}
    else:
        named = list(discover(list(paths), settings, root, force_exclude=force_exclude))
        overrides: dict[str, str | bytes] = {}
    only_files = stdin is not None or all(not Path(path).is_dir() for path in paths)
    if not (project_context and only_files and named):
        return run(named, settings, enabled, overrides, cache=store)
    focus = {file.relative for file in named}
    context = [file for file in discover([root], settings, root, force_exclude=False) if file.relative not in focus]
    return run([*context, *named], settings, enabled, overrides, focus=focus, cache=store)
