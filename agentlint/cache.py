"""Per-file analysis results cached by content, so a pre-commit hook or an editor can assemble the
whole project graph on every run and only re-analyse what changed.

Keyed by a hash of the file's bytes (not its mtime: CI checkouts reset mtimes), its project-relative
path and module name (both appear in the facts), and a fingerprint of agentlint's own code, so that an
upgrade or an editable install's edits never serve facts extracted by other code. Entries are pickles of
``FileOutcome``; a corrupt, unreadable or stale entry is a miss, never an error. The directory carries
its own ``.gitignore`` so it never shows up in ``git status``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from agentlint import __version__, registry


@functools.cache
def _code_fingerprint() -> str:
    """agentlint's version, source and rule codes (suppression comments are checked against the codes)."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(",".join(rule.code for rule in registry.all_rules()).encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def key(self, relative: str, module: str, raw: bytes) -> str:
        digest = hashlib.sha256()
        for part in (_code_fingerprint(), relative, module):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        try:
            with open(self._path(key), "rb") as handle:
                return pickle.load(handle)
        except Exception:  # a miss, whatever went wrong: the file is analysed again
            return None

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by agentlint.\n*\n")
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only checkout still lints, just without a cache

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key
