"""Findings on real postmortem repositories are ones a reviewer agrees with (../shared/realrepos).

Each labelled postmortem is linted in-process with the default schema, and each finding is judged
against the person's reading of the file (labels/<folder>.json), by the rules of the shared score.py:
a missing section that the document explains in prose or under another heading is a false finding, an
implied section is right when the labels say the content is only in prose, a placeholder, timeline or
fence finding is right on a labelled line. A default-schema requirement the team's template never had
is not judged. Which files a directory walk lints is another test's concern: only postmortems are judged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from postmortem_check.config import Config
from postmortem_check.document import decode, template_lines_for
from postmortem_check.findings import Finding
from postmortem_check.lint import lint_document, schema_for
from tests.conftest import SHARED, need_shared

REALREPOS = SHARED / "realrepos"
PRECISION_BAR = 0.90  # the goal
PRECISION_FLOOR = 0.85  # a coarser guard, kept so that a failure says which bar fell
CANONICAL = {"summary", "impact", "timeline", "root_cause", "resolution", "detection", "corrective_actions",
             "lessons_learned"}


def verdict(finding: Finding, label: dict[str, Any], template: set[str]) -> bool | None:
    """True (a reviewer agrees), False (a reviewer disagrees) or None (not judged)."""
    sections = label.get("sections") or {}
    rule, section, line = finding.rule, finding.section, finding.line
    if rule == "missing-section":
        if section not in CANONICAL:
            return None
        if section in sections:
            return False
        return True if section in template else None
    if rule == "implied-section":
        return (sections.get(section) or {}).get("how") == "prose"
    if rule == "empty-section":
        return section in (label.get("empty_sections") or [])
    if rule == "placeholder":
        return line in {p.get("line") for p in label.get("placeholders") or []}
    if rule == "timeline-order":
        return any(abs(line - other) <= 1 for other in label.get("timeline_order") or [])
    if rule == "timeline-missing-time":
        return line in set(label.get("timeline_no_time") or [])
    if rule in ("front-matter", "front-matter-yaml"):
        return bool(label.get("bad_front_matter"))
    if rule == "unclosed-fence":
        return line in set(label.get("unclosed_fences") or [])
    if rule == "no-action-items":
        return "corrective_actions" in sections and not label.get("action_items")
    return None


def judge(folder: Path) -> tuple[int, int, list[str]]:
    """Findings a reviewer agrees with, those they do not, and the false ones as ``path:line rule``."""
    labels = json.loads((REALREPOS / "labels" / f"{folder.name}.json").read_text(encoding="utf-8"))
    template = set((labels.get("template") or {}).get("sections") or [])
    config = Config()
    schema = schema_for(config)
    true = false = 0
    wrong: list[str] = []
    for path, label in (labels.get("files") or {}).items():
        document = decode(path, (folder / path).read_bytes())
        document.template_lines = template_lines_for(str(folder / path))
        result = lint_document(document, schema, config)
        for finding in result.findings:
            agreed = verdict(finding, label, template)
            if agreed is True:
                true += 1
            elif agreed is False:
                false += 1
                wrong.append(f"{path}:{finding.line} {finding.rule} {finding.section or ''}")
    return true, false, wrong


def _folders() -> list[Path]:
    if not (REALREPOS / "labels").is_dir():
        return []
    return sorted(p for p in REALREPOS.iterdir() if (REALREPOS / "labels" / f"{p.name}.json").is_file())


def _precision() -> tuple[float, str]:
    need_shared(REALREPOS / "labels")
    total_true = total_false = 0
    report = []
    for folder in _folders():
        true, false, wrong = judge(folder)
        total_true, total_false = total_true + true, total_false + false
        report.append(f"{folder.name}: {true}/{true + false}; false: {wrong[:5]}")
    precision = total_true / (total_true + total_false) if total_true + total_false else 1.0
    return precision, f"precision {precision:.2f}\n" + "\n".join(report)


def test_default_schema_findings_precision_does_not_fall():
    precision, report = _precision()
    assert precision >= PRECISION_FLOOR, report


def test_default_schema_findings_precision_reaches_the_bar():
    precision, report = _precision()
    assert precision >= PRECISION_BAR, report


@pytest.mark.parametrize("rule", ["placeholder", "timeline-order", "timeline-missing-time", "unclosed-fence"])
def test_no_false_finding_of_these_rules_on_real_repositories(rule):
    need_shared(REALREPOS / "labels")
    wrong = [w for folder in _folders() for w in judge(folder)[2] if f" {rule} " in w + " "]
    assert wrong == []
