"""Test-suite setup shared by every test module.

The helper modules in ``tests/`` (``fixture_harness``) are imported by name. pytest's default
``prepend`` import mode puts this directory on ``sys.path`` already, but ``--import-mode=importlib``
does not, so it is added here explicitly to keep the suite runnable either way.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS_DIR = str(Path(__file__).resolve().parent)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
