"""Replay: a lint command line run again on unchanged inputs prints what it printed, byte for byte, without
importing the pipeline; anything its output depends on changing is a miss, and a record this user's key did
not seal, or a damaged one, is never trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from postmortem_check.authoring import builtin_schema_text
from postmortem_check.replay import FOLDER, RECORDS
from postmortem_check.report import FORMATS
from tests.conftest import CORPUS, ROOT, SEEDS, SHARED

DOC = ("# DB outage\n\n## Summary\n\nOn [date] the database fell over.\n\n## Timeline\n\n- 10:00 paged\n\n"
       "## Action items\n\n- [ ] @ana add an alert (due 2030-01-02)\n")

# Runs the console script's entry point; says on stderr, last, whether the output was replayed (the entry
# point then raises SystemExit; a full run ends the process itself) and which heavy modules it imported.
PROBE = """
import sys
before = set(sys.modules)  # what the interpreter's start imported (an editable install imports re, pathlib)
sys.argv = ["postmortem-check", *sys.argv[1:]]
from postmortem_check.__main__ import run
try:
    run()
except SystemExit as stop:
    sys.stdout.flush()
    heavy = [m for m in ("re", "json", "argparse", "pathlib", "dataclasses", "typing", "enum", "hashlib",
                         "postmortem_check.cli", "postmortem_check.cache", "yaml", "mistune")
             if m in sys.modules and m not in before]
    sys.stderr.write("REPLAYED " + ",".join(heavy) + "\\n")
    raise
