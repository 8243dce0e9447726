"""The result cache: the same findings with and without it, a miss whenever anything that can change a
result changes, and an entry that is not exactly what was written is never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import postmortem_check.app as app_module
import postmortem_check.cache as cache_module
import postmortem_check.lint as lint_module
from postmortem_check.authoring import builtin_schema_text
from postmortem_check.batch import PARALLEL_THRESHOLD
from postmortem_check.cache import FOLDER, ResultCache
from postmortem_check.cli import main
from postmortem_check.digests import seal
from postmortem_check.document import _template_in
from postmortem_check.lint import lint_text
from postmortem_check.report import FORMATS
from postmortem_check.schema import load_schema, schema_with_word_bounds
from tests.conftest import CORPUS, ROOT, SEEDS, SHARED

DOC = "# DB outage\n\n## Summary\n\nOn [date] the database fell over.\n\n## Timeline\n\n- 10:00 paged\n"


@pytest.fixture
def linted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """Run in ``tmp_path`` (where the cache goes) and record each file actually linted, not taken from the cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POSTMORTEM_CHECK_CACHE_DIR", raising=False)  # the project folder, as by default
    seen: list[str] = []
    real = lint_module.lint_document

    def counting(document, schema, config):  # type: ignore[no-untyped-def]
        seen.append(document.path)
        return real(document, schema, config)

    monkeypatch.setattr(lint_module, "lint_document", counting)
    yield seen
    schema_with_word_bounds.cache_clear()  # team schemas changed on disk must be read again by later tests
    load_schema.cache_clear()


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


def _packs(folder: Path = Path(FOLDER)) -> list[Path]:
    """The packs in a cache folder, oldest first."""
    return sorted((folder / "packs").glob("*.pack"))


def _lines(folder: Path = Path(FOLDER)) -> list[bytes]:
    """Every entry line of every pack (below each pack's header line)."""
    return [line for pack in _packs(folder) for line in pack.read_bytes().splitlines()[1:]]


