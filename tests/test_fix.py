"""``lint --fix``: missing required sections are inserted in the document's style; nothing else changes."""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from postmortem_check.cli import main
from postmortem_check.config import Config
from postmortem_check.document import split_lines
from postmortem_check.lint import lint_text
from postmortem_check.schema import load_schema
from tests.conftest import CORPUS, SEEDS, need_shared

SCHEMAS = ("default", "google-sre")


def _lines(data: bytes) -> list[str]:
    return split_lines(data.decode("utf-8-sig"))


def _kept_in_order(original: list[str], fixed: list[str]) -> bool:
    """Every original line is in the fixed text, in the same order (only lines were added)."""
    remaining = iter(fixed)
    return all(any(line == candidate for candidate in remaining) for line in original)


def _fix(path: Path, capsys: pytest.CaptureFixture[str], schema: str = "default") -> tuple[int, dict, str]:
    code = main(["lint", "--fix", "--format", "json", "--schema", schema, str(path)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)["files"][0], captured.err


def _inserted(stderr: str) -> list[tuple[int, str]]:
    """(line, heading) of each insertion the fix reported."""
    return [(int(m.group(1)), m.group(2)) for m in re.finditer(r"fixed .*?:(\d+): inserted '(.*)'", stderr)]


def _section_ranks(text: str, schema: str) -> list[int]:
    """Schema positions of the explicitly marked sections, in document order."""
    order = load_schema(schema).section_order
    result = lint_text(text, Config(schema=schema))
    explicit = sorted((s["line"], order.index(i)) for i, s in result.sections.items()
                      if s["style"] in ("heading", "emphasis", "label"))
    return [rank for _, rank in explicit]


# --- seeds ----------------------------------------------------------------------------------------


def _seed_paths() -> list[Path]:
    return sorted(need_shared(SEEDS).iterdir())


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_fix_on_seed_keeps_every_line_and_is_idempotent(prefix, schema, tmp_path, capsys):
    source = next(p for p in _seed_paths() if p.name.startswith(prefix))
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    original = source.read_bytes()
    findings = _lint_json(path, schema, capsys)["findings"]
    before = {f["section"] for f in findings if f["rule"] == "missing-section"}

    _, result, stderr = _fix(path, capsys, schema)
    fixed = path.read_bytes()
    assert _kept_in_order(_lines(original), _lines(fixed))
    assert not [f for f in result["findings"] if f["rule"] == "missing-section"]
    assert len(_inserted(stderr)) == len(before)
    for line, heading in _inserted(stderr):  # reported lines point at the inserted headings
        assert _lines(fixed)[line - 1] == heading
    for section in before:  # each inserted section is reported empty, so the writer fills it in
        assert any(f["rule"] == "empty-section" and f["section"] == section for f in result["findings"])

    _, again, stderr = _fix(path, capsys, schema)
    assert path.read_bytes() == fixed
    assert "fixed" not in stderr
    assert again == result


def _lint_json(path: Path, schema: str, capsys: pytest.CaptureFixture[str]) -> dict:
    main(["lint", "--format", "json", "--schema", schema, str(path)])
    return json.loads(capsys.readouterr().out)["files"][0]


def test_seed_004_gets_timeline_and_resolution_label_lines_in_order(tmp_path, capsys):
    source = next(p for p in _seed_paths() if p.name.startswith("004"))
    path = tmp_path / "004.txt"
    shutil.copyfile(source, path)
    _, result, stderr = _fix(path, capsys)
    lines = _lines(path.read_bytes())
    assert [heading for _, heading in _inserted(stderr)] == ["Timeline:", "Resolution:"]
    timeline = lines.index("Timeline:")
    assert lines.index("Impacts:") < timeline < lines.index("Root Cause:")
    assert lines.index("Root Cause:") < lines.index("Resolution:") < lines.index("Corrective Measures:")
    assert lines[timeline + 2].startswith("<!-- TODO: ")
    assert result["sections"]["timeline"]["line"] == timeline + 1


def test_seed_000_gets_bold_heading_before_the_actions(tmp_path, capsys):
    source = next(p for p in _seed_paths() if p.name.startswith("000"))
    path = tmp_path / "000.txt"
    shutil.copyfile(source, path)
    _fix(path, capsys)
    lines = _lines(path.read_bytes())
    resolution = lines.index("**Resolution:**")
    assert lines.index("**Root Cause Analysis:**") < resolution < lines.index("**Actions Taken:**")


def test_out_of_order_document_gets_sections_next_to_their_neighbours(tmp_path, capsys):
    """Seed 002 puts its timeline early, the Google SRE template last: Detection still goes after the
    root cause and before the measures, and Lessons Learned after the measures."""
    source = next(p for p in _seed_paths() if p.name.startswith("002"))
    path = tmp_path / "002.txt"
    shutil.copyfile(source, path)
    _fix(path, capsys, "google-sre")
    lines = _lines(path.read_bytes())
    detection, lessons = lines.index("Detection:"), lines.index("Lessons Learned:")
    measures = lines.index("Corrective and Preventative Measures:")
    assert lines.index("Root Cause and Resolution:") < detection < measures
    assert lessons > lines.index("Tasks:")


# --- fixtures in every heading style --------------------------------------------------------------

STYLES = {
    "atx3": lambda title: [f"### {title}"],
    "atx2-colon": lambda title: [f"## {title}:"],
    "setext": lambda title: [title, "-" * max(3, len(title))],
    "setext1": lambda title: [title, "=" * max(3, len(title))],
    "bold": lambda title: [f"**{title}:**"],
    "bold-outside": lambda title: [f"**{title}**:"],
    "label": lambda title: [f"{title}:"],
    "html": lambda title: [f"<h2>{title}</h2>"],
}
BODY = {
    "summary": "The checkout service returned errors for 40 minutes after a deploy.",
    "timeline": "- 10:02 UTC alert fired\n- 10:40 UTC rollback finished",
    "root_cause": "A connection pool limit was set to one in the new configuration.",
    "resolution": "The deploy was rolled back and the pool limit restored.",
    "corrective_actions": "- [ ] Validate pool limits in CI @alice\n- [ ] Alert on pool exhaustion @bob",
}
DEFAULT_TITLES = {spec.id: spec.title for spec in load_schema("default").vocabulary.sections.values()}


def _document(style: str, sections: list[str], newline: str = "\n") -> str:
    lines = ["# Checkout errors after a deploy", ""]
    for section in sections:
        lines += [*STYLES[style](DEFAULT_TITLES[section]), "", *BODY[section].split("\n"), ""]
    return newline.join(lines)


FULL = ["summary", "timeline", "root_cause", "resolution", "corrective_actions"]
REMOVALS = [["summary"], ["timeline"], ["corrective_actions"], ["timeline", "resolution"],
            ["summary", "root_cause", "corrective_actions"], ["timeline", "root_cause", "resolution"]]


@pytest.mark.parametrize("removed", REMOVALS, ids=["+".join(r) for r in REMOVALS])
@pytest.mark.parametrize("style", list(STYLES))
def test_fix_inserts_in_the_document_style_and_order(style, removed, tmp_path, capsys):
    kept = [s for s in FULL if s not in removed]
    original = _document(style, kept)
    path = tmp_path / "postmortem.md"
    path.write_text(original, encoding="utf-8")

    _, result, stderr = _fix(path, capsys)
    fixed = path.read_text(encoding="utf-8")
    lines = split_lines(fixed)
    assert _kept_in_order(split_lines(original), lines)
    assert not [f for f in result["findings"] if f["rule"] == "missing-section"]
    for section in removed:  # in the document's style, heading and (for setext) underline
        expected = STYLES[style](DEFAULT_TITLES[section])
        start = lines.index(expected[0])
        assert lines[start:start + len(expected)] == expected
    order = load_schema("default").section_order
    assert _section_ranks(fixed, "default") == [order.index(s) for s in FULL]  # all there, in schema order
    assert len(_inserted(stderr)) == len(removed)

    _fix(path, capsys)
    assert path.read_text(encoding="utf-8") == fixed


def test_crlf_file_stays_crlf_and_keeps_its_bom(tmp_path, capsys):
    path = tmp_path / "crlf.md"
    text = _document("atx3", ["summary", "root_cause", "corrective_actions"], "\r\n")
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    _fix(path, capsys)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and not data[3:].startswith(codecs.BOM_UTF8)
    assert b"### Timeline\r\n" in data and b"### Resolution\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")  # no bare LF anywhere
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert _kept_in_order(_lines(codecs.BOM_UTF8 + text.encode()), _lines(data))


