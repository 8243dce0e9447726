"""Shared test helpers: where ../shared is, and how to run the command line in-process."""

from __future__ import annotations

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