"""


def _settled(*paths: Path) -> None:
    """Date files and folders a minute back: a record is kept only for files no longer changing."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A repository with a config, a team schema that refers to a second file, a template and a postmortem
    below ``pm/``; the cache folder at its root, as by default."""
    root = tmp_path / "repo"
    (root / "pm").mkdir(parents=True)
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id", None)
    schema["allOf"] = [*schema.get("allOf", []), {"$ref": "extra.json"}]
    (root / "team.json").write_text(json.dumps(schema), "utf-8")
    (root / "extra.json").write_text('{"type": "object"}', "utf-8")
    (root / ".postmortem-check.yaml").write_text("schema: team.json\nrules:\n  placeholder: warning\n", "utf-8")
    (root / "pm" / "template.md").write_text("# Title\n\n## Summary\n\nWhat happened, in two lines.\n", "utf-8")
    (root / "pm" / "pm.md").write_text(DOC, "utf-8")
    settle(root)
    monkeypatch.delenv("POSTMORTEM_CHECK_CACHE_DIR", raising=False)
    yield root


def settle(root: Path) -> None:
    _settled(*(path for path in root.rglob("*") if FOLDER not in path.parts), root)


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, bool, list[str]]:
    """The exit code, standard output, whether the output was replayed and the heavy modules imported."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("GITHUB_ACTIONS", None)
    environment.pop("POSTMORTEM_CHECK_CACHE_DIR", None)
    environment.update(env or {})
    done = subprocess.run([sys.executable, "-c", PROBE, "lint", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)
    last = done.stderr.splitlines()[-1] if done.stderr else ""
    replayed = last.startswith("REPLAYED")
    heavy = [name for name in last.removeprefix("REPLAYED ").split(",") if name] if replayed else []
    assert "internal error" not in done.stderr, done.stderr
    return done.returncode, done.stdout, replayed, heavy


def records(root: Path) -> list[Path]:
    return sorted((root / FOLDER / RECORDS).glob("*.run"))


def test_a_lint_run_again_is_replayed_byte_for_byte_without_importing_the_pipeline(project: Path) -> None:
    command_lines = [["pm/pm.md"], ["-q", "--fail-on", "never", "pm/pm.md"],
                     *(["--format", fmt, "pm/pm.md"] for fmt in FORMATS)]
    for args in command_lines:
        expected = run(project, "--no-cache", *args)[:2]
        assert expected[1], args
        assert run(project, *args) == (*expected, False, []), f"{args}: the first run is recorded"
        assert run(project, *args) == (*expected, True, []), f"{args}: the second is replayed"
    assert len(records(project)) == len(command_lines)


@pytest.mark.parametrize("change", ["file", "config", "team schema", "referenced file", "template",
                                    "new template", "folder", "symbolic link", "nearer config", "environment",
                                    "terminal"])
def test_anything_the_output_depends_on_changing_misses(project: Path, change: str) -> None:
    cwd, args, env = (project / "pm", ["pm.md"], {}) if change == "nearer config" else (project, ["pm/pm.md"], {})
    run(cwd, *args)
    assert run(cwd, *args)[2], "replayed before the change"
    if change == "file":
        (project / "pm" / "pm.md").write_text(DOC.replace("[date]", "Monday"), "utf-8")
    elif change == "config":
        (project / ".postmortem-check.yaml").write_text("schema: team.json\nrules:\n  placeholder: error\n", "utf-8")
    elif change == "team schema":
        schema = json.loads((project / "team.json").read_text("utf-8"))
        schema["required"] = [*schema.get("required", []), "nothing_like_it"]
        (project / "team.json").write_text(json.dumps(schema), "utf-8")
    elif change == "referenced file":
        (project / "extra.json").write_text('{"type": "object", "required": ["nothing_like_it"]}', "utf-8")
    elif change == "template":
        (project / "pm" / "template.md").write_text("# Title\n\n## Timeline\n\n- 10:00 paged\n", "utf-8")
    elif change == "new template":
        (project / "pm" / "a-template.md").write_text("# Title\n\n## Timeline\n\n- 10:00 paged\n", "utf-8")
    elif change == "folder":
        (project / "pm" / "other.md").write_text(DOC, "utf-8")
    elif change == "symbolic link":
        shutil.copy(project / "pm" / "pm.md", project / "copy.md")
        (project / "pm" / "pm.md").unlink()
        (project / "pm" / "pm.md").symlink_to(project / "copy.md")
    elif change == "nearer config":
        (project / "pm" / ".postmortem-check.yaml").write_text("rules:\n  placeholder: off\n", "utf-8")
    elif change == "environment":
        env = {"NO_COLOR": "1"}
    else:
        env = {"FORCE_COLOR": "1"}
    settle(project)
    expected = run(cwd, "--no-cache", *args, env=env)[:2]
    assert run(cwd, *args, env=env) == (*expected, False, []), change
    settle(project)  # the first run beside a new config made its cache folder there, changing the folder
    run(cwd, *args, env=env)
    replayed = change != "symbolic link"  # a file reached through a link is never recorded
    assert run(cwd, *args, env=env) == (*expected, replayed, []), f"{change}: recorded again"


@pytest.mark.parametrize("change", ["new file below", "renamed", "file becomes folder", "changed", "none"])
def test_a_folder_is_replayed_until_a_file_below_it_changes(project: Path, change: str) -> None:
    (project / "pm" / "2024" / "empty").mkdir(parents=True)
    (project / "pm" / "2024" / "old.md").write_text(DOC.replace("[date]", "March 3"), "utf-8")
    settle(project)
    for args in (["pm"], ["."]):
        run(project, *args)
        settle(project)  # the first run made the cache folder beside the config
        run(project, *args)
        assert run(project, *args)[2], args
    if change == "new file below":
        (project / "pm" / "2024" / "empty" / "new.md").write_text(DOC, "utf-8")
    elif change == "renamed":
        (project / "pm" / "2024" / "old.md").rename(project / "pm" / "2024" / "older.md")
    elif change == "file becomes folder":
        (project / "pm" / "2024" / "empty").rmdir()
        (project / "pm" / "2024" / "empty").write_text(DOC, "utf-8")
    elif change == "changed":
        (project / "pm" / "2024" / "old.md").write_text(DOC, "utf-8")
    settle(project)
    for args in (["pm"], ["."]):
        expected = run(project, "--no-cache", *args)[:2]
        assert run(project, *args) == (*expected, change == "none", []), (change, args)
        assert run(project, *args) == (*expected, True, []), (change, args)


@pytest.mark.parametrize("damage", ["garbage", "empty", "flipped", "forged", "another user's", "other key"])
def test_a_damaged_or_foreign_record_is_never_trusted(project: Path, damage: str, tmp_path: Path) -> None:
    expected = run(project, "--no-cache", "pm/pm.md")[:2]
    run(project, "pm/pm.md")
    [record] = records(project)
    data = record.read_bytes()
    seal, _, body = data.partition(b"\n")
    if damage == "garbage":
        record.write_bytes(b"\x00\xff" * 100)
    elif damage == "empty":
        record.write_bytes(b"")
    elif damage == "flipped":
        record.write_bytes(seal + b"\n" + body[:-3] + bytes([body[-3] ^ 1]) + body[-2:])
    elif damage == "forged":  # the output changed and sealed without the key
        record.write_bytes(seal + b"\n" + body.replace(b"1 file", b"0 file"))
    elif damage == "another user's":  # sealed by another key: the same record, another cache home
        home = tmp_path / "home"
        run(project, "pm/pm.md", env={"XDG_CACHE_HOME": str(home)})
        assert records(project) == [record]
        assert run(project, "pm/pm.md", env={"XDG_CACHE_HOME": str(home)})[2]
    else:  # a record for another command line, put under this one's name
        run(project, "-q", "pm/pm.md")
        other = next(path for path in records(project) if path != record)
        record.write_bytes(other.read_bytes())
    assert run(project, "pm/pm.md") == (*expected, False, []), damage


def test_no_record_is_kept_for_a_run_that_cannot_be_replayed(project: Path) -> None:
    """Standard input, globs, --fix, --summary and --no-cache; a run that wrote on standard error; a
    file changed in the last moments; findings that change with the date; a config named otherwise than in
    full; a file reached through a symbolic link or outside the working directory."""
    (project / "dated.yaml").write_text("schema: team.json\nrules:\n  overdue-action-item: warning\n", "utf-8")
    (project / "other.yaml").write_text("schema: team.json\n", "utf-8")
    (project / "link.md").symlink_to(project / "pm" / "pm.md")
    (project / "new").mkdir()
    for args in (["pm/*.md"], ["--summary", "summary.md", "pm/pm.md"], ["--no-cache", "pm/pm.md"],
                 ["pm/pm.md", "pm/missing.md"], ["new/fresh.md"], ["--config", "dated.yaml", "pm/pm.md"],
                 ["--conf", "other.yaml", "pm/pm.md"], ["link.md"], ["--fix", "pm/pm.md"]):
        settle(project)
        (project / "new" / "fresh.md").write_text(DOC, "utf-8")  # just now
        assert run(project, *args)[0] in (0, 1, 2)
        assert records(project) == [], args
    shutil.copy(project / "pm" / "pm.md", project / "outside.md")
    settle(project)
    assert run(project / "pm", "../outside.md")[0] == 1
    assert records(project) == [], "a file outside the working directory"
    assert run(project / "pm", "../pm/pm.md")[0] == 1
    assert len(records(project)) == 1, "a file below it, however named"
    stdin = subprocess.run([sys.executable, "-m", "postmortem_check", "lint", "-"], input=DOC, cwd=project,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert stdin.returncode == 1 and len(records(project)) == 1


def test_the_shared_postmortems_are_replayed_byte_for_byte(tmp_path: Path) -> None:
    files = sorted(str(path.relative_to(SHARED)) for folder in (SEEDS, CORPUS, SHARED / "realrepos")
                   for path in folder.rglob("*.md") if folder.is_dir() and "labels" not in path.parts)
    if not files:
        pytest.skip(f"{SHARED} is not available")
    env = {"POSTMORTEM_CHECK_CACHE_DIR": str(tmp_path / "cache")}
    for fmt in ("text", "json", "sarif"):
        expected = run(SHARED, "--no-cache", "--format", fmt, *files, env=env)[:2]
        assert expected[1].count("\n") > 100
        assert run(SHARED, "--format", fmt, *files, env=env)[:3] == (*expected, False), fmt
        assert run(SHARED, "--format", fmt, *files, env=env) == (*expected, True, []), fmt


def test_a_run_with_a_progress_line_is_recorded(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The progress line a terminal shows is drawn on standard error and cleared: it is no output, and the
    run is recorded; a warning on standard error is output, and a run with one is not."""
    import postmortem_check.report.text as text_module
    from postmortem_check.cli import main

    for index in range(text_module.PROGRESS_AFTER + 5):
        (project / "pm" / f"pm-{index}.md").write_text(DOC, "utf-8")
    settle(project)
    monkeypatch.chdir(project)
    monkeypatch.setattr(text_module, "use_progress", lambda stream, env: True)
    assert main(["lint", "pm"]) == 1
    assert "files checked" in capsys.readouterr().err, "the progress line was drawn"
    assert len(records(project)) == 1
    (project / "pyproject.toml").write_text('[tool.postmortem-check]\nschema = "default"\n', "utf-8")
    settle(project)
    assert main(["lint", "-q", "pm"]) == 1
    assert "using .postmortem-check.yaml" in capsys.readouterr().err
    assert len(records(project)) == 1, "a run that wrote a notice on standard error is not recorded"


@pytest.mark.parametrize("linked", ["", "packs", "contexts", RECORDS, ".gitignore", "each file"])
def test_links_in_a_committed_cache_folder_are_never_followed(project: Path, tmp_path: Path, linked: str) -> None:
    """A pull request can commit a cache folder, or folders in it, as links out of the tree: nothing is read,
    written or removed through them, and the output is what it is without a cache."""
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = {f"{index:02d}.manifest": b"sealed by nobody" for index in range(40)}
    for name, data in planted.items():
        (outside / name).write_bytes(data)
    cache = project / FOLDER
    if linked == "each file":  # every manifest and record this run will look for, as links out of the tree
        run(project, "pm/pm.md")
        settle(project)
        run(project, "pm/pm.md")
        for path in [*cache.glob("contexts/*.manifest"), *cache.glob(f"{RECORDS}/*.run")]:
            (outside / path.name).write_bytes(path.read_bytes())
            planted[path.name] = path.read_bytes()
            path.unlink()
            path.symlink_to(outside / path.name)
        assert len(planted) == 42
    elif linked:
        cache.mkdir()
        (cache / linked).symlink_to(outside / "gitignore" if linked == ".gitignore" else outside)
    else:
        cache.symlink_to(outside)
    settle(project)
    expected = run(project, "--no-cache", "pm/pm.md")[:2]
    for index in range(4):
        replayed = run(project, "pm/pm.md")
        assert replayed[:2] == expected
        assert not (linked == "each file" and index == 0 and replayed[2]), "a linked record is never read"
        settle(project)
    assert {path.name: path.read_bytes() for path in outside.iterdir()} == planted, "nothing written or removed"


def test_an_interrupted_lookup_ends_as_an_interrupted_command_line(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import postmortem_check.replay as replay_module
    from postmortem_check.__main__ import run as entry_point
    from postmortem_check.cli import main
    from postmortem_check.errors import ExitCode

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(replay_module, "recorded_output", interrupted)
    monkeypatch.setattr(sys, "argv", ["postmortem-check", "lint", "pm.md"])
    with pytest.raises(SystemExit) as stop:
        entry_point()
    replayed = capsys.readouterr().err
    monkeypatch.setattr("postmortem_check.cli._lint", interrupted)
    monkeypatch.setattr("postmortem_check.cli._recordable", lambda args: False)
    assert stop.value.code == main(["lint", "pm.md"]) == ExitCode.INTERRUPTED
    assert replayed == capsys.readouterr().err == "postmortem-check: interrupted\n"


def test_only_the_newest_records_are_kept_and_files_left_by_a_dead_writer_are_removed(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import postmortem_check.replay as replay_module
    from postmortem_check.cli import main

    monkeypatch.setattr(replay_module, "_MAX_RECORDS", 2)
    monkeypatch.chdir(project)
    for index in range(4):
        (project / "pm" / f"pm-{index}.md").write_text(DOC, "utf-8")
    settle(project)
    for index in range(4):
        if index == 2:  # a temporary record left long ago by a run that died, and one being written now
            (project / FOLDER / RECORDS / ".tmp-dead").write_bytes(b"half written")
            os.utime(project / FOLDER / RECORDS / ".tmp-dead", (0, 0))
            (project / FOLDER / RECORDS / ".tmp-now").write_bytes(b"being written")
        main(["lint", f"pm/pm-{index}.md"])
        settle(project)
    capsys.readouterr()
    assert len(records(project)) == 2
    assert sorted(path.name for path in (project / FOLDER / RECORDS).glob(".tmp-*")) == [".tmp-now"]


def test_the_installation_changes_with_a_library_version_not_with_a_reinstall(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy an import reaches counts, by the version its ``dist-info`` folder names: a fresh install of
    the same version (every CI job's) keeps the cache, an upgrade does not; without a ``dist-info``, its
    modules count. The record key changes with the installation."""
    from postmortem_check import replay

    library = (("somelib", "some_lib"),)
    first, shadowed = tmp_path / "first", tmp_path / "shadowed"
    for folder, version in ((first, "1.0"), (shadowed, "9.0")):
        (folder / "somelib").mkdir(parents=True)
        (folder / "somelib" / "__init__.py").write_text("X = 1\n", "utf-8")
        (folder / f"Some.Lib-{version}.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty"), str(first), str(shadowed)])
    before = replay.installation_of(library)
    assert "('somelib', '1.0')" in before
    (first / "somelib" / "__init__.py").write_text("X = 1\n", "utf-8")
    os.utime(first / "somelib" / "__init__.py", (1, 1))
    assert replay.installation_of(library) == before, "reinstalled, same version"
    (first / "Some.Lib-1.0.dist-info").rename(first / "some_lib-1.1.dist-info")
    upgraded = replay.installation_of(library)
    assert "('somelib', '1.1')" in upgraded
    shutil.rmtree(first / "some_lib-1.1.dist-info")
    unversioned = replay.installation_of(library)
    assert unversioned not in (before, upgraded)
    (first / "somelib" / "__init__.py").write_text("X = 22\n", "utf-8")
    assert replay.installation_of(library) != unversioned, "a checkout's module edited"
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty")])
    assert "('somelib', None)" in replay.installation_of(library)
    key = replay.command_key(["lint", "pm.md"], str(tmp_path), [])
    monkeypatch.setattr(replay, "installation", lambda: "mistune upgraded")
    assert replay.command_key(["lint", "pm.md"], str(tmp_path), []) != key


def test_an_edited_module_of_the_package_is_a_new_installation(tmp_path: Path) -> None:
    """A checkout run from its sources (an editable install) keeps its version while its code changes."""
    from postmortem_check.replay import modules_state

    (tmp_path / "pkg" / "sub" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n", "utf-8")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("B = 1\n", "utf-8")
    before = modules_state(str(tmp_path / "pkg"))
    (tmp_path / "pkg" / "sub" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"compiled")
    (tmp_path / "pkg" / "notes.txt").write_text("not code\n", "utf-8")
    assert modules_state(str(tmp_path / "pkg")) == before, "only the modules count"
    (tmp_path / "pkg" / "sub" / "b.py").write_text("B = 22\n", "utf-8")
    assert modules_state(str(tmp_path / "pkg")) != before
    assert modules_state(str(tmp_path / "missing")) == modules_state(str(tmp_path / "empty-too"))


def test_a_lint_works_out_the_installation_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The record key, the manifest's name and the context digest each ask for it."""
    from postmortem_check import replay
    from postmortem_check.cli import main

    (tmp_path / "pm.md").write_text(DOC, "utf-8")
    monkeypatch.chdir(tmp_path)
    asked: list[object] = []
    monkeypatch.setattr(replay, "_installation", [])
    monkeypatch.setattr(replay, "installation_of", lambda libraries: asked.append(libraries) or "this one")
    assert main(["lint", "pm.md"]) == 1 and "pm.md" in capsys.readouterr().out
    assert asked == [replay._LIBRARIES]
