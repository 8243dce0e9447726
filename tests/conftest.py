"""Shared test helpers: where ../shared is, and how to run the command line in-process."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"


def need_shared(path: Path) -> Path:
    """Skip the calling test cleanly when ../shared (or the part of it a test needs) is absent."""
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


# Long robustness checks (time-bounded fuzzing, 20 MB documents) run only when a fuzz budget is given:
#   POSTMORTEM_FUZZ_SECONDS=120 python -m pytest -q -m long
FUZZ_SECONDS = float(os.environ.get("POSTMORTEM_FUZZ_SECONDS", "0") or 0)


_TEMPORARY: list[str] = []  # folders made for the run, removed when it ends


def _temporary(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    _TEMPORARY.append(path)
    return path


def pytest_configure(config: pytest.Config) -> None:
    # Lint runs in tests (in process and in child processes) keep their result cache in a folder of their
    # own, never beside the documents they read (../shared among them); tests/test_cache.py unsets it. The
    # user cache home (where the cache's sealing key lives) is a temporary folder too.
    if "POSTMORTEM_CHECK_CACHE_DIR" not in os.environ:
        os.environ["POSTMORTEM_CHECK_CACHE_DIR"] = _temporary("postmortem-check-cache-")
    os.environ["XDG_CACHE_HOME"] = _temporary("postmortem-check-home-")
    config.addinivalue_line("markers", "long: long-running robustness check; runs when POSTMORTEM_FUZZ_SECONDS is set")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the folders ``pytest_configure`` made: a run leaves nothing behind in the temporary folder."""
    for path in _TEMPORARY:
        shutil.rmtree(path, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if FUZZ_SECONDS > 0:
        return
    skip = pytest.mark.skip(reason="long check: set POSTMORTEM_FUZZ_SECONDS to run it")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)
