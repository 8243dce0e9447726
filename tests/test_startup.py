"""Start-up: ``--version`` and ``--help`` import nothing of the pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.robustness import ROOT

PROBE = """
import json, sys
from postmortem_check.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(("postmortem_check", "jsonschema",
                                                                        "mistune", "yaml", "github", "html.")))]))
"""
LIGHT = {"postmortem_check", "postmortem_check.cli", "postmortem_check.console", "postmortem_check.errors",
         "postmortem_check.kinds"}  # the enum base the error model uses


def _modules(*args: str, cwd: Path = ROOT) -> tuple[int, set[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    code, modules = json.loads(run.stdout.splitlines()[-1])
    return code, set(modules)


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_version_and_help_import_no_pipeline_module(args: list[str]) -> None:
    code, modules = _modules(*args)
    assert code == (2 if not args else 0)
    assert modules <= LIGHT, modules - LIGHT


VERSION_PROBE = """
import sys
from postmortem_check.__main__ import run
try:
    run()
except SystemExit as stop:
    code = stop.code
import json
names = sorted(m for m in sys.modules if m.startswith("postmortem_check") or m == "argparse")
sys.stderr.write(json.dumps([code, names]))
"""


def test_the_console_script_answers_version_before_importing_the_command_line() -> None:
    """``postmortem-check --version`` prints argparse's own version line, without importing argparse or
    ``cli``; any other command line goes to ``cli``."""
    from postmortem_check import __version__

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    fast = subprocess.run([sys.executable, "-c", VERSION_PROBE, "--version"], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(fast.stderr) == [0, ["postmortem_check", "postmortem_check.__main__"]]
    parsed = subprocess.run([sys.executable, "-c", "from postmortem_check.cli import run; run()", "--version"],
                            env=env, capture_output=True, text=True, timeout=120, check=True)
    assert fast.stdout == parsed.stdout == f"postmortem-check {__version__}\n"
    other = subprocess.run([sys.executable, "-c", VERSION_PROBE, "--help"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 0 and other.stdout.startswith("usage: postmortem-check")  # argparse answered


def test_a_command_imports_what_it_needs() -> None:
    """The probe above can fail: ``rules`` loads the schema and reads its rules."""
    code, modules = _modules("rules")
    assert code == 0
    assert {"postmortem_check.schema", "postmortem_check.authoring"} <= modules


@pytest.mark.parametrize("name", ["default", "google-sre"])
def test_builtin_implied_patterns_compile(name: str) -> None:
    """load_schema compiles a packaged schema's x-implied-* patterns only when a document lacks their
    section (a team schema's are compiled when it loads); this test compiles each of them."""
    import re

    from postmortem_check.schema import load_schema
    from postmortem_check.vocabulary import IMPLIED_FLAGS, implied_patterns

    specs = load_schema(name).vocabulary.sections.values()
    lists = [p for spec in specs for p in (spec.implied_by, spec.implied_in_timeline, spec.implied_in_quotes) if p]
    assert lists
    for patterns in lists:
        for pattern in patterns:
            re.compile(pattern, IMPLIED_FLAGS)
        assert implied_patterns(patterns)


def test_implied_patterns_are_joined_unless_that_changes_their_meaning() -> None:
    from postmortem_check.vocabulary import implied_patterns

    joined = implied_patterns(("root cause", "caused by"))
    assert len(joined) == 1 and joined[0].search("It was CAUSED BY a bad deploy")
    assert len(implied_patterns((r"(a)\1", "b"))) == 2  # a reference to a group by number
    assert len(implied_patterns(("(?x) a b", "c"))) == 2  # flags that must stay at the start
    assert implied_patterns(("only",))[0].pattern == "only"


PLAIN = "# Outage\n\n## Summary\n\nThe API was down.\n"


@pytest.mark.parametrize(("text", "yaml", "html"), [
    (PLAIN, False, False),
    ("---\ntitle: Outage\n---\n" + PLAIN, True, False),
    (PLAIN + "\n<h2>Timeline</h2>\n", False, True),
])
def test_a_lint_imports_yaml_and_html_parser_only_for_a_document_that_has_them(
        tmp_path: Path, text: str, yaml: bool, html: bool) -> None:
    (tmp_path / "postmortem.md").write_text(text, encoding="utf-8")
    code, modules = _modules("lint", "--no-cache", "postmortem.md", cwd=tmp_path)
    assert code == 1  # sections are missing: the document was linted
    assert ("yaml" in modules) is yaml
    assert ("html.parser" in modules) is html
    assert "mistune" in modules and "jsonschema" not in modules  # its errors are found without jsonschema


DATACLASS_PROBE = """
import dataclasses, io, json, sys
from contextlib import redirect_stdout
from postmortem_check.cli import main
with redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
print(json.dumps(sorted(f"{name}.{value.__name__}" for name, module in list(sys.modules.items())
                        if name.startswith("postmortem_check") for value in vars(module).values()
                        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name)))
"""


def test_a_lint_defines_no_dataclass(tmp_path: Path) -> None:
    """Defining a dataclass runs code it generates: about 1 ms each, a sixth of a one-file lint for the
    twenty records a lint uses. Its records are named tuples and small classes with ``__slots__``."""
    (tmp_path / "postmortem.md").write_text("---\ntitle: Outage\n---\n" + PLAIN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", DATACLASS_PROBE, "lint", "--no-cache", "postmortem.md"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(run.stdout.splitlines()[-1]) == []


GC_PROBE = """
import gc, json, sys
from postmortem_check import cli

states = []
after_file = cli._after_file


def spy(reporters):
    after = after_file(reporters)

    def wrapped():
        states.append(gc.isenabled())
        after()
        states.append(gc.isenabled())
    return wrapped


cli._after_file = spy
if sys.argv[1] == "paused":
    cli._pause_collection()  # as the console entry point does
else:
    gc.disable()  # a program that calls main() with its own setting
code = cli.main(sys.argv[2:])
print(json.dumps([code, states, gc.isenabled(), gc.get_freeze_count() > 0]))
"""


def _gc_states(tmp_path: Path, *args: str) -> list[object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", GC_PROBE, *args], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    result: list[object] = json.loads(run.stdout.splitlines()[-1])
    return result


def test_the_collector_is_paused_for_start_up_until_the_first_file_is_linted(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(PLAIN, encoding="utf-8")
    code, states, enabled, frozen = _gc_states(tmp_path, "paused", "lint", "--no-cache", "a.md", "b.md")
    assert code == 1
    assert states == [False, True, True, True]  # paused through the first file, collecting from then on
    assert enabled and frozen  # what start-up built is frozen, never scanned again


def test_other_commands_collect_as_usual_and_main_leaves_the_collector_alone(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(PLAIN, encoding="utf-8")
    assert _gc_states(tmp_path, "paused", "rules")[2:] == [True, True]
    assert _gc_states(tmp_path, "own", "lint", "--no-cache", "a.md")[1:] == [[False, False], False, False]


def test_implied_patterns_are_compiled_only_when_a_document_lacks_their_section() -> None:
    from postmortem_check.authoring import skeleton
    from postmortem_check.lint import lint_text
    from postmortem_check.schema import load_schema
    from postmortem_check.vocabulary import implied_patterns

    complete = skeleton(load_schema("default"), "Outage", "2026-01-02")  # every section, as headings
    implied_patterns.cache_clear()
    lint_text(complete)
    assert implied_patterns.cache_info().currsize == 0
    lint_text(PLAIN)  # no root cause heading: the wording that implies one is searched for
    assert implied_patterns.cache_info().currsize > 0


FORK_PROBE = """
import gc, json, os
from postmortem_check import cli

cli._pause_collection()
pid = os.fork()
if pid == 0:
    os._exit(0 if gc.isenabled() else 1)
_, status = os.waitpid(pid, 0)
print(json.dumps([gc.isenabled(), os.waitstatus_to_exitcode(status)]))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_worker_forked_during_the_start_up_pause_collects_as_usual() -> None:
    """A run without the cache starts its workers before its first file is done."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", FORK_PROBE], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    assert json.loads(run.stdout.splitlines()[-1]) == [False, 0]  # still paused here, collecting there


EXIT_PROBE = """
import atexit, sys, threading, time
from pathlib import Path
from postmortem_check import cli

atexit.register(lambda: Path("atexit-ran").write_text("yes"))
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), Path("thread-ran").write_text("yes"))).start()
sys.argv = ["postmortem-check", *sys.argv[2:]]
cli.run()
"""


@pytest.mark.parametrize("mode", ["alone", "thread"])
def test_the_entry_point_ends_without_teardown_but_loses_nothing(tmp_path: Path, mode: str) -> None:
    """run() skips interpreter teardown: the output is whole, exit handlers run, a running thread is waited for."""
    for index in range(30):
        (tmp_path / f"pm-{index}.md").write_text(PLAIN * 20, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", EXIT_PROBE, mode, "lint", "--no-cache", "--format", "json", "."],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout)["summary"]["files"] == 30
    assert (tmp_path / "atexit-ran").exists()
    assert (tmp_path / "thread-ran").exists() is (mode == "thread")
