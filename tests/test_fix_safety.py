"""``lint --fix`` on real documents: it only inserts, never inside a block quote, list, table, fence, HTML
block or paragraph, and never adds a section the document already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_check.document import Document, decode
from postmortem_check.fix import _outline, fix_document
from postmortem_check.parse import parse_markdown
from postmortem_check.schema import LoadedSchema, load_schema
from tests.conftest import CORPUS, SHARED, need_shared

REALREPOS = SHARED / "realrepos"


def _insertion_points(original: list[str], fixed: list[str]) -> list[int]:
    """1-based original lines that inserted lines were put before (len + 1: the end); fails if a line was lost."""
    points, index = [], 0
    for line in fixed:
        if index < len(original) and line == original[index]:
            index += 1
        elif not points or points[-1] != index + 1:
            points.append(index + 1)
    assert index == len(original), "an original line was lost or reordered"
    return points


def _inside(original: list[str], point: int) -> bool:
    """Whether inserting before ``point`` would land inside a block of the original document."""
    if point > len(original):
        return False
    blocks = parse_markdown("\n".join(original)).blocks
    for block in blocks:
        if block.line < point <= block.end_line:
            return True
    before = original[point - 2] if point > 1 else ""
    here = original[point - 1]
    if before.lstrip().startswith(">") and here.lstrip().startswith(">"):
        return True
    kinds = {b.line: b for b in blocks}
    previous = [b for b in blocks if b.end_line < point]
    if point in kinds and previous:
        a, b = previous[-1], kinds[point]
        listy = ("list_item", "table_row")
        if (a.kind in listy or a.depth) and (b.kind in listy or b.depth):
            return True
    return False


def _assert_fixed_safely(document: Document, schema: LoadedSchema, where: str) -> None:
    """Fix ``document``: every original line kept in order, nothing put inside a block, no section twice."""
    result = fix_document(document, schema)
    if not result.changed:
        return
    fixed = decode(document.path, result.text.encode("utf-8"))
    for point in _insertion_points(document.lines, fixed.lines):
        assert not _inside(document.lines, point), f"{where}: inserted inside a block before line {point}"
    after = _outline(fixed, schema)
    for insertion in result.inserted:
        count = sum(insertion.section in s.ids for s in after.sections if s.explicit)
        assert count == 1, f"{where}: section {insertion.section} found {count} times after the fix"


def _files() -> list[Path]:
    files: list[Path] = []
    for root in (REALREPOS, CORPUS):
        if root.is_dir():
            files += sorted(p for p in root.rglob("*.md") if "labels" not in p.parts)
    return files


@pytest.mark.parametrize("schema_name", ["default", "google-sre"])
def test_fix_never_damages_a_real_document(schema_name):
    need_shared(CORPUS)
    schema = load_schema(schema_name)
    for path in _files():
        _assert_fixed_safely(decode(str(path), path.read_bytes()), schema, str(path))


def test_fix_does_not_insert_inside_a_quote_or_add_a_section_a_heading_names():
    schema = load_schema("default")
    text = ("# Outage\n\n## Summary\n\nThe API failed for an hour.\n\n"
            "## Timeline (all times PST) Monday May 10th, 2021. All times approximations\n\n- 10:00 alert\n\n"
            "> Vendor ticket:\n> Root Cause:\n> a bad disk\n")
    result = fix_document(decode("p.md", text.encode()), schema)
    inserted = {i.section for i in result.inserted}
    assert "timeline" not in inserted
    assert result.text.startswith(text.rstrip("\n"))  # everything went after the quote, not inside it
    assert "> Root Cause:\n> a bad disk\n" in result.text


def test_fix_never_damages_a_real_document_with_the_schema_init_learns(tmp_path):
    import json

    from postmortem_check.adopt.command import plan

    labels = need_shared(REALREPOS / "labels")
    for folder in sorted(p.stem for p in labels.glob("*.json")):
        learned = plan(str(REALREPOS / folder), hooks=False, github=False)
        schema_path = tmp_path / f"{folder}.json"
        schema_path.write_text(json.dumps(learned.schema), encoding="utf-8")
        schema = load_schema(str(schema_path))
        for candidate in learned.layout.postmortems:
            _assert_fixed_safely(candidate.document, schema, f"{folder}/{candidate.document.path}")


def test_fix_adds_nothing_after_an_unclosed_fence_at_the_end():
    schema = load_schema("default")
    text = "# Outage\n\n## Summary\n\nThe API failed for an hour.\n\n```\nlogs\n"
    result = fix_document(decode("p.md", text.encode()), schema)
    assert result.text == text and not result.inserted
    assert set(result.skipped) == {"timeline", "root_cause", "resolution", "corrective_actions"}


def test_fix_inserts_before_a_table_or_fence_never_between_its_rows():
    schema = load_schema("default")
    text = ("# Outage\n\n## Summary\n\nThe API failed for an hour.\n\n## Timeline\n\n| Time | Event |\n|---|---|\n"
            "| 10:00 | alert |\n\n## Root Cause\n\nA disk.\n\n## Resolution\n\nReplaced it.\n")
    result = fix_document(decode("p.md", text.encode()), schema)
    assert [i.section for i in result.inserted] == ["corrective_actions"]
    assert result.text.startswith(text)  # appended after the last section
