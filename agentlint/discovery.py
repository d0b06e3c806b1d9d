"""Which files a run looks at.

Directories are walked with the ``include``/``exclude`` globs and ``.gitignore`` files; a path named on
the command line is always checked unless ``--force-exclude`` is given (what pre-commit passes, so that
``exclude`` still applies to the changed files it hands over). Directory symlinks are followed once:
the walk remembers each directory's (device, inode) so a symlink loop ends instead of recursing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from agentlint import globs
from agentlint.config import Settings


@dataclass(frozen=True)
class DiscoveredFile:
    path: Path  # absolute, as the user reaches it (symlinks not resolved, so reports show their path)
    relative: str  # POSIX, relative to the project root


@functools.lru_cache(maxsize=4096)
def _is_package(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


def module_name(path: Path) -> str:
    """The importable name of a Python file: its path from the first ancestor directory that is not a
    package. Cross-file resolution matches imports against these names, so ``src/`` layouts and
    fixtures nested in other folders resolve as their imports are written."""
    parts = [path.stem] if path.stem != "__init__" else []
    directory = path.parent
    while _is_package(directory):
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts)) or path.parent.name


def relative_to_root(path: Path, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


class _GitIgnores:
    """``.gitignore`` files apply to their own directory and below; loaded lazily as the walk reaches them."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, directory: Path) -> pathspec.GitIgnoreSpec | None:
        if directory not in self._specs:
            ignore_file = directory / ".gitignore"
            spec = None
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                spec = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: Path, is_dir: bool, root: Path) -> bool:
        """The closest ``.gitignore`` with a matching pattern decides, as with git, so a nested
        ``!keep.py`` re-includes a file a parent ``.gitignore`` ignores. Files up to the repository's
        top count, also above the project root (a project config in a monorepo's subfolder)."""
        top = _repository_top(root)
        for directory in (path.parent, *path.parent.parents):
            spec = self._spec(directory)
            if spec is not None:
                relative = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                decision = spec.check_file(relative).include
                if decision is not None:
                    return decision
            if directory == top or directory.parent == directory:
                break
        return False


@functools.lru_cache(maxsize=64)
def _repository_top(root: Path) -> Path:
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return directory
    return root


def discover(paths: list[Path], settings: Settings, root: Path, *, force_exclude: bool) -> Iterator[DiscoveredFile]:
    """Every file to check, once each, in path order. A file reached both directly and through a
    symlink is reported under its direct path, so fingerprints do not depend on which sorts first."""
    gitignores = _GitIgnores()
    seen_dirs: set[tuple[int, int]] = set()
    candidates: list[Path] = []
    for given in paths:
        absolute = Path(os.path.abspath(given))
        if absolute.is_dir():
            if force_exclude and _excluded_named(absolute, settings, root, gitignores, is_dir=True):
                continue
            candidates.extend(_walk(absolute, settings, root, gitignores, seen_dirs))
        elif force_exclude and _excluded_named(absolute, settings, root, gitignores, is_dir=False):
            continue
        elif absolute.exists() or absolute.is_symlink():
            if force_exclude and not _included(absolute, settings, root):
                continue
            candidates.append(absolute)
    chosen: dict[str, Path] = {}
    for path in sorted(candidates, key=lambda candidate: (candidate.is_symlink(), candidate)):
        chosen.setdefault(os.path.realpath(path), path)
    for path in sorted(set(chosen.values()), key=lambda candidate: relative_to_root(candidate, root)):
        yield DiscoveredFile(path, relative_to_root(path, root))


def stdin_file(path: Path, settings: Settings, root: Path, *, force_exclude: bool) -> DiscoveredFile | None:
    """The file an editor sends on stdin; it may not exist on disk yet (an unsaved buffer)."""
    absolute = Path(os.path.abspath(path))
    if force_exclude and (
        _excluded_named(absolute, settings, root, _GitIgnores(), is_dir=False) or not _included(absolute, settings, root)
    ):
        return None
    return DiscoveredFile(absolute, relative_to_root(absolute, root))


def _walk(
    directory: Path,
    settings: Settings,
    root: Path,
    gitignores: _GitIgnores,
    seen_dirs: set[tuple[int, int]],
) -> Iterator[Path]:
    try:
        identity = directory.stat()
    except OSError:
        return
    key = (identity.st_dev, identity.st_ino)
    if key in seen_dirs:
        return
    seen_dirs.add(key)
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if _excluded(path, settings, root, gitignores, is_dir=is_dir):
            continue
        if is_dir:
            yield from _walk(path, settings, root, gitignores, seen_dirs)
        elif _included(path, settings, root):
            yield path


def _excluded(path: Path, settings: Settings, root: Path, gitignores: _GitIgnores, *, is_dir: bool) -> bool:
    relative = relative_to_root(path, root)
    if globs.matches_any(settings.all_excludes, relative):
        return True
    return settings.respect_gitignore and path.is_relative_to(root) and gitignores.ignored(path, is_dir, root)


def _excluded_named(path: Path, settings: Settings, root: Path, gitignores: _GitIgnores, *, is_dir: bool) -> bool:
    """``--force-exclude`` on a path named on the command line: excluded when it or a directory above it
    (up to the project root) is, as ruff checks every ancestor; ``exclude = ["build"]`` must drop the
    ``build/x.py`` that pre-commit passes, although neither its basename nor its path is ``build``."""
    if _excluded(path, settings, root, gitignores, is_dir=is_dir):
        return True
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            return False
        if _excluded(parent, settings, root, gitignores, is_dir=True):
            return True
    return False


def _included(path: Path, settings: Settings, root: Path) -> bool:
    return globs.matches_any(settings.include, relative_to_root(path, root))