def test_file_without_final_newline_keeps_its_last_line(tmp_path, capsys):
    path = tmp_path / "tail.md"
    path.write_text("# Outage\n\n## Summary\n\nThe API was down for an hour.\n\n## Timeline\n\n"
                    "- 10:00 UTC down\n\n## Root Cause\n\nA bad certificate.\n\n## Resolution\n\n"
                    "Renewed it, no final newline", encoding="utf-8")
    _, _, stderr = _fix(path, capsys)
    lines = split_lines(path.read_text(encoding="utf-8"))
    heading = "## Corrective and Preventative Measures"
    assert "Renewed it, no final newline" in lines
    assert lines.index("Renewed it, no final newline") < lines.index(heading)
    assert _inserted(stderr) == [(lines.index(heading) + 1, heading)]


def test_document_without_any_section_heading_gets_atx_sections_after_front_matter(tmp_path, capsys):
    path = tmp_path / "prose.md"
    original = "---\ntitle: Outage\ndate: 2026-01-05\n---\n\nThe API was down for an hour on Monday.\n"
    path.write_text(original, encoding="utf-8")
    _, result, _ = _fix(path, capsys)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "## Timeline\n" in text and "## Root Cause\n" in text
    assert result["front_matter"] == {"title": "Outage", "date": "2026-01-05"}


