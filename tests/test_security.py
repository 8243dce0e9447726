"""Security: lint never touches the network, YAML is only loaded safely, text and JSON output carry hostile
document text inertly, and the GitHub token never appears in any output or log of the issues command."""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postmortem_check.cli import main
from tests.conftest import CORPUS, SEEDS
from tests.robustness import ROOT, available_formats, cli, cli_batch, time_limit

PACKAGE = ROOT / "postmortem_check"

# Installed first on sys.path of a child process: any socket use is recorded and refused.
NO_NETWORK = '''
import os, socket

def _refuse(*args, **kwargs):
    with open(os.environ["NETWORK_ATTEMPTS"], "a", encoding="utf-8") as log:
        log.write(repr(args[1:] if args else kwargs)[:200] + "\\n")
    raise OSError("network access is blocked in this test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.socket.sendto = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''

HOSTILE_DOC = (
    "# \x1b[2J\x1b]0;owned\x07Outage \u202eemosewa\u202c\n\n"
    "## Summary\n::add-mask::secret %0A::error::injected <script>alert(1)</script>\n\n"
    "## Timeline\n- \x1b[31mno time here\x08\x08\n- 10:00 \x1b[0m ok\n\n"
    "## Action Items\n- [ ] [describe \x1b[5m the fix] @alice\n"
)


def _documents() -> list[Path]:
    found = []
    for folder in (SEEDS, CORPUS):
        if folder.is_dir():
            found += [p for p in sorted(folder.iterdir()) if p.suffix != ".tsv"]
    return found


@pytest.fixture
def no_network(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a child process in which every connection attempt is logged and refused."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK, "utf-8")
    attempts = tmp_path / "network-attempts.log"
    yield {"PYTHONPATH": f"{site}:{ROOT}", "NETWORK_ATTEMPTS": str(attempts)}
    assert not attempts.exists(), attempts.read_text("utf-8")


def test_the_network_guard_catches_a_connection(tmp_path: Path) -> None:
    """The guard used below is real: a connection attempt under it is logged."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK, "utf-8")
    log = tmp_path / "log"
    run = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9), 1)"],
                         env={"PYTHONPATH": str(site), "NETWORK_ATTEMPTS": str(log), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0 and log.exists()


def test_lint_makes_no_network_call_in_any_format(tmp_path: Path, no_network: dict[str, str]) -> None:
    documents = _documents()
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.md").write_text(HOSTILE_DOC, "utf-8")
    formats = available_formats()
    batch = [["lint", "--format", fmt, "--summary", str(tmp_path / "summary.md"), "docs", *map(str, documents)]
             for fmt in formats]
    for fmt, (code, out, err) in zip(formats, cli_batch(batch, cwd=tmp_path, env=no_network, timeout=600),
                                     strict=True):
        assert code in (0, 1), (fmt, err)
        assert out, fmt
        assert "Traceback" not in err
    assert not Path(no_network["NETWORK_ATTEMPTS"]).exists(), "a connection was attempted"


def test_a_remote_schema_ref_is_refused_without_a_connection(tmp_path: Path, no_network: dict[str, str]) -> None:
    schema = {"type": "object", "properties": {"front_matter": {"$ref": "https://example.com/fm.json"}},
              "allOf": [{"$ref": "http://example.com/all.json"}]}
    (tmp_path / "schema.json").write_text(json.dumps(schema), "utf-8")
    (tmp_path / "a.md").write_text("# Summary\n", "utf-8")
    run = cli(["lint", "--schema", "schema.json", "a.md"], cwd=tmp_path, env=no_network, timeout=120)
    assert run.returncode == 2
    assert "remote schemas are never fetched" in run.stderr


def test_lint_in_process_with_sockets_blocked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The same in this process: connect raises for the whole of a lint run over real documents."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"lint tried to connect: {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    (tmp_path / "hostile.md").write_text(HOSTILE_DOC, "utf-8")
    for fmt in available_formats():
        code = main(["lint", "--jobs", "1", "--format", fmt, str(tmp_path), *map(str, _documents())])
        captured = capsys.readouterr()
        assert code in (0, 1), captured.err


# --- YAML ------------------------------------------------------------------------------------------------

# Our own loaders are named here only because the next test proves they are safe-loader subclasses.
_SAFE_LOADERS = {"yaml.SafeLoader", "yaml.CSafeLoader", "SafeLoader", "CSafeLoader", "_safe_loader()",
                 "_fast_loader()"}
_UNSAFE_NAMES = re.compile(r"\b(unsafe_load|full_load|FullLoader|UnsafeLoader|yaml\.Loader|CLoader|"
                           r"unsafe_load_all|full_load_all|add_multi_constructor)\b")


def _yaml_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml":
            yield node


def test_yaml_is_only_loaded_with_safe_loaders() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert sources
    for path in sources:
        text = path.read_text("utf-8")
        assert not _UNSAFE_NAMES.search(text), f"{path}: {_UNSAFE_NAMES.search(text)}"
        for call in _yaml_calls(ast.parse(text)):
            name = call.func.attr  # type: ignore[attr-defined]
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if name in ("load", "load_all", "compose", "compose_all", "parse", "scan"):
                loaders = [ast.unparse(k.value) for k in call.keywords if k.arg == "Loader"]
                assert len(call.args) == 1 and loaders, f"{where}: yaml.{name} without an explicit Loader="
                assert loaders[0] in _SAFE_LOADERS, f"{where}: yaml.{name} with Loader={loaders[0]}"
            else:
                assert name in ("safe_load", "safe_load_all", "safe_dump", "dump", "YAMLError"), f"{where}: {name}"


def test_the_front_matter_loader_constructs_no_python_objects() -> None:
    import yaml

    from postmortem_check.document import _fast_loader, _safe_loader, load_yaml

    for loader in (_safe_loader(), _fast_loader() or _safe_loader()):
        assert issubclass(loader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        assert not any("python" in tag for tag in loader.yaml_constructors if tag)
        assert not any("python" in tag for tag in loader.yaml_multi_constructors)
    for text in ("a: !!python/object/apply:os.system ['true']", "a: !!python/name:os.system",
                 "a: !!python/object/new:subprocess.Popen [['true']]"):
        with pytest.raises(yaml.YAMLError):
            load_yaml(text)


# --- text and JSON output --------------------------------------------------------------------------------

_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_text_output_sends_no_control_sequence_to_the_terminal(tmp_path: Path) -> None:
    name = "evil\x1b[2J\nname\u202e.md"
    (tmp_path / name).write_text(HOSTILE_DOC, "utf-8")
    run = cli(["lint", "--format", "text", "."], cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines and all(not _TERMINAL_CONTROLS.search(line) for line in lines), run.stdout
    findings = lines[:-1]
    assert findings and all(line.startswith("./evil\\x1b[2J\\x0aname\\u202e.md:") for line in findings)
    assert any("\\x1b[31mno time here\\x08\\x08" in line for line in findings), "escaped, not dropped"
    missing = cli(["lint", "gone\x1b]0;x\x07.md"], cwd=tmp_path, timeout=120)
    assert missing.returncode == 2
    assert not _TERMINAL_CONTROLS.search(missing.stderr), missing.stderr


def test_json_output_carries_hostile_text_exactly_and_inertly(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b\u2028.md").write_text(HOSTILE_DOC, "utf-8")
    run = cli(["lint", "--format", "json", "."], cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr
    assert not re.search("[\x00-\x1f\x7f]", run.stdout.replace("\n", "")), "raw control characters in JSON"
    document = json.loads(run.stdout)
    assert document["files"][0]["path"] == "./evil\x1b\u2028.md"
    messages = [f["message"] for f in document["files"][0]["findings"]]
    assert any("\x1b[31mno time here\x08\x08" in m for m in messages), "JSON keeps the text, escaped by JSON"


def test_non_utf8_file_name_does_not_break_any_format(tmp_path: Path) -> None:
    raw = bytes(tmp_path / "docs") + b"/caf\xe9.md"
    Path(raw.decode("utf-8", "surrogateescape")).parent.mkdir()
    with open(raw, "w", encoding="utf-8") as handle:
        handle.write("# Summary\n")
    for fmt in available_formats():
        run = cli(["lint", "--format", fmt, "--summary", "summary.md", "docs"], cwd=tmp_path,
                  env={"PYTHONIOENCODING": "utf-8"}, timeout=120)
        assert run.returncode == 1, (fmt, run.stderr)
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
        assert "caf" in run.stdout


# --- the token -------------------------------------------------------------------------------------------

TOKEN = "ghp_SeCrEtT0kenThatMustNeverBePrinted42"
DEBUG_LOGGING = "import logging, sys\nlogging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"


@pytest.mark.parametrize("scenario", ["ok", "bad-token", "list-500", "create-502", "drop", "rate-limit",
                                      "dry-run"])
def test_the_token_never_appears_in_output_or_logs(scenario: str, tmp_path: Path) -> None:
    """The real ``issues`` command against a local GitHub API, with every logger at DEBUG on stderr."""
    pytest.importorskip("github")
    try:
        from tests.fake_github import FakeGitHub
    except ImportError:
        pytest.skip("the local GitHub API for tests is not on this branch")
    github = FakeGitHub(token=TOKEN).start()
    try:
        if scenario == "list-500":
            github.fault("GET", "list", "500", times=50)
        elif scenario == "create-502":
            github.fault("POST", "create", "502", times=50)
        elif scenario == "drop":
            github.fault("POST", "create", "drop", times=50)
        elif scenario == "rate-limit":
            github.fault("POST", "create", "403-primary", seconds=3600)
        site = tmp_path / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(DEBUG_LOGGING, "utf-8")
        (tmp_path / ".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  max_wait: 1\n", "utf-8")
        (tmp_path / "pm.md").write_text(HOSTILE_DOC + f"- [ ] Rotate the token {TOKEN[:8]} @bob\n", "utf-8")
        env = {"PYTHONPATH": f"{site}:{ROOT}", "GITHUB_REPOSITORY": "acme/ops",
               "GITHUB_TOKEN": "wrong-token-also-secret" if scenario == "bad-token" else TOKEN}
        extra = ["--dry-run"] if scenario == "dry-run" else []
        for fmt in ("text", "json"):
            run = cli(["issues", "--api-url", github.url, "--allow-invalid", "--format", fmt, *extra, "pm.md"],
                      cwd=tmp_path, env=env, timeout=300)
            output = run.stdout + run.stderr
            assert "Traceback" not in run.stderr, run.stderr
            assert TOKEN not in output and "wrong-token-also-secret" not in output, output
            assert run.returncode in (0, 1, 2)
            if scenario == "ok":
                assert run.returncode == 0, output
            if scenario == "bad-token":
                assert run.returncode == 2, output
    finally:
        github.stop()


# --- reading and writing outside the tree ---------------------------------------------------------------

SECRET = "# SECRET-TITLE-7f3a\n\n## Summary\n\nextraheader = AUTHORIZATION: basic c2VjcmV0\n"
PLAIN = "# Outage\n\n## Summary\n\nThe proxy was down.\n"


def _tree_with_links(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose postmortems folder holds links out of it (a file, its own .git/config) and in it."""
    repo, outside = tmp_path / "repo", tmp_path / "outside.md"
    outside.write_text(SECRET, "utf-8")
    (repo / "pm").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text(SECRET, "utf-8")
    (repo / "pm" / "ok.md").write_text(PLAIN, "utf-8")
    (repo / "pm" / "x.md").symlink_to(outside)
    (repo / "pm" / "g.md").symlink_to("../.git/config")
    (repo / "pm" / "in.md").symlink_to("ok.md")  # stays in the tree: linted
    return repo, outside


def test_a_link_out_of_the_tree_is_a_finding_and_is_never_read(tmp_path: Path) -> None:
    repo, _ = _tree_with_links(tmp_path)
    run = cli(["lint", "pm", "--format", "json", "--summary", "summary.md"], cwd=repo)
    assert run.returncode == 1, run.stderr
    rules = {(r["path"], f["rule"]) for r in json.loads(run.stdout)["files"] for f in r["findings"]}
    assert ("pm/x.md", "symlink-outside") in rules and ("pm/g.md", "symlink-outside") in rules
    assert not any(rule == "symlink-outside" for path, rule in rules if path in ("pm/in.md", "pm/ok.md"))
    everything = run.stdout + run.stderr + (repo / "summary.md").read_text("utf-8")
    assert "SECRET" not in everything and "c2VjcmV0" not in everything


def test_a_repository_named_from_outside_is_the_tree_its_links_may_reach(tmp_path: Path) -> None:
    """Linted from another folder, a link to a sibling folder of the same repository is followed; one out
    of the repository, or into its .git, is still refused."""
    repo, _ = _tree_with_links(tmp_path)
    (repo / "shared").mkdir()
    (repo / "shared" / "common.md").write_text(PLAIN, "utf-8")
    (repo / "pm" / "sibling.md").symlink_to("../shared/common.md")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = cli(["lint", str(repo / "pm"), "--format", "json"], cwd=elsewhere)
    rules = {(Path(r["path"]).name, f["rule"]) for r in json.loads(run.stdout)["files"] for f in r["findings"]}
    assert ("x.md", "symlink-outside") in rules and ("g.md", "symlink-outside") in rules
    assert ("sibling.md", "symlink-outside") not in rules and ("sibling.md", "missing-section") in rules
    assert "SECRET" not in run.stdout + run.stderr


def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path: Path) -> None:
    repo, outside = _tree_with_links(tmp_path)
    run = cli(["lint", "--fix", "pm"], cwd=repo)
    assert "Traceback" not in run.stderr
    assert outside.read_text("utf-8") == SECRET
    assert (repo / ".git" / "config").read_text("utf-8") == SECRET
    assert "## Timeline" in (repo / "pm" / "ok.md").read_text("utf-8"), "a file in the tree is still fixed"


def test_the_summary_is_not_written_through_a_link(tmp_path: Path) -> None:
    repo, outside = _tree_with_links(tmp_path)
    (repo / "summary.md").symlink_to(outside)
    run = cli(["lint", "pm/ok.md", "--summary", "summary.md"], cwd=repo)
    assert run.returncode == 2
    assert run.stderr == ("postmortem-check: error: summary summary.md: cannot be written: "
                          "is a symbolic link; not writing through it\n")
    assert outside.read_text("utf-8") == SECRET


def test_globs_never_follow_directory_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postmortem_check.config import Config
    from postmortem_check.discover import expand_glob

    (tmp_path / "pm" / "sub").mkdir(parents=True)
    (tmp_path / "pm" / "sub" / "a.md").write_text(PLAIN, "utf-8")
    (tmp_path / "pm" / "self").symlink_to(".", target_is_directory=True)
    (tmp_path / "pm" / "sub" / "up").symlink_to("..", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    with time_limit(60):
        assert expand_glob("pm/**/*.md", Config()) == ["pm/sub/a.md"]


def test_a_fifo_met_after_listing_is_refused_without_blocking(tmp_path: Path) -> None:
    from postmortem_check.config import Config
    from postmortem_check.lint import lint_file, schema_for

    fifo = tmp_path / "swapped.md"
    os.mkfifo(fifo)
    with time_limit(30), pytest.raises(OSError, match="not a regular file"):
        lint_file(str(fifo), schema_for(Config()), Config())


@pytest.mark.parametrize("schema", ["/dev/zero", "fifo.json", "big.json"])
def test_config_and_schema_files_must_be_small_regular_files(tmp_path: Path, schema: str) -> None:
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "big.json").write_text('{"type": "object", "x": "' + "a" * 2_000_000 + '"}', "utf-8")
    (tmp_path / "c.yaml").write_text(f"schema: {schema}\n", "utf-8")
    (tmp_path / "a.md").write_text(PLAIN, "utf-8")
    run = cli(["lint", "--config", "c.yaml", "a.md"], cwd=tmp_path, timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    reason = "larger than 1048576 bytes" if schema == "big.json" else "not a regular file"
    assert run.stderr == f"postmortem-check: error: c.yaml:1: /schema: schema {schema} cannot be read: {reason}\n"


def test_an_unreadable_directory_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pm" / "locked").mkdir(parents=True)
    (tmp_path / "pm" / "a.md").write_text(PLAIN, "utf-8")
    real = os.scandir

    def scandir(path: Any = ".") -> Any:  # what a folder without the read permission does (even for root)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    code = main(["lint", "pm"])
    assert code == 2
    assert capsys.readouterr().err == "postmortem-check: error: pm/locked: cannot be read: Permission denied\n"


def test_an_unreadable_directory_through_the_command_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any folder; the in-process test covers it")
    locked = tmp_path / "pm" / "locked"
    locked.mkdir(parents=True)
    (tmp_path / "pm" / "a.md").write_text(PLAIN, "utf-8")
    locked.chmod(0)
    try:
        run = cli(["lint", "pm"], cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert run.returncode == 2
    assert "postmortem-check: error: pm/locked: cannot be read: Permission denied\n" in run.stderr


# --- output streams, new --title, escaping ---------------------------------------------------------------

def _entry(*args: str) -> list[str]:
    return [sys.executable, "-m", "postmortem_check", *args]  # the console script's entry point


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "INPUT_"))}
    return {**base, "PYTHONPATH": str(ROOT), **extra}


def _many(tmp_path: Path) -> Path:
    folder = tmp_path / "pm"
    folder.mkdir()
    for number in range(60):
        (folder / f"pm{number:03d}.md").write_text("# x\n\n[TBD]\n" * 40, "utf-8")
    return folder


@pytest.mark.parametrize("args", [["lint", "a.md"], ["--version"]])
def test_closed_standard_output_is_one_clear_line(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "a.md").write_text(PLAIN, "utf-8")
    command = " ".join(f"'{part}'" for part in _entry(*args)) + " >&-"
    run = subprocess.run(["sh", "-c", command], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert run.stderr == "postmortem-check: error: standard output is closed\n"


@pytest.mark.parametrize("unbuffered", ["", "1"])  # a write fails at once, or when the buffer is flushed
@pytest.mark.parametrize("args", [["lint", "pm"], ["--version"], ["--help"]])
def test_full_standard_output_is_one_clear_line(tmp_path: Path, args: list[str], unbuffered: str) -> None:
    _many(tmp_path)
    with open("/dev/full", "w") as full:
        run = subprocess.run(_entry(*args), cwd=tmp_path, env=_env(PYTHONUNBUFFERED=unbuffered), stdout=full,
                             stderr=subprocess.PIPE, text=True, timeout=300)
    assert run.returncode == 2
    assert run.stderr == "postmortem-check: error: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_a_closed_pipe_exits_as_a_pipe_expects(tmp_path: Path, locale: str) -> None:
    _many(tmp_path)
    env = _env(LC_ALL=locale, PYTHONCOERCECLOCALE="0", PYTHONUTF8="0" if locale == "C" else "1")
    with subprocess.Popen(_entry("lint", "pm"), cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        child.stdout.readline()
        child.stdout.close()  # what ``| head -1`` does
        stderr = child.stderr.read()
        code = child.wait(timeout=300)
    assert code == 141, stderr
    assert stderr == b""


@pytest.mark.parametrize("title, locale", [(b"Caf\xe9", "C.UTF-8"), ("Café".encode(), "C")])
def test_new_refuses_a_title_that_is_not_text_before_writing(tmp_path: Path, title: bytes, locale: str) -> None:
    env = _env(LC_ALL=locale, PYTHONCOERCECLOCALE="0", PYTHONUTF8="0")
    command = [os.fsencode(part) for part in _entry("new", "-o", "pm.md", "--title")] + [title]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith(b"postmortem-check: error: --title is not valid UTF-8 text"), run.stderr
    assert b"Traceback" not in run.stderr
    assert not (tmp_path / "pm.md").exists(), "no empty file left to block the next new"


def test_bidi_and_escape_in_names_and_text_are_escaped_in_summary_and_annotations(tmp_path: Path) -> None:
    name = "a\u202eb\x1b[2Jc.md"
    (tmp_path / name).write_text("# T\u202eitle\x1b]0;x\x07\n\n## Summary\n\n[TBD] \u2066x\n", "utf-8")
    run = cli(["lint", name, "--format", "github", "--summary", "summary.md"], cwd=tmp_path)
    assert run.returncode == 1
    summary = (tmp_path / "summary.md").read_text("utf-8")
    for output in (run.stdout, summary):
        assert not any(char in output for char in "\u202e\u2066\x1b\x07"), output
    assert "file=a\\u202eb\\x1b[2Jc.md," in run.stdout


def test_an_atomic_write_never_writes_through_a_name_planted_for_its_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file beside the target is created anew, for this user only: a link or file already at
    its (random) name is neither followed nor overwritten; another name is drawn."""
    from postmortem_check import files

    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not yours\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    names = iter([b"\x01" * 8, b"\x01" * 8, b"\x02" * 8])
    monkeypatch.setattr(files.os, "urandom", lambda size: next(names))
    os.symlink(outside, tree / f".pm.md.{'01' * 8}.tmp")
    (tree / "pm.md").write_bytes(b"old\n")
    created: list[int] = []
    real_replace = files.os.replace
    monkeypatch.setattr(files.os, "replace",
                        lambda source, target: (created.append(os.stat(source).st_mode), real_replace(source, target)))
    files.replace_file(str(tree / "pm.md"), [b"new\n"], ".pm.md.", ".tmp")
    assert (tree / "pm.md").read_bytes() == b"new\n"
    assert outside.read_bytes() == b"not yours\n"
    assert [oct(mode & 0o777) for mode in created] == ["0o600"]


def test_an_atomic_write_leaves_a_file_that_changed_meanwhile_alone(tmp_path: Path) -> None:
    from postmortem_check.files import ChangedDuringRun, write_atomic

    path = tmp_path / "pm.md"
    path.write_bytes(b"edited by someone else\n")
    with pytest.raises(ChangedDuringRun):
        write_atomic(str(path), b"ours\n", expected=b"what we read\n")
    assert path.read_bytes() == b"edited by someone else\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]  # no temporary file left behind
    write_atomic(str(path), b"ours\n", expected=b"edited by someone else\n")
    assert path.read_bytes() == b"ours\n"