def test_findings_are_identical_with_and_without_the_cache_and_with_any_jobs(
        linted: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    folders = [str(f) for f in (SEEDS, CORPUS, SHARED / "realrepos") if f.is_dir()]
    if not folders:
        pytest.skip(f"{SHARED} is not available")
    expected = {fmt: _lint(capsys, "--format", fmt, "--no-cache", "--jobs", "1", *folders) for fmt in ("json", "text")}
    assert not Path(FOLDER).exists(), "--no-cache writes nothing"
    assert expected["text"][1].count("\n") > 20
    for fmt in ("json", "text"):
        for jobs in ([], ["--jobs", "1"], [], ["--jobs", "1"]):  # cold then warm, in workers and here
            assert _lint(capsys, "--format", fmt, *jobs, *folders) == expected[fmt], (fmt, jobs)
    assert len(_lines()) > 20


def test_an_unchanged_file_is_not_linted_again_and_a_changed_one_is(linted: list[str],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    Path("pm.md").write_text(DOC, "utf-8")
    Path("other.md").write_text(DOC, "utf-8")
    first = _lint(capsys, "pm.md", "other.md")
    assert first[0] == 1 and linted == ["pm.md", "other.md"]
    assert _lint(capsys, "pm.md", "other.md") == first and linted == ["pm.md", "other.md"]
    assert (Path(FOLDER) / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    Path("pm.md").write_text(DOC + "- 10:05 fixed\n", "utf-8")
    _lint(capsys, "pm.md", "other.md")
    assert linted[2:] == ["pm.md"]


def test_an_upgraded_library_misses(linted: list[str], capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """mistune, PyYAML and jsonschema read documents too: a result kept before one of them changed is not
    used after (``replay.installation`` stands for what is installed)."""
    Path("pm.md").write_text(DOC, "utf-8")
    _settled(Path("pm.md"))
    first = _lint(capsys, "pm.md")
    assert _lint(capsys, "pm.md") == first and linted == ["pm.md"]
    monkeypatch.setattr(cache_module, "installation", lambda: "mistune upgraded")
    assert _lint(capsys, "pm.md") == first and linted == ["pm.md", "pm.md"]
    assert _lint(capsys, "pm.md") == first and linted == ["pm.md", "pm.md"]


def test_the_cache_folder_can_be_chosen(linted: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMORTEM_CHECK_CACHE_DIR", str(tmp_path / "elsewhere"))
    Path("pm.md").write_text(DOC, "utf-8")
    assert _lint(capsys, "pm.md") == _lint(capsys, "pm.md") and linted == ["pm.md"]
    assert not Path(FOLDER).exists() and len(_lines(tmp_path / "elsewhere")) == 1


def test_a_changed_config_schema_or_referenced_file_misses(linted: list[str],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id", None)
    schema["allOf"] = [*schema.get("allOf", []), {"$ref": "extra.json"}]
    Path("team.json").write_text(json.dumps(schema), "utf-8")
    Path("extra.json").write_text('{"type": "object"}', "utf-8")
    config = Path(".postmortem-check.yaml")
    config.write_text("schema: team.json\n", "utf-8")
    Path("pm.md").write_text(DOC, "utf-8")

    def misses() -> bool:
        before = len(linted)
        schema_with_word_bounds.cache_clear()  # a new process would read the files again
        load_schema.cache_clear()
        _template_in.cache_clear()
        _lint(capsys, "pm.md")
        return len(linted) > before

    assert misses()
    assert not misses(), "nothing changed: a hit"
    config.write_text("schema: team.json\nrules:\n  placeholder: warning\n", "utf-8")
    assert misses(), "config changed"
    assert not misses()
    Path("extra.json").write_text('{"type": "object", "description": "changed"}', "utf-8")
    assert misses(), "a file the schema references changed"
    assert not misses()
    schema["description"] = "changed"
    Path("team.json").write_text(json.dumps(schema), "utf-8")
    assert misses(), "schema changed"
    Path("template.md").write_text("# Title\n\n## Summary\n\nOn [date] the database fell over.\n", "utf-8")
    assert misses(), "a template beside the postmortem changes what is a placeholder"
    config.write_text("schema: team.json\ncache: false\n", "utf-8")
    assert misses() and misses(), "cache: false"


def _entry(line: bytes) -> Any:
    """A pack line's entry: the JSON after its key and its seal."""
    return json.loads(line.split(b" ", 2)[2])


def _sealed(key: bytes, entry: Any) -> bytes:
    """A line sealed with this user's key, as the cache writes it: what only this machine can make."""
    secret = cache_module.sealing_key()
    assert secret is not None
    text = json.dumps(entry).encode("ascii")
    return key + b" " + seal(secret, key + b" " + text) + b" " + text


@pytest.mark.parametrize("damage", ["garbage", "empty", "other-path", "wrong-types", "binary", "forged", "unsealed",
                                    "truncated", "old-format"])
def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(damage: str, linted: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    Path("pm.md").write_text(DOC, "utf-8")
    expected = _lint(capsys, "pm.md")
    (pack,) = _packs()
    header, line = pack.read_bytes().splitlines()
    key, data = line[:64], _entry(line)
    if damage in ("forged", "unsealed"):  # what a pull request could commit: a clean result for a bad file
        forged = json.dumps({**data, "findings": []}).encode("ascii")
        line = key + (b" " + b"0" * 64 if damage == "forged" else b"") + b" " + forged
    elif damage == "garbage":
        line = key + b' {"format": 4, "path": "pm.md", "findings": [['
    elif damage == "empty":
        header = line = b""
    elif damage == "other-path":  # sealed here, but for another file
        line = _sealed(key, {**data, "path": "elsewhere.md"})
    elif damage == "wrong-types":
        damaged = json.loads(json.dumps(data))
        damaged["findings"][0][1] = "1; rm -rf /"
        line = _sealed(key, damaged)
    elif damage == "truncated":  # a pack cut short, as by a full disk
        line = line[: len(line) // 2]
    elif damage == "old-format":
        header = header.replace(b"4", b"3")
    else:
        header, line = b"\xff\xfe\x00garbage", b"\x00" * 200
    pack.write_bytes(header + b"\n" + line)
    assert _lint(capsys, "pm.md") == expected
    assert linted == ["pm.md", "pm.md"], "the damaged entry was not used"
    assert _entry(_packs()[-1].read_bytes().splitlines()[-1]) == data, "and it was written again, in a new pack"
    assert _lint(capsys, "pm.md") == expected and len(linted) == 2


def test_one_damaged_entry_of_a_pack_is_linted_again_and_the_others_are_hits(
        linted: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    names = ["a.md", "b.md", "c.md"]
    for n, name in enumerate(names):
        Path(name).write_text(DOC + f"- 10:0{n} step\n", "utf-8")
    expected = _lint(capsys, *names)
    (pack,) = _packs()
    cut = _entry(pack.read_bytes().splitlines()[-1])["path"]
    pack.write_bytes(pack.read_bytes()[:-40])  # the last entry cut short
    assert _lint(capsys, *names) == expected and linted == [*names, cut]
    assert _lint(capsys, *names) == expected and len(linted) == 4


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cold_run_writes_a_handful_of_files_and_a_warm_run_reads_a_handful(
        jobs: str, linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating a file costs far more than writing its bytes: the results of a run are written as one pack,
    not one file each, in worker processes (``--jobs 2``) as well; a warm run reads that pack once."""
    count = PARALLEL_THRESHOLD + 2 * 32 + 8  # enough for worker processes
    Path("many").mkdir()
    for n in range(count):
        Path(f"many/pm-{n:03d}.md").write_text(DOC + f"- 10:{n % 60:02d} step {n}\n", "utf-8")
    expected = _lint(capsys, "--no-cache", "many")
    assert _lint(capsys, "--jobs", jobs, "many") == expected
    written = [path for path in Path(FOLDER).rglob("*") if path.is_file()]
    assert len(written) <= 3, written  # the .gitignore, the config's manifest, one pack
    assert len(_lines()) == count
    opened: list[str] = []
    real = os.open

    def counted(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if FOLDER in str(path):
            opened.append(str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counted)
    linted.clear()
    assert _lint(capsys, "--jobs", jobs, "many") == expected and linted == []
    assert len(opened) <= 2, opened  # the manifest, the pack


def test_many_packs_are_merged_into_one_keeping_the_newest_entry_of_each_file(
        linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_MAX_PACKS", 4)
    names = [f"f{n}.md" for n in range(4)]
    for name in names:
        Path(name).write_text(DOC, "utf-8")
        _lint(capsys, name)  # a pack each
    assert len(_packs()) == 4
    Path("f0.md").write_text(DOC + "- 10:05 fixed\n", "utf-8")
    expected = _lint(capsys, *names)
    assert linted[4:] == ["f0.md"] and len(_packs()) == 1, "a fifth pack: the five merged into one"
    assert sorted(_entry(line)["path"] for line in _lines()) == names, "f0.md's older entry left out"
    assert _lint(capsys, *names) == expected and len(linted) == 5


CONTEXT = "c" * 64


def _keep(cache: ResultCache, name: str) -> None:
    """Look ``name`` up as a run does, and keep its result when it is a miss (written at the next flush)."""
    key = cache.key(name, DOC.encode(), ())
    if cache.get(key, name) is None:
        cache.put(key, lint_text(DOC, path=name))


def _hits(folder: Path, names: list[str]) -> list[str]:
    """Which of ``names`` a new run finds in the cache."""
    cache = ResultCache(folder, CONTEXT)
    return [name for name in names if cache.get(cache.key(name, DOC.encode(), ()), name) is not None]


@pytest.mark.parametrize("mapped", [False, True])
def test_a_lookup_finds_every_entry_of_a_pack_and_no_other(mapped: bool, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_SCANS", 10**6)  # every lookup a binary search in the pack, none indexed
    if mapped:
        monkeypatch.setattr(cache_module, "_MAP_BYTES", 0)  # the pack mapped, as a large one is
    names = [f"f{n}.md" for n in range(40)]
    cache = ResultCache(tmp_path, CONTEXT)
    for name in names:
        _keep(cache, name)
    cache.flush()
    assert len(_packs(tmp_path)) == 1
    assert _hits(tmp_path, ["absent.md", *names, "f.md", "f99.md"]) == names


def test_two_runs_at_once_over_other_files_both_keep_their_entries(tmp_path: Path) -> None:
    first, second = ResultCache(tmp_path, CONTEXT), ResultCache(tmp_path, CONTEXT)
    _keep(first, "a.md")
    _keep(second, "b.md")  # both have read the packs before either writes
    first.flush()
    second.flush()
    assert _hits(tmp_path, ["a.md", "b.md", "c.md"]) == ["a.md", "b.md"]


@pytest.mark.parametrize("late_merges", [False, True])
def test_merging_removes_only_the_packs_merged_and_a_run_meanwhile_keeps_its_entries(
        late_merges: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one run merges the packs, another writes its own (and, ``late_merges``, merges them too)."""
    monkeypatch.setattr(cache_module, "_MAX_PACKS", 3)
    names = [f"f{n}.md" for n in range(4)]
    for name in names[:3]:
        cache = ResultCache(tmp_path, CONTEXT)
        _keep(cache, name)
        cache.flush()
    old = set(_packs(tmp_path))
    assert len(old) == 3
    late, fourth = ResultCache(tmp_path, CONTEXT), ResultCache(tmp_path, CONTEXT)
    _keep(late, "late.md")
    _keep(fourth, names[3])
    real = cache_module._pack_bytes
    waiting = [late]

    def reading(path: Path, limit: int) -> bytes:
        while waiting:  # the first pack merged: the other run writes its pack now
            monkeypatch.setattr(cache_module, "_MAX_PACKS", 3 if late_merges else 100)
            waiting.pop().flush()
            monkeypatch.setattr(cache_module, "_MAX_PACKS", 3)
        return real(path, limit)

    monkeypatch.setattr(cache_module, "_pack_bytes", reading)
    fourth.flush()  # a fourth pack: more than 3, merged
    monkeypatch.setattr(cache_module, "_pack_bytes", real)
    assert not waiting and not old & set(_packs(tmp_path)), "the packs merged are gone"
    assert _hits(tmp_path, [*names, "late.md"]) == [*names, "late.md"]
    if not late_merges:
        assert len(_packs(tmp_path)) == 2, "the merged pack, and the one written meanwhile"


def test_the_packs_stay_within_the_size_bound(linted: list[str], capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the bound, other contexts' packs go first, then this context's oldest entries."""
    bound = 6000
    monkeypatch.setattr(cache_module, "_MAX_BYTES", bound)
    configs = []
    for severity in ("warning", "error", "off"):  # three contexts
        configs.append(Path(f"{severity}.yaml"))
        configs[-1].write_text(f"rules:\n  placeholder: {severity}\n", "utf-8")
    for n in range(30):
        Path(f"f{n}.md").write_text(DOC + f"- 10:{n:02d} step\n", "utf-8")
        assert _lint(capsys, "--config", str(configs[n % 3]), f"f{n}.md")[0] == 1
        assert sum(pack.stat().st_size for pack in _packs()) <= bound, n
    assert 0 < len(_lines()) < 15
    linted.clear()
    _lint(capsys, "--config", str(configs[29 % 3]), "f29.md")
    assert linted == [], "the newest entry is kept"


def _settled(*paths: Path) -> None:
    """Date files a minute back: the cache keeps a config as loaded only once its files are no longer
    changing (a file changed while it was being read could hold other bytes than those loaded)."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past))


def _team_files() -> list[Path]:
    """A config naming a team schema that refers to a second file; the rule severities set in the config."""
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id", None)
    schema["allOf"] = [*schema.get("allOf", []), {"$ref": "extra.json"}]
    Path("team.json").write_text(json.dumps(schema), "utf-8")
    Path("extra.json").write_text('{"type": "object"}', "utf-8")
    Path(".postmortem-check.yaml").write_text("schema: team.json\nrules:\n  placeholder: warning\n", "utf-8")
    Path("pm.md").write_text(DOC + "\n## Action items\n\n- [ ] @ana add an alert (due 2030-01-02)\n", "utf-8")
    files = [Path(name) for name in ("team.json", "extra.json", ".postmortem-check.yaml", "pm.md")]
    _settled(*files)
    return files


def test_a_hit_is_decided_before_the_config_is_loaded_and_any_change_misses(
        linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The config as loaded is kept with the bytes of every file it was read from: while they are unchanged,
    a run neither reads the config's YAML nor loads the schema; any change is a miss."""
    _team_files()
    loads: list[Path] = []
    real = app_module.load_config
    monkeypatch.setattr(app_module, "load_config", lambda path: loads.append(path) or real(path))

    def run() -> tuple[bool, bool, tuple[int, str]]:
        """Whether the config was loaded, whether the file was linted, and what the run printed."""
        before = (len(loads), len(linted))
        schema_with_word_bounds.cache_clear()  # a new process would read the files again
        load_schema.cache_clear()
        _template_in.cache_clear()
        out = _lint(capsys, "pm.md")
        return len(loads) > before[0], len(linted) > before[1], out

    first = run()
    assert first[:2] == (True, True) and first[2][0] == 1
    assert run() == (False, False, first[2]), "a hit before the config and schema are loaded"
    for name, text in [(".postmortem-check.yaml", "schema: team.json\nrules:\n  placeholder: error\n"),
                       ("extra.json", '{"type": "object", "description": "changed"}'),
                       ("team.json", json.dumps({**json.loads(Path("team.json").read_text("utf-8")), "title": "x"}))]:
        Path(name).write_text(text, "utf-8")
        _settled(Path(name))
        assert run()[:2] == (True, True), f"{name} changed"
        assert run()[:2] == (False, False), f"{name} unchanged since"
    Path("extra.json").write_text('{"type": "object", "description": "fresh"}', "utf-8")  # just now
    assert run()[:2] == (True, True)
    assert run()[:2] == (True, False), "a file changed within the last moments: its config is loaded again"


def test_a_manifest_changed_after_it_was_sealed_is_never_trusted(
        linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A manifest whose config was edited in place (its seal kept) is a miss: the config is loaded again."""
    _team_files()
    loads: list[Path] = []
    real = app_module.load_config
    monkeypatch.setattr(app_module, "load_config", lambda path: loads.append(path) or real(path))
    first = _lint(capsys, "pm.md")
    (manifest,) = Path(FOLDER, "contexts").glob("*.manifest")
    data = manifest.read_bytes()
    assert b'"warning"' in data
    manifest.write_bytes(data.replace(b'"warning"', b'"off"'))  # the placeholder rule switched off
    schema_with_word_bounds.cache_clear()
    load_schema.cache_clear()
    loaded = len(loads)
    assert _lint(capsys, "pm.md") == first  # the edited manifest is not used: the finding is still there
    assert len(loads) == loaded + 1


def test_only_the_newest_manifests_are_kept_and_files_left_by_a_dead_writer_are_removed(
        linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_MAX_MANIFESTS", 2)
    Path("pm.md").write_text(DOC, "utf-8")
    for severity in ("warning", "error", "off"):  # three configs, each kept as loaded
        config = Path(f"{severity}.yaml")
        config.write_text(f"rules:\n  placeholder: {severity}\n", "utf-8")
        _settled(config)
        assert _lint(capsys, "--config", str(config), "pm.md")[0] == 1
    contexts, packs = Path(FOLDER) / "contexts", Path(FOLDER) / "packs"
    assert len(list(contexts.glob("*.manifest"))) == 2
    for folder in (contexts, packs):
        (folder / ".tmp-dead").write_bytes(b"half written")
        os.utime(folder / ".tmp-dead", (0, 0))  # long ago: its writer died
        (folder / ".tmp-now").write_bytes(b"being written")
    Path("other.md").write_text(DOC, "utf-8")
    Path("off.yaml").write_text("rules:\n  placeholder: warning\n  missing-section: warning\n", "utf-8")
    _settled(Path("off.yaml"))
    _lint(capsys, "--config", "off.yaml", "other.md")  # a new manifest and a new pack
    for folder in (contexts, packs):
        assert sorted(path.name for path in folder.glob(".tmp-*")) == [".tmp-now"], folder


PROBE = """
import contextlib, io, json, sys
from postmortem_check.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps([code, out.getvalue(), [m for m in ("jsonschema", "mistune", "yaml") if m in sys.modules]]))
"""


def test_a_warm_run_prints_the_same_and_imports_neither_jsonschema_nor_mistune_nor_yaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _team_files()
    env = {**os.environ, "POSTMORTEM_CHECK_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)

    def run(*args: str) -> tuple[int, str, list[str]]:
        done = subprocess.run([sys.executable, "-c", PROBE, "lint", *args, "pm.md"], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        code, out, modules = json.loads(done.stdout.splitlines()[-1])
        return code, out, modules

    for fmt in FORMATS:
        cold = run("--no-cache", "--format", fmt)
        assert cold[0] == 1 and "jsonschema" in cold[2] and "yaml" in cold[2], fmt
        assert run("--format", fmt)[:2] == cold[:2], fmt
        assert run("--format", fmt) == (*cold[:2], []), fmt


@pytest.mark.parametrize("rule", ["warning", "off"])
def test_a_run_on_another_day_misses_while_findings_change_with_the_date(
        rule: str, linted: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """overdue-action-item compares due dates with today: its results are kept for the day they were made."""
    Path(".postmortem-check.yaml").write_text(f"rules:\n  overdue-action-item: {rule}\n", "utf-8")
    Path("pm.md").write_text(DOC + "\n## Action items\n\n- [ ] @ana add an alert (due 2030-01-02)\n", "utf-8")
    _settled(Path(".postmortem-check.yaml"), Path("pm.md"))
    _lint(capsys, "pm.md")
    _lint(capsys, "pm.md")
    assert linted == ["pm.md"], "the same day: a hit"
    monkeypatch.setattr(cache_module, "_today", lambda: "2099-12-31")
    _lint(capsys, "pm.md")
    assert linted == ["pm.md"] * (2 if rule == "warning" else 1)