def test_write_is_atomic_and_keeps_the_file_mode(tmp_path, capsys):
    path = tmp_path / "mode.md"
    path.write_text(_document("atx3", ["summary"]), encoding="utf-8")
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    _fix(path, capsys)
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mode.md"]  # no temporary file left


def test_fix_follows_a_symlink_and_keeps_it(tmp_path, capsys):
    target = tmp_path / "real.md"
    target.write_text(_document("atx3", ["summary"]), encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    _fix(link, capsys)
    assert link.is_symlink()
    assert "### Timeline" in target.read_text(encoding="utf-8")


def test_unreadable_file_is_left_alone(tmp_path, capsys):
    path = tmp_path / "latin1.md"
    data = "# Panne\n\n## Résumé\n\nLe service était arrêté.\n".encode("latin-1")
    path.write_bytes(data)
    code = main(["lint", "--fix", str(path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "unreadable-file" in captured.out
    assert "fixed" not in captured.err
    assert path.read_bytes() == data


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory_is_a_clear_error(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "p.md"
    path.write_text(_document("atx3", ["summary"]), encoding="utf-8")
    before = path.read_bytes()
    os.chmod(folder, 0o555)
    try:
        code = main(["lint", "--fix", str(path)])
    finally:
        os.chmod(folder, 0o755)
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot be fixed" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_fix_does_nothing_when_missing_section_is_turned_off(tmp_path, capsys, monkeypatch):
    (tmp_path / ".postmortem-check.yaml").write_text("rules:\n  missing-section: 'off'\n", encoding="utf-8")
    path = tmp_path / "p.md"
    original = _document("atx3", ["summary"])
    path.write_text(original, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["lint", "--fix", str(path)])
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize("schema", SCHEMAS)
def test_fix_on_the_corpus_keeps_lines_and_is_idempotent(schema, tmp_path, capsys):
    corpus = need_shared(CORPUS)
    for source in sorted(corpus.glob("*.md")):
        shutil.copyfile(source, tmp_path / source.name)
    main(["lint", "--fix", "--schema", schema, str(tmp_path)])
    skipped = set(re.findall(r"([^/\s]+\.md): could not insert a heading for section '(\w+)'", capsys.readouterr().err))
    fixed = {p.name: p.read_bytes() for p in tmp_path.glob("*.md")}
    for name, data in fixed.items():
        assert _kept_in_order(_lines((corpus / name).read_bytes()), _lines(data)), name
    main(["lint", "--fix", "--format", "json", "--schema", schema, str(tmp_path)])
    captured = capsys.readouterr()
    assert "fixed" not in captured.err
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.md")} == fixed
    left = {(Path(file["path"]).name, f["section"]) for file in json.loads(captured.out)["files"]
            for f in file["findings"] if f["rule"] == "missing-section"}
    assert left <= skipped  # only those a heading already names, or that could not go anywhere safe


def test_missing_section_is_reported_where_fix_inserts_it_even_out_of_order(tmp_path, capsys):
    """A document whose sections are not in schema order: lint points where --fix puts the heading."""
    from postmortem_check.cli import main

    text = ("# Outage\n\n## Summary\n\nThe API failed.\n\n## Action Items\n\n- Add a canary.\n\n"
            "## Timeline\n\n- 10:00 Alert.\n\n## Root Cause\n\nA bad deploy.\n")
    path = tmp_path / "pm.md"
    path.write_text(text)
    assert main(["lint", "--format", "json", str(path)]) == 1
    (finding,) = [f for f in json.loads(capsys.readouterr().out)["files"][0]["findings"]
                  if f["rule"] == "missing-section"]
    main(["lint", "--fix", str(path)])
    inserted = re.search(rf"fixed {re.escape(str(path))}:(\d+): inserted '## Resolution'", capsys.readouterr().err)
    assert inserted, "the fix reports its insertion"
    assert finding["line"] == 17 and int(inserted.group(1)) >= finding["line"]
    assert path.read_text().split("\n")[int(inserted.group(1)) - 1] == "## Resolution"
