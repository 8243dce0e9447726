"""Section detection on 20 real postmortems agrees with a human reading of them (labels.tsv)."""

from __future__ import annotations

import sys

from tests.conftest import CORPUS, ROOT, need_shared

sys.path.insert(0, str(ROOT / "bench"))
import corpus


def test_precision_and_recall_at_least_95_percent():
    rows = corpus.compare(need_shared(CORPUS))
    assert len(rows) == 20
    precision, recall = corpus.scores(rows)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall


def test_action_item_counts_within_tolerance():
    """labels.tsv counts are a judgement: allow one item or a quarter either way."""
    rows = corpus.compare(need_shared(CORPUS))
    far = [r.file for r in rows
           if r.items_expected and abs(r.items_found - r.items_expected) > max(1, r.items_expected // 4)]
    assert len(far) <= 1, far
