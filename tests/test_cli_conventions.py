"""Linter conventions through the real command line: standard input, --exclude and globs, --quiet,
--statistics, --output-format, colour on a terminal (NO_COLOR, FORCE_COLOR) and the progress line.

The terminal rows run the command in a subprocess on a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from postmortem_check.cli import main
from tests.conftest import ROOT

CLEAN = (ROOT / "examples" / "2026-03-04-checkout-latency.md").read_text()
BROKEN = "# Outage\n\n## Summary\n\nThe database ran out of disk.\n"
ESC = "\x1b["
_QUIET_ENV = ("CI", "GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "TERM")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _QUIET_ENV}
    base["TERM"] = "xterm"
    base["PYTHONPATH"] = str(ROOT)
    return {**base, **extra}


# --- standard input -------------------------------------------------------------------------------------

def test_dash_reads_standard_input(monkeypatch, capsys):
    feed(monkeypatch, BROKEN)
    code, out, _ = run(["lint", "-"], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("-:")
    assert out.splitlines()[-1].startswith("1 file checked:")


def test_stdin_filename_names_the_document_in_messages(monkeypatch, capsys):
    feed(monkeypatch, BROKEN)
    code, out, _ = run(["lint", "-", "--stdin-filename", "postmortems/db.md", "--format", "json"], capsys)
    assert code == 1
    document = json.loads(out)
    assert [f["path"] for f in document["files"]] == ["postmortems/db.md"]
    assert all(finding["rule"] for finding in document["files"][0]["findings"])


def test_stdin_filename_follows_exclude_and_include(monkeypatch, capsys):
    feed(monkeypatch, BROKEN)
    code, out, _ = run(["lint", "-", "--stdin-filename", "archive/db.md", "--exclude", "archive"], capsys)
    assert (code, out) == (0, "0 files checked: 0 errors, 0 warnings\n")
    feed(monkeypatch, BROKEN)
    code, out, _ = run(["lint", "-", "--stdin-filename", "notes.txt"], capsys)  # include: *.md, *.markdown
    assert (code, out) == (0, "0 files checked: 0 errors, 0 warnings\n")
    feed(monkeypatch, BROKEN)
    code, _, _ = run(["lint", "-", "--stdin-filename", "live/db.md", "--exclude", "archive"], capsys)
    assert code == 1


def test_stdin_that_is_clean_exits_zero(monkeypatch, capsys):
    feed(monkeypatch, CLEAN)
    code, out, _ = run(["lint", "-", "--stdin-filename", "checkout.md"], capsys)
    assert code == 0 and out == "1 file checked: 0 errors, 0 warnings\n"


def test_stdin_above_the_size_limit_is_one_finding(monkeypatch, tmp_path, capsys):
    (tmp_path / ".postmortem-check.yaml").write_text("max_file_size: 100\n")
    monkeypatch.chdir(tmp_path)
    feed(monkeypatch, CLEAN)
    code, out, _ = run(["lint", "-"], capsys)
    assert code == 1 and " error file-too-large " in out.splitlines()[0]
    assert f"file is {len(CLEAN.encode())} bytes, above the limit of 100" in out  # the rest counted, not kept


@pytest.mark.parametrize("args", [["-", "other.md"], ["-", "--fix"], ["pm.md", "--stdin-filename", "x.md"]])
def test_stdin_misuse_is_a_usage_error(monkeypatch, capsys, args):
    feed(monkeypatch, BROKEN)
    code, _, err = run(["lint", *args], capsys)
    assert code == 2 and "error:" in err


# --- --exclude and globs --------------------------------------------------------------------------------

def _tree(root: Path) -> None:
    for name in ("pm/2026/a.md", "pm/2026/old/b.md", "pm/c.md", "pm/README.md", "drafts/d.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(BROKEN)


def _linted(out: str) -> list[str]:
    return sorted({line.split(":")[0] for line in out.splitlines() if ": error " in line})


def test_exclude_is_repeatable(monkeypatch, tmp_path, capsys):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["lint", ".", "--exclude", "old", "--exclude", "drafts/"], capsys)
    assert code == 1
    assert _linted(out) == ["./pm/2026/a.md", "./pm/c.md"]
    _, out, _ = run(["lint", "."], capsys)
    assert len(_linted(out)) == 4  # README left out by default


def test_glob_arguments_use_the_discovery_matcher(monkeypatch, tmp_path, capsys):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["lint", "pm/**/*.md"], capsys)
    assert code == 1
    assert _linted(out) == ["pm/2026/a.md", "pm/2026/old/b.md", "pm/c.md"]
    _, out, _ = run(["lint", "pm/*/*.md", "--exclude", "old"], capsys)
    assert _linted(out) == ["pm/2026/a.md"]


def test_a_glob_matching_nothing_is_a_warning(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["lint", "nowhere/**/*.md"], capsys)
    assert code == 0 and "warning: paths pattern 'nowhere/**/*.md' matches no file" in err
    assert out == "0 files checked: 0 errors, 0 warnings\n"


# --- --quiet, --statistics, --output-format ---------------------------------------------------------------

def test_quiet_prints_findings_only(tmp_path, capsys):
    (tmp_path / "bad.md").write_text(BROKEN)
    (tmp_path / "good.md").write_text(CLEAN)
    code, out, _ = run(["lint", "-q", str(tmp_path / "bad.md")], capsys)
    assert code == 1 and out and all(": error " in line or ": warning " in line for line in out.splitlines())
    code, out, _ = run(["lint", "--quiet", str(tmp_path / "good.md")], capsys)
    assert (code, out) == (0, "")


def test_statistics_counts_findings_per_rule(tmp_path, capsys):
    (tmp_path / "a.md").write_text(BROKEN)
    (tmp_path / "b.md").write_text(BROKEN + "\n## Timeline\n\n")
    code, out, _ = run(["lint", "--statistics", "-q", str(tmp_path)], capsys)
    assert code == 1
    findings = [line.split()[2] for line in out.splitlines() if ": " in line]
    stats = [line.split() for line in out.splitlines() if ": " not in line]
    by_rule = {fields[2]: int(fields[0]) for fields in stats}
    assert by_rule == {rule: findings.count(rule) for rule in set(findings)}
    assert by_rule["empty-section"] == 1 and by_rule["missing-section"] > 1  # b.md's Timeline is empty
    assert [int(fields[0]) for fields in stats] == sorted(by_rule.values(), reverse=True)
    assert all(fields[1] in ("error", "warning") for fields in stats)


def test_statistics_needs_the_text_format(tmp_path, capsys):
    (tmp_path / "a.md").write_text(BROKEN)
    code, out, err = run(["lint", "--statistics", "--format", "json", str(tmp_path)], capsys)
    assert code == 2 and out == "" and "--statistics" in err


def test_output_format_is_an_alias_of_format(tmp_path, capsys):
    (tmp_path / "a.md").write_text(BROKEN)
    _, by_format, _ = run(["lint", "--format", "json", str(tmp_path)], capsys)
    code, by_alias, _ = run(["lint", "--output-format", "json", str(tmp_path)], capsys)
    assert code == 1 and by_alias == by_format and json.loads(by_alias)["summary"]["errors"] > 0


# --- a terminal: colour and progress --------------------------------------------------------------------

def _on_terminal(args: list[str], environment: dict[str, str], stream: str) -> tuple[str, str]:
    """Run the command with ``stream`` ("stdout" or "stderr") on a pseudo-terminal; (terminal, other) text."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: slave}
    with subprocess.Popen([sys.executable, "-m", "postmortem_check", *args], stdin=subprocess.DEVNULL,
                          env=environment, **pipes) as proc:
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        other = (proc.stderr if stream == "stdout" else proc.stdout)
        assert other is not None
        rest = other.read()
        proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace"), rest.decode("utf-8", "replace")


