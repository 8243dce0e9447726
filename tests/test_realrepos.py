"""Findings on real postmortem repositories are ones a reviewer agrees with (../shared/realrepos).

Each labelled postmortem is linted in-process with the default schema, and each finding is judged
against the person's reading of the file (labels/<folder>.json), by the rules of the shared score.py:
a missing section that the document explains in prose or under another heading is a false finding, an
implied section is right when the labels say the content is only in prose, a placeholder, timeline or
fence finding is right on a labelled line. A default-schema requirement the team's template never had
is not judged. Which files a directory walk lints is another test's concern: only postmortems are judged.
Adopted mode runs ``init`` in a copy of each folder first, as a team would, and then judges every missing
section (one the team's template never asked for is a false finding) and what the labels expect found.
"""

from __future__ import annotations

import json
import shutil
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


ADOPTED_PRECISION_BAR = 0.95  # after `init`, over all folders
ADOPTED_RECALL_BAR = 0.85


def adopted_verdict(finding: dict[str, Any], label: dict[str, Any], template: set[str]) -> bool | None:
    """As ``verdict``, for a repository that ran ``init``: every missing section it reports is judged."""
    if finding.get("rule") == "missing-section" and finding.get("section") in CANONICAL:
        return finding["section"] not in (label.get("sections") or {}) and finding["section"] in template
    return verdict(Finding("", finding.get("line") or 0, 1, finding.get("rule") or "", "warning", "",
                           section=finding.get("section")), label, template)


def _expected(label: dict[str, Any], template: set[str]) -> list[tuple[str, Any]]:
    sections = label.get("sections") or {}
    return ([("missing", s) for s in template if s not in sections]
            + [("placeholder", p.get("line")) for p in label.get("placeholders") or []])


def _hit(expected: tuple[str, Any], findings: list[dict[str, Any]]) -> bool:
    kind, key = expected
    if kind == "missing":
        return any(f.get("rule") in ("missing-section", "implied-section") and f.get("section") == key
                   for f in findings)
    return any(f.get("rule") == "placeholder" and f.get("line") == key for f in findings)


def judge_adopted(folder: Path, work: Path, capsys: pytest.CaptureFixture[str],
                  monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int, int, list[str]]:
    """Run ``init`` in a copy of the folder, lint it, and judge: true, false, found, expected, false ones."""
    from postmortem_check.cli import main

    labels = json.loads((REALREPOS / "labels" / f"{folder.name}.json").read_text(encoding="utf-8"))
    template = set((labels.get("template") or {}).get("sections") or [])
    shutil.copytree(folder, work)
    monkeypatch.chdir(work)
    assert main(["init", "."]) == 0
    capsys.readouterr()
    main(["lint", "--format", "json", "."])
    data = json.loads(capsys.readouterr().out)
    files = {f["path"].removeprefix("./"): f.get("findings") or [] for f in data.get("files", [])}
    true = false = found = expected = 0
    wrong: list[str] = []
    for path, label in (labels.get("files") or {}).items():
        findings = files.get(path, [])
        for finding in findings:
            agreed = adopted_verdict(finding, label, template)
            true += agreed is True
            false += agreed is False
            if agreed is False:
                wrong.append(f"{path}:{finding.get('line')} {finding.get('rule')} {finding.get('section') or ''}")
        for item in _expected(label, template):
            expected += 1
            found += _hit(item, findings)
    return true, false, found, expected, wrong


def _adopted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[float, float]], float, float, str]:
    """Per folder (precision, recall), then overall precision and recall, and a report."""
    need_shared(REALREPOS / "labels")
    totals = [0, 0, 0, 0]
    per_folder: list[tuple[float, float]] = []
    report = []
    for folder in _folders():
        true, false, found, expected, wrong = judge_adopted(folder, tmp_path / folder.name, capsys, monkeypatch)
        totals = [totals[0] + true, totals[1] + false, totals[2] + found, totals[3] + expected]
        per_folder.append((true / (true + false) if true + false else 1.0, found / expected if expected else 1.0))
        report.append(f"{folder.name}: {true}/{true + false}, found {found}/{expected}; false: {wrong[:5]}")
    precision = totals[0] / (totals[0] + totals[1]) if totals[0] + totals[1] else 1.0
    recall = totals[2] / totals[3] if totals[3] else 1.0
    return per_folder, precision, recall, f"precision {precision:.2f} recall {recall:.2f}\n" + "\n".join(report)


def test_adopted_findings_precision_and_recall_reach_the_bar_overall(tmp_path, capsys, monkeypatch):
    _, precision, recall, report = _adopted(tmp_path, capsys, monkeypatch)
    assert precision >= ADOPTED_PRECISION_BAR and recall >= ADOPTED_RECALL_BAR, report


def test_adopted_findings_reach_the_bar_in_every_folder(tmp_path, capsys, monkeypatch):
    per_folder, _, _, report = _adopted(tmp_path, capsys, monkeypatch)
    assert all(p >= ADOPTED_PRECISION_BAR and r >= ADOPTED_RECALL_BAR for p, r in per_folder), report
