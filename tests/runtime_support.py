"""Helpers for the runtime proof tier (``pytest -m runtime``): run fixture code on the real framework
or a real socket, and tie the result to what agentlint says about the same files.

Fixture cases are mini-projects that all call their package ``app``, so they are imported by path
with the case directory on ``sys.path`` only for the duration of a ``with`` block, and every module
they loaded is dropped from ``sys.modules`` afterwards: the next case's ``app`` must not be the
previous case's, and nothing may leak into the rest of the suite.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from agentlint.api import check
from agentlint.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_ROOT = REPO_ROOT / "fixtures"


def fixture_case(rule_dir: str, case: str) -> Path:
    path = FIXTURES_ROOT / rule_dir / case
    assert path.is_dir(), f"no fixture case {path}"
    return path


def findings(case_dir: Path) -> list[tuple[str, str, int]]:
    """(code, path, row) of every finding agentlint reports on the case, linted as its own project with
    the default settings, the way ``agentlint check <case_dir>`` would."""
    result = check([case_dir], settings=Settings(), root=case_dir)
    assert not result.internal_errors, result.internal_errors
    return sorted((f.code, f.location.path, f.location.start.row) for f in result.findings)


def _loaded_from(directory: Path) -> list[str]:
    root = directory.resolve()
    names = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(root):
            names.append(name)
    return names


@contextmanager
def imported(case_dir: Path, *modules: str, stubs: dict[str, ModuleType] | None = None) -> Iterator[list[ModuleType]]:
    """Import ``modules`` (dotted names relative to the case directory) from a fixture case.

    ``stubs`` are installed in ``sys.modules`` first, for third-party modules the fixture imports but
    the test replaces (an LLM provider package that is not installed, or must not be called); they are
    removed again afterwards, along with every module loaded from the case directory."""
    stubs = stubs or {}
    roots = {name.split(".", 1)[0] for name in modules}
    clashing = sorted(name for name in sys.modules if name.split(".", 1)[0] in roots)
    assert not clashing, f"modules {clashing} are already imported; a fixture package would not load fresh"
    saved = {name: sys.modules[name] for name in stubs if name in sys.modules}
    sys.modules.update(stubs)
    sys.path.insert(0, str(case_dir))
    importlib.invalidate_caches()
    try:
        yield [importlib.import_module(name) for name in modules]
    finally:
        sys.path.remove(str(case_dir))
        for name in _loaded_from(case_dir):
            sys.modules.pop(name, None)
        for name in [name for name in sys.modules if name.split(".", 1)[0] in roots]:
            sys.modules.pop(name, None)
        for name in stubs:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
        importlib.invalidate_caches()
