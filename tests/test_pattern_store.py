"""Compiled patterns kept between runs: a pattern built from a kept program is the pattern ``re.compile`` returns
(equal patterns have equal programs), for every pattern of the package, of the built-in schemas and mistune's block
scanners; mistune and PyYAML build theirs from the store too; a file this user's key did not seal, or an entry the
engine refuses, is never used; ``--no-cache`` and ``cache: false`` write nothing."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postmortem_check
from postmortem_check import blockparser, pattern_store
from postmortem_check.lazy_re import LazyPattern
from postmortem_check.schema import BUILTIN_SCHEMAS, load_schema
from postmortem_check.vocabulary import implied_patterns
from tests.conftest import ROOT

DOC = ("---\ntitle: Outage\n---\n# Outage\n\n## Summary\n\nThe database fell over; it was restored by a restart.\n\n"
       "- first\n  - second\n")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh store for this process, in a user cache folder of its own with a sealing key; its file."""
    home = tmp_path / "home"
    (home / "postmortem-check").mkdir(parents=True)
    (home / "postmortem-check" / "key").write_bytes(os.urandom(32))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(pattern_store, "_store", pattern_store._Store())
    return Path(pattern_store._path())


def _restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new process starts with: nothing read, nothing generated."""
    monkeypatch.setattr(pattern_store, "_store", pattern_store._Store())


def test_a_pattern_built_from_a_kept_program_is_the_pattern_re_compiles(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in pkgutil.walk_packages(postmortem_check.__path__, "postmortem_check."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, LazyPattern):
                pattern_store.compile_pattern(value.pattern, value.flags)
    implied_patterns.cache_clear()
    for name in BUILTIN_SCHEMAS:  # each section's wording patterns, joined as a lint joins them
        for spec in load_schema(name).vocabulary.sections.values():
            for sources in (spec.implied_by, spec.implied_in_timeline, spec.implied_in_quotes):
                implied_patterns(sources)
    implied_patterns.cache_clear()
    monkeypatch.setattr(blockparser._MARKDOWN.block, "_scanners", {})  # mistune's block scanners, compiled anew
    blockparser.block_tokens("# T\n\n> quote\n\n- item\n\n  1. nested\n\n| a |\n|---|\n| b |\n", 1)
    patterns = list(pattern_store._store.new)
    assert any("(?P<fenced_code>" in pattern for pattern, _ in patterns)
    assert len(patterns) > 100
    pattern_store._save()
    assert store.is_file()

    _restart(monkeypatch)
    for pattern, flags in patterns:
        built = pattern_store.compile_pattern(pattern, flags)
        assert built == re.compile(pattern, flags), pattern  # the same flags, pattern and program
        assert built.groupindex == re.compile(pattern, flags).groupindex
    assert pattern_store._store.loaded is not None and len(pattern_store._store.loaded) == len(patterns)
    assert not pattern_store._store.new  # every one came from the file


def test_programs_are_kept_only_for_new_patterns_and_merged(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern_store.compile_pattern(r"\bfirst\b", re.I)
    pattern_store._save()
    _restart(monkeypatch)
    pattern_store.compile_pattern(r"\bsecond\b")
    pattern_store._save()
    _restart(monkeypatch)
    assert set(pattern_store._programs()) == {(r"\bfirst\b", int(re.I)), (r"\bsecond\b", 0)}


def test_the_text_a_pattern_needs_is_found_once_and_kept(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = r"\bcaused by\b|\bdue to\b"
    pattern_store.compile_pattern(pattern, re.I)
    assert pattern_store._store.new[(pattern, int(re.I))][5] is False  # not made with the program
    found = pattern_store.needed(pattern, re.I)
    assert found is not None and found[0] == ("caused", "due") and re.search(found[1], "it was due to a flag")
    pattern_store._save()
    _restart(monkeypatch)

    def parse(*args: object) -> None:
        raise AssertionError("parsed again")

    real_parse = pattern_store._parser.parse
    monkeypatch.setattr(pattern_store._parser, "parse", parse)
    assert pattern_store.needed(pattern, re.I) == found
    assert not pattern_store._store.new
    # a kept entry of another shape is found again, not trusted
    program = pattern_store._programs()[(pattern, int(re.I))]
    pattern_store._programs()[(pattern, int(re.I))] = (*program[:5], (("due",), 42))  # type: ignore[arg-type]
    monkeypatch.setattr(pattern_store._parser, "parse", real_parse)
    assert pattern_store.needed(pattern, re.I) == found


def test_a_file_the_key_did_not_seal_is_never_used(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern_store.compile_pattern("abc")
    pattern_store._save()
    data = bytearray(store.read_bytes())
    data[-3] ^= 1  # one bit of the programs changed, the seal kept
    store.write_bytes(bytes(data))
    _restart(monkeypatch)
    assert pattern_store._programs() == {}
    assert pattern_store.compile_pattern("abc") == re.compile("abc")


def test_an_entry_the_engine_refuses_is_compiled_as_usual(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern_store.compile_pattern("ab+c")
    pattern_store._store.new[("ab+c", 0)] = (32, bytes(12), 0, {}, (None,))  # no program _sre takes
    pattern_store._save()
    _restart(monkeypatch)
    assert ("ab+c", 0) in pattern_store._programs()
    assert pattern_store.compile_pattern("ab+c").fullmatch("abbc")
    assert ("ab+c", 0) in pattern_store._store.new  # generated again, to be written over the bad one


def test_a_pattern_that_does_not_compile_raises_re_error(store: Path) -> None:
    with pytest.raises(re.error):
        pattern_store.compile_pattern("(unclosed")


def test_turned_off_neither_reads_nor_writes(store: Path) -> None:
    pattern_store.keep_programs(False)
    try:
        assert pattern_store.compile_pattern("xyz") == re.compile("xyz")
        assert pattern_store._store.loaded is None and not pattern_store._store.new
        pattern_store._save()
        assert not store.exists()
    finally:
        pattern_store.keep_programs(True)


# Lints as the command line does, then says on stderr how many programs it read and how many it generated,
# and the modules whose patterns re compiled itself.
PROBE = """
import os, re, sys
try:
    from re import _compiler
