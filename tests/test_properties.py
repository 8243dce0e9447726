"""Properties that hold for any document: lint never raises, lines stay in the file, output is deterministic,
and every output format renders it safely."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem_check.config import Config
from postmortem_check.document import decode
from postmortem_check.lint import FileResult, lint_document, schema_for
from tests.robustness import (
    available_formats,
    check_rendered,
    cli_batch,
    document_bytes,
    document_text,
    line_count,
    render,
    render_summary,
    summary_available,
    time_limit,
)

CONFIG = Config()
SCHEMAS = ("default", "google-sre")
EXAMPLES = int(os.environ.get("POSTMORTEM_PROPERTY_EXAMPLES", "150"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lint_bytes(data: bytes, schema: str = "default", path: str = "doc.md") -> FileResult:
    config = Config(schema=schema)
    return lint_document(decode(path, data), schema_for(config), config)


def check_result(data: bytes, result: FileResult) -> None:
    """Every line a result names is a line of the file; every finding is well formed."""
    lines = line_count(data)
    for finding in result.findings:
        assert 1 <= finding.line <= lines, (finding, lines)
        assert finding.column >= 1, finding
        assert finding.severity in ("error", "warning"), finding
        assert finding.message and finding.rule, finding
    for item in result.action_items:
        assert 1 <= item.line <= lines, (item, lines)
    for section_id, section in result.sections.items():
        assert section["line"] is None or 0 <= section["line"] <= lines, (section_id, section, lines)


@PROPERTY
@given(data=document_bytes(), schema=st.sampled_from(SCHEMAS))
def test_lint_never_raises_and_lines_are_in_the_file(data: bytes, schema: str) -> None:
    with time_limit(60):
        result = lint_bytes(data, schema)
    check_result(data, result)


@PROPERTY
@given(text=document_text())
def test_readable_text_is_read_not_rejected(text: str) -> None:
    """UTF-8 text without NUL is always linted, never reported as unreadable."""
    data = text.replace("\x00", "").encode("utf-8")
    result = lint_bytes(data)
    assert "unreadable-file" not in {f.rule for f in result.findings}
    check_result(data, result)


@PROPERTY
@given(data=document_bytes())
def test_output_is_deterministic_and_every_format_renders(data: bytes, tmp_path_factory: pytest.TempPathFactory,
                                                          ) -> None:
    first, second = lint_bytes(data), lint_bytes(data)
    assert first == second
    for fmt in available_formats():
        output = render(fmt, [first])
        assert output == render(fmt, [second]), f"{fmt} output differs between two runs"
        check_rendered(fmt, output, [first])
    if summary_available():
        path = tmp_path_factory.mktemp("summary") / "summary.md"
        assert render_summary([first], path) == render_summary([second], path)


@PROPERTY
@given(data=document_bytes(), name=st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_hostile_file_names_render_safely(data: bytes, name: str) -> None:
    """A file name is document input too: control characters and newlines must not break any format."""
    result = lint_bytes(data, path=f"docs/{name}.md")
    for fmt in available_formats():
        check_rendered(fmt, render(fmt, [result]), [result])


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    from postmortem_check.report.text import printable

    assert printable("ok: é 中文 🔥\tx") == "ok: é 中文 🔥\\x09x"
    assert printable("\x1b[2J\r\n\x85\u2028\u202e\udcff") == "\\x1b[2J\\x0d\\x0a\\x85\\u2028\\u202e\\xff"
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) == "Cc":
            assert printable(char) != char


@settings(max_examples=3, deadline=None)
@given(documents=st.lists(document_bytes(), min_size=10, max_size=20))
def test_output_is_the_same_bytes_across_processes(documents: list[bytes], tmp_path_factory: pytest.TempPathFactory,
                                                   ) -> None:
    """Same input, same bytes, even when hash randomisation orders sets and dicts differently."""
    folder = tmp_path_factory.mktemp("docs")
    for index, data in enumerate(documents):
        (folder / f"doc{index:02d}.md").write_bytes(data)
    formats = available_formats()
    batch = [["lint", "--format", fmt, "."] for fmt in formats]
    first, second = (cli_batch(batch, cwd=folder, env={"PYTHONHASHSEED": seed}) for seed in ("1", "2"))
    for fmt, one, two in zip(formats, first, second, strict=True):
        assert one[0] == two[0], fmt
        assert one[0] in (0, 1), one[2]
        assert one[1] == two[1], fmt
        assert one[1], fmt
        assert "Traceback" not in one[2] + two[2]


def test_real_postmortems_keep_their_lines_under_every_line_ending(shared_documents: list[Path]) -> None:
    """The seeds and corpus, converted to CRLF and CR: same findings on the same lines as with LF."""
    for path in shared_documents:
        data = path.read_bytes().replace(b"\r\n", b"\n")
        expected = [(f.line, f.rule, f.message) for f in lint_bytes(data).findings]
        for ending in (b"\r\n", b"\r"):
            converted = data.replace(b"\n", ending)
            result = lint_bytes(converted)
            check_result(converted, result)
            assert [(f.line, f.rule, f.message) for f in result.findings] == expected, (path.name, ending)


@pytest.fixture
def shared_documents() -> list[Path]:
    from tests.conftest import CORPUS, SEEDS, need_shared

    found = sorted(need_shared(SEEDS).iterdir()) + sorted(p for p in need_shared(CORPUS).iterdir()
                                                           if p.suffix != ".tsv")
    return found
