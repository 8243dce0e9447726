"""Action items of the real repositories against a person's reading (labels/*.json), folder by folder."""

from __future__ import annotations

import json
import re

import pytest

from postmortem_check.lint import lint_text
from tests.conftest import SHARED, need_shared

RECALL_BAR = 0.90  # in every folder
PRECISION_BAR = 0.95
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text or "")}


def _same(want: dict, got: dict) -> bool:
    """The labels' matching rule: the same line give or take one, or most words in common."""
    if abs(int(want.get("line") or -99) - int(got["line"])) <= 1:
        return True
    a, b = _words(want.get("text", "")), _words(got["text"])
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def _folders() -> list[str]:
    root = SHARED / "realrepos" / "labels"
    return sorted(p.stem for p in root.glob("*.json")) if root.exists() else ["(no shared folder)"]


@pytest.mark.parametrize("folder", _folders())
def test_items_reach_the_bar_in_every_folder(folder: str) -> None:
    root = need_shared(SHARED / "realrepos" / folder)
    labels = json.loads((SHARED / "realrepos" / "labels" / f"{folder}.json").read_text(encoding="utf-8"))
    true = false = missed = 0
    misses: list[str] = []
    for path, label in (labels.get("files") or {}).items():
        source = root / path
        text = source.read_text(encoding="utf-8", errors="replace") if source.exists() else ""
        got = [item.as_json() for item in lint_text(text, path=str(source)).action_items]
        used: set[int] = set()
        for want in label.get("action_items") or []:
            match = next((i for i, g in enumerate(got) if i not in used and _same(want, g)), None)
            if match is None:
                missed += 1
                misses.append(f"{path}:{want.get('line')}")
            else:
                used.add(match)
                true += 1
        false += len(got) - len(used)
    recall = true / (true + missed) if true + missed else 1.0
    precision = true / (true + false) if true + false else 1.0
    assert recall >= RECALL_BAR, (recall, misses)
    assert precision >= PRECISION_BAR, precision