except ImportError:  # 3.10
    import sre_compile as _compiler
compiled_by = set()
compile = _compiler.compile
def counted(pattern, flags):
    frame = sys._getframe(1)
    while frame.f_code.co_filename.startswith(os.path.dirname(re.__file__)) or frame.f_code.co_name == "_served":
        frame = frame.f_back
    compiled_by.add(f"{frame.f_globals.get('__name__')}.{frame.f_code.co_name}")
    return compile(pattern, flags)
_compiler.compile = counted
from postmortem_check import cli, pattern_store
code = cli.main(sys.argv[1:])
store = pattern_store._store
sys.stderr.write(f"PROGRAMS read={len(store.loaded or {})} generated={len(store.new)}\\n")
sys.stderr.write(f"COMPILED BY {sorted(compiled_by)}\\n")
raise SystemExit(code)
"""


def _lint(tmp_path: Path, home: Path, *args: str, config: str | None = None) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "pm.md").write_text(DOC, encoding="utf-8")
    if config is not None:
        (project / ".postmortem-check.yaml").write_text(config, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "POSTMORTEM_CHECK_CACHE_DIR": str(tmp_path / "results"),
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", PROBE, "lint", *args, "pm.md"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def _kept(home: Path) -> list[Path]:
    return sorted((home / "postmortem-check").glob("patterns-*.bin"))


def test_a_lint_keeps_its_programs_and_the_next_one_uses_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = _lint(tmp_path, home)
    assert "PROGRAMS read=0 generated=" in first.stderr and "generated=0" not in first.stderr
    assert len(_kept(home)) == 1
    kept = _kept(home)[0].read_bytes()
    shutil.rmtree(tmp_path / "results")
    second = _lint(tmp_path, home)  # no result kept: the document is linted again, from the kept programs
    assert "generated=0" in second.stderr and "read=0" not in second.stderr
    assert first.stdout == second.stdout and "implied-section" in first.stdout
    assert _kept(home)[0].read_bytes() == kept  # nothing new to keep: not written again


def test_mistune_and_pyyaml_patterns_are_built_from_the_store(tmp_path: Path) -> None:
    """They compile theirs when imported, and mistune a list's break scanner when the list is parsed (its
    item pattern, compiled by ``re.compile`` for each item, stays with re's own cache)."""
    home = tmp_path / "home"
    for _ in range(2):  # the first run generates their programs, the second reads them
        result = _lint(tmp_path, home)
        compiled_by = result.stderr.split("COMPILED BY ")[1].splitlines()[0]
        assert "yaml" not in compiled_by, compiled_by
        assert re.findall(r"'(mistune[\w.]*)'", compiled_by) == ["mistune.list_parser._parse_list_item"]
        shutil.rmtree(tmp_path / "results")
    assert "generated=0" in result.stderr


def test_the_stand_in_for_re_compile_serves_text_patterns_until_its_block_ends(store: Path) -> None:
    own = re.compile
    with pytest.raises(KeyError), pattern_store.compiled_from_store():
        assert re.compile(r"\bserved\b", re.I) == own(r"\bserved\b", re.I)
        assert re.compile(b"bytes") == own(b"bytes")
        assert list(pattern_store._store.new) == [(r"\bserved\b", re.I)]  # the bytes pattern went to re
        raise KeyError  # an import that fails
    assert re.compile is own



@pytest.mark.parametrize(("args", "config"), [(("--no-cache",), None), ((), "cache: false\n")])
def test_a_lint_without_cache_keeps_no_programs(tmp_path: Path, args: tuple[str, ...], config: str | None) -> None:
    home = tmp_path / "home"
    (home / "postmortem-check").mkdir(parents=True)
    (home / "postmortem-check" / "key").write_bytes(os.urandom(32))
    result = _lint(tmp_path, home, *args, config=config)
    assert result.returncode in (0, 1), result.stderr
    assert "implied-section" in result.stdout
    assert _kept(home) == []
    if args:  # --no-cache is known before anything is compiled: nothing read, nothing kept in memory either
        assert "PROGRAMS read=0 generated=0" in result.stderr
