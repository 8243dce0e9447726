"""Helpers for the robustness tests: hostile document strategies, a hang guard, and the CLI as a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from postmortem_check.document import split_lines
from postmortem_check.lint import FileResult
from postmortem_check.report import FORMATS, Totals, make_reporter

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------------------
# Bounded time: these fail only on a hang, never on a slow machine.


class Hang(AssertionError):
    """Raised when a guarded block runs past its (generous) limit."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the test if the block runs longer than ``seconds`` (SIGALRM; main thread on POSIX only)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def cli(args: list[str], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """Run ``postmortem-check ARGS`` as a real process (the console entry point) in ``cwd``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "INPUT_"))}
    full_env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", "from postmortem_check.cli import run; run()", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, encoding="utf-8", errors="backslashreplace",
        timeout=timeout, check=False,
    )


_BATCH = """
import io, json, sys
from postmortem_check.cli import main
runs = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        code = main(args)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    runs.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(runs))
"""


def cli_batch(runs: list[list[str]], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None,
              ) -> list[tuple[int, str, str]]:
    """``postmortem-check ARGS`` for each ARGS of ``runs``, one after the other in one real process (one
    interpreter start for many runs): each run's exit code, stdout and stderr."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "INPUT_"))}
    full_env = {**base, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run([sys.executable, "-c", _BATCH, json.dumps(runs)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return [(int(code), out, err) for code, out, err in json.loads(done.stdout)]


# ---------------------------------------------------------------------------------------------------------
# Rendering through every output format that exists on this branch.


def available_formats() -> list[str]:
    """The formats whose reporter module exists (others are written on other branches)."""
    found = []
    for name in FORMATS:
        try:
            make_reporter(name, io.StringIO())
        except ImportError:
            continue
        found.append(name)
    return found


def summary_available() -> bool:
    try:
        import postmortem_check.report.summary  # noqa: F401
    except ImportError:
        return False
    return True


def render(fmt: str, results: list[FileResult]) -> str:
    """What ``--format fmt`` prints for ``results``."""
    out = io.StringIO()
    reporter = make_reporter(fmt, out)
    totals = Totals()
    for result in results:
        totals.add(result)
        reporter.file(result)
    reporter.finish(totals)
    return out.getvalue()


def render_summary(results: list[FileResult], path: Path) -> str:
    """What ``--summary PATH`` appends, for the job summary (when that reporter exists)."""
    from postmortem_check.report.summary import SummaryReporter  # type: ignore[import-not-found,unused-ignore]

    if path.exists():
        path.unlink()
    reporter = SummaryReporter(path)
    totals = Totals()
    for result in results:
        totals.add(result)
        reporter.file(result)
    reporter.finish(totals)
    return path.read_text("utf-8") if path.exists() else ""


def line_count(data: bytes) -> int:
    """How many lines a person sees in the file (LF, CRLF or CR breaks; undecodable bytes count as text)."""
    return len(split_lines(data.decode("utf-8", "replace")))


# Control, separator, bidi and undecodable characters that must never reach a terminal raw.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ALLOWED_COMMANDS = ("::error", "::warning", "::notice", "::debug", "::group", "::endgroup")


def check_rendered(fmt: str, output: str, results: list[FileResult]) -> None:
    """Format-independent safety of the rendered output."""
    if fmt == "json":
        document = json.loads(output)
        assert [f["path"] for f in document["files"]] == [r.path for r in results]
        for rendered, result in zip(document["files"], results, strict=True):
            assert [f["message"] for f in rendered["findings"]] == [f.message for f in result.findings]
        assert "\x1b" not in output and "\r" not in output
    elif fmt == "sarif":
        json.loads(output)
    elif fmt == "text":
        lines = output.split("\n")
        assert lines[-1] == ""
        assert len(lines) - 2 == sum(len(r.findings) for r in results), "one line per finding"
        for line in lines:
            assert not _UNSAFE_TEXT.search(line), repr(line)
    elif fmt == "gitlab":
        assert output.isascii()
        assert len(json.loads(output)) == sum(len(r.findings) for r in results)
    elif fmt == "junit":
        import xml.etree.ElementTree as ET

        assert len(ET.fromstring(output.encode("utf-8")).findall("testsuite/testcase")) == len(results)
        assert not _UNSAFE_TEXT.search(output.replace("\n", "")), "control characters stay out of the XML"
    elif fmt == "github":
        for line in output.replace("\r\n", "\n").split("\n"):
            assert "\r" not in line, repr(line)
            if line.startswith("::"):
                assert line.startswith(_ALLOWED_COMMANDS), f"document text became a workflow command: {line!r}"


# ---------------------------------------------------------------------------------------------------------
# Generated documents: every heading style seen in real postmortems, every block kind, hostile characters.

SECTION_NAMES = [
    "Summary", "Issue Summary", "Executive Summary", "TL;DR", "What happened", "Sumary", "summery",
    "Impact", "Customer Impact", "Who was impacted?", "Timeline", "Timeline (all times UTC)", "Chronology",
    "Root Cause", "Root Causes", "Root Cause and Resolution", "Five Whys", "Contributing Factors",
    "Detection", "How was the incident detected?", "Resolution", "Mitigation", "How did we fix it?",
    "Action Items", "Corrective and Preventative Measures", "Next Steps", "Follow-ups",
    "Lessons Learned", "Lessons Learnt", "What went well", "Where we got lucky", "Date", "Owner", "Severity",
    "Appendix", "Notes", "",
]

HOSTILE = [
    "\x00", "\x08", "\x1b[31m", "\x1b]0;title\x07", "\t", "\f", "\v", "\x85", "\u2028", "\u2029", "\u202e",
    "\u200b", "\ufeff", "\U0001f525", "é", "e\u0301", "中文", "עברית", "::error::x", "::add-mask::secret",
    "%0A::warning::y", "%25", "<script>alert(1)</script>", "<!--", "-->", "<img src=x onerror=alert(1)>",
    "@everyone", "#1", "[x]", "[ ]", "[^1]", "[TBD]", "[date]", "[describe impact]", "TBD", "???", "\\-",
    "2024\\.", "13:00 AM", "10:00 UTC", "23:59", "00:01 (+1)", "2024-02-30", "`code`", "**", "__", "_",
    "*", "|", "&amp;", "&#0;", "&#x202e;", "{{", "}}", "${{ secrets.GITHUB_TOKEN }}", "$(id)", "'", '"',
    "\\", "\r", "\n",
]

_word = st.one_of(
    st.sampled_from(["the", "database", "outage", "we", "rolled", "back", "at", "owner:", "due", "2024-05-01",
                     "@alice", "users", "saw", "errors", "for", "30", "minutes", "fixed", "deploy"]),
    st.sampled_from(HOSTILE),
    st.text(min_size=1, max_size=8),
)
inline_text = st.lists(_word, min_size=0, max_size=12).map(" ".join)
heading_name = st.one_of(st.sampled_from(SECTION_NAMES), inline_text)


@st.composite
def heading(draw: st.DrawFn) -> str:
    """A section marker in one of the styles real postmortems use."""
    name = draw(heading_name)
    prefix = draw(st.sampled_from(["", "", "1. ", "2 ", "o\t", "•\t", "🔥 "]))
    suffix = draw(st.sampled_from(["", "", ":", "?", " (UTC)"]))
    text = f"{prefix}{name}{suffix}"
    style = draw(st.sampled_from(["atx", "atx_closed", "setext1", "setext2", "html", "html_div", "bold",
                                  "bold_under", "italic", "label", "bullet_bold", "empty"]))
    level = draw(st.integers(1, 7))
    return {
        "atx": f"{'#' * level} {text}",
        "atx_closed": f"{'#' * level} {text} {'#' * draw(st.integers(1, 3))}",
        "setext1": f"{text}\n{'=' * draw(st.integers(1, 12))}",
        "setext2": f"{text}\n{'-' * draw(st.integers(1, 12))}",
        "html": f"<h{min(level, 6)}>{text}</h{min(level, 6)}>",
        "html_div": f"<div align=\"center\"><h{min(level, 6)}><span>{text}</span></h{min(level, 6)}></div>",
        "bold": f"**{text}**",
        "bold_under": f"__{text}__",
        "italic": f"_{text}_",
        "label": f"{text}:" if draw(st.booleans()) else text,
        "bullet_bold": f"- **{text}** {draw(inline_text)}",
        "empty": "#" * level + " ",
    }[style]


@st.composite
def list_block(draw: st.DrawFn) -> str:
    items = draw(st.lists(inline_text, min_size=1, max_size=6))
    marker = draw(st.sampled_from(["- ", "* ", "+ ", "1. ", "1) ", "- [ ] ", "- [x] ", "•\t", "o\t"]))
    lines = []
    for item in items:
        indent = " " * draw(st.sampled_from([0, 0, 2, 4, 8]))
        extra = draw(st.sampled_from(["", "", " owner: @bob", " (due 2024-06-01)", " - **Owner:** x", " DONE"]))
        lines.append(f"{indent}{marker}{item}{extra}")
    return "\n".join(lines)


@st.composite
def table_block(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 5))
    header = draw(st.lists(st.one_of(st.sampled_from(["Time", "Date", "Event", "Owner", "Action", "Status", "Day"]),
                                     inline_text), min_size=columns, max_size=columns))
    rows = draw(st.lists(st.lists(inline_text, min_size=0, max_size=columns + 1), max_size=6))
    separator = "|" + "|".join(draw(st.sampled_from(["---", ":--", "--:", ":-:", "-"])) for _ in header) + "|"
    lines = ["| " + " | ".join(header) + " |"]
    if draw(st.integers(0, 9)):  # now and then a table with no separator row
        lines.append(separator)
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


@st.composite
def fence_block(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["```", "~~~", "````", "``"]))
    info = draw(st.sampled_from(["", "markdown", "md", "python", "text"]))
    body = draw(st.lists(st.one_of(inline_text, heading()), max_size=5))
    closed = draw(st.booleans())
    return "\n".join([marker + info, *body, *([marker] if closed else [])])


html_block = st.one_of(
    st.sampled_from([
        "<!-- a comment -->", "<!-- unclosed comment", "<details><summary>More</summary>\n\ntext\n</details>",
        "<script>document.write('x')</script>", "<style>h1 {color: red}</style>", "<br>", "<hr/>",
        "<table><tr><th>Time</th><th>Event</th></tr><tr><td>10:00</td><td>alert</td></tr></table>",
        "<html><head><title>x</title></head><body><h1>Summary</h1><p>text</p></body></html>",
        "<ul><li>one</li><li>two<ul><li>three</li></ul></li></ul>", "<p>", "</div>", "<h2", "<<>>", "<![CDATA[x]]>",
        "<?php echo 1; ?>", "<!DOCTYPE html>",
    ]),
    inline_text.map(lambda t: f"<p>{t}</p>"),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from([
        "title: Outage\ndate: 2024-05-01\nseverity: SEV2\nauthors: [alice, bob]",
        "title: [unclosed", "just a string", "- a list\n- of items", "", "a: &x 1\nb: *x",
        "a: !!python/object/apply:os.system ['true']", "? complex\n: key", "date: 2024-13-45",
        "nested: {a: {b: {c: [1, 2, {d: e}]}}}", "tabs:\t\tbad", "key: value\nkey: duplicate",
    ]))
    closing = draw(st.sampled_from(["---", "...", "---", ""]))
    return f"---\n{body}\n{closing}"


block = st.one_of(
    heading(), heading(), inline_text, inline_text, list_block(), table_block(), fence_block(), html_block,
    inline_text.map(lambda t: "> " + t), inline_text.map(lambda t: "    " + t),  # quote, indented code
    st.sampled_from(["---", "***", "", "", "[1]: https://example.com", "[^1]: a footnote"]),
    st.lists(st.sampled_from(HOSTILE), max_size=6).map("".join),
    st.text(max_size=40),
)


@st.composite
def document_text(draw: st.DrawFn) -> str:
    """A document as text: optional front matter, a mix of blocks, any line endings, maybe no final newline."""
    parts = []
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(front_matter()))
    parts += draw(st.lists(block, max_size=25))
    separators = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n", "\n\n\n"]), min_size=len(parts),
                               max_size=len(parts)))
    text = "".join(part + sep for part, sep in zip(parts, separators, strict=True))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "mixed"]))
    if ending == "mixed":
        lines = text.split("\n")
        text = "".join(line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in lines)
    elif ending != "\n":
        text = text.replace("\n", ending)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@st.composite
def document_bytes(draw: st.DrawFn) -> bytes:
    """A document as a file's bytes: usually UTF-8, sometimes with a BOM, a foreign encoding or damage."""
    text = draw(document_text())
    kind = draw(st.sampled_from(["utf8"] * 6 + ["bom", "utf16", "latin1", "damaged"]))
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if kind == "utf16":
        return text.encode("utf-16", "surrogatepass")
    if kind == "latin1":
        return text.encode("latin-1", "replace")
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    if kind == "damaged" and data:
        for _ in range(draw(st.integers(1, 4))):
            position = draw(st.integers(0, len(data)))
            data[position:position] = draw(st.binary(min_size=1, max_size=4))
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)