def _piped(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "postmortem_check", *args], capture_output=True, text=True,
                          env=environment, stdin=subprocess.DEVNULL, check=False, timeout=120)


@pytest.fixture
def broken(tmp_path: Path) -> str:
    (tmp_path / "a.md").write_text(BROKEN)
    return str(tmp_path / "a.md")


def test_colour_on_a_terminal(broken):
    terminal, _ = _on_terminal(["lint", broken], env(), "stdout")
    assert ESC + "31merror" in terminal and "missing-section" in terminal


def test_no_color_turns_colour_off_on_a_terminal(broken):
    terminal, _ = _on_terminal(["lint", broken], env(NO_COLOR="1"), "stdout")
    assert "missing-section" in terminal and ESC not in terminal
    terminal, _ = _on_terminal(["lint", broken], env(NO_COLOR="1", FORCE_COLOR="1"), "stdout")
    assert ESC not in terminal


def test_no_colour_when_piped_unless_forced(broken):
    piped = _piped(["lint", broken], env())
    assert piped.returncode == 1 and "missing-section" in piped.stdout and ESC not in piped.stdout
    forced = _piped(["lint", broken], env(FORCE_COLOR="1"))
    assert ESC + "31merror" in forced.stdout
    json_forced = _piped(["lint", broken, "--format", "json"], env(FORCE_COLOR="1"))
    assert ESC not in json_forced.stdout and json.loads(json_forced.stdout)


def test_a_document_cannot_send_escape_sequences_in_colour(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# T\n\n## Summary\n\nTODO \x1b[2J fill in\n")
    forced = _piped(["lint", str(path)], env(FORCE_COLOR="1"))
    assert "\x1b[2J" not in forced.stdout


@pytest.fixture
def many(tmp_path: Path) -> str:
    for index in range(25):
        (tmp_path / f"pm{index:02}.md").write_text(CLEAN)
    return str(tmp_path)


def test_progress_line_on_a_terminal(many):
    terminal, out = _on_terminal(["lint", "--jobs", "1", many], env(), "stderr")
    assert "\rpostmortem-check: 25 files checked" in terminal.replace("\x1b[K", "")
    assert terminal.endswith("\r\x1b[K")  # cleared at the end
    assert out == "25 files checked: 0 errors, 0 warnings\n"


@pytest.mark.parametrize("ci", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}])
def test_no_progress_in_ci_logs(many, ci):
    terminal, _ = _on_terminal(["lint", "--jobs", "1", "--format", "text", many], env(**ci), "stderr")
    assert "files checked" not in terminal


def test_no_progress_when_stderr_is_piped(many):
    piped = _piped(["lint", "--jobs", "1", many], env())
    assert piped.returncode == 0 and piped.stderr == ""


def test_no_progress_on_a_short_run(broken):
    terminal, _ = _on_terminal(["lint", broken], env(), "stderr")
    assert terminal == ""
