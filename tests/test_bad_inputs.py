"""Bad inputs, one table: each row runs the real command line and asserts a clear message, the documented exit
code (0 clean, 1 findings, 2 usage/config/schema/read error), no traceback, bounded time, and that the other
files of the same run are still checked and reported."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from postmortem_check.batch import lint_paths
from postmortem_check.config import Config
from tests.robustness import ROOT, cli, time_limit

# The file linted beside every bad input: its placeholder on line 7 must be reported whatever else happens.
OTHER = """# Checkout outage

## Summary
Checkout failed for 20 minutes after a deploy.

## Impact
[describe the impact]

## Timeline
- 10:00 deploy
- 10:20 rollback

## Root Cause
A bad config value.

## Resolution
Rolled back.

## Action Items
- Add a config check (owner: @alice)
"""
OTHER_FINDING = re.compile(r"^others/other\.md:7:1: error placeholder ", re.M)
MB = 1024 * 1024


class Recorder(BaseHTTPRequestHandler):
    """An HTTP server that answers everything and remembers that it was asked."""

    requests: list[str] = []  # noqa: RUF012 - shared on purpose: the server runs in a thread

    def do_GET(self) -> None:
        Recorder.requests.append(self.path)
        body = b'{"type": "object"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Where:
    """What a row's ``make`` gets: the run's folder (also its working directory) and the recording server."""

    tmp: Path
    server: str

    def write(self, name: str, content: str | bytes) -> str:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return name


@dataclass
class Row:
    id: str
    make: Callable[[Where], list[str]]  # creates the bad input, returns the arguments after ``lint``
    code: int
    message: str  # a regex the stream must contain
    stream: str = "stdout"
    others_checked: bool = True  # False: a config or schema error stops the run before any file is read
    long: bool = False


# --- the inputs ------------------------------------------------------------------------------------------


def _big(size: int) -> str:
    """A plausible postmortem grown to ``size`` bytes."""
    head = "# Big outage\n\n## Summary\nThe database fell over.\n\n## Timeline\n"
    line = "- 10:00 a log line of the incident, repeated to make the file large [TBD]\n"
    return head + line * ((size - len(head)) // len(line) + 1)


def _config(where: Where, text: str) -> list[str]:
    where.write("cfg.yaml", text)
    return ["--config", "cfg.yaml"]


def _schema(where: Where, text: str, extra: dict[str, str] | None = None) -> list[str]:
    for name, content in (extra or {}).items():
        where.write(name, content)
    return ["--schema", where.write("team/schema.json", text)]


def _ref_schema(ref: str) -> str:
    return json.dumps({"type": "object", "properties": {"front_matter": {"$ref": ref}}})


_BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
         + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)))


def _symlink_loop(where: Where) -> list[str]:
    folder = where.tmp / "tree"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)  # a directory loop
    (folder / "self").symlink_to(".", target_is_directory=True)
    (folder / "a.md").symlink_to("b.md")  # a file loop
    (folder / "b.md").symlink_to("a.md")
    where.write("tree/sub/real.md", "# Outage\n\n## Summary\n[TBD]\n")
    return ["tree"]


def _many_files(where: Where) -> list[str]:
    folder = where.tmp / "many"
    folder.mkdir()
    for index in range(10_000):
        (folder / f"pm{index:05d}.md").write_text("# Summary\n\nThe site was down [TBD].\n", "utf-8")
    return ["many"]


def _fifo(where: Where) -> list[str]:
    os.mkfifo(where.tmp / "pipe.md")
    return ["pipe.md"]


_SECRET = "# SECRET-TITLE\n\n## Summary\n\nextraheader = c2VjcmV0 [TBD]\n"


def _link_out(where: Where, target: str, *args: str) -> list[str]:
    """``pm/x.md`` linking out of the tree (the run's folder): to a file beside it, or into ``.git``."""
    if target == "outside":
        outside = Path(tempfile.mkdtemp(prefix="outside-")) / "secret.md"
        outside.write_text(_SECRET, "utf-8")
        link_to = str(outside)
    else:
        where.write(".git/config", _SECRET)
        link_to = "../.git/config"
    (where.tmp / "pm").mkdir()
    (where.tmp / "pm" / "x.md").symlink_to(link_to)
    return [*args, "pm"]


def _summary_link(where: Where) -> list[str]:
    where.write("real-summary.md", "kept\n")
    (where.tmp / "summary.md").symlink_to("real-summary.md")
    return ["--summary", "summary.md"]


def _config_file(where: Where, schema: str) -> list[str]:
    if schema == "fifo.json":
        os.mkfifo(where.tmp / "fifo.json")
    elif schema == "big.json":
        where.write("big.json", '{"type": "object", "x": "' + "a" * 2 * MB + '"}')
    return _config(where, f"schema: {schema}\n")


ROWS = [
    Row("empty-file", lambda w: [w.write("empty.md", "")], 1,
        r"^(empty\.md:1:1: error missing-section file is empty: missing section '[^']+'.*\n){5}others/"),
    Row("only-front-matter", lambda w: [w.write("fm.md", "---\ntitle: Outage\ndate: 2024-05-01\n---\n")], 1,
        r"^fm\.md:4:1: error missing-section missing section 'Summary'"),
    Row("binary-file", lambda w: [w.write("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")], 1,
        r"^image\.md:3:1: error unreadable-file file is not text: NUL byte at offset 8$"),
    Row("invalid-utf8", lambda w: [w.write("latin.md", "# Résumé\n\nCafé\n".encode("latin-1"))], 1,
        r"^latin\.md:1:1: error unreadable-file file is not valid UTF-8: byte 0xe9 at offset 3$"),
    Row("utf16-bom", lambda w: [w.write("wide.md", "# Summary\n\nText\n".encode("utf-16"))], 1,
        r"^wide\.md:1:1: error unreadable-file file is UTF-16 encoded \(byte order mark at offset 0\); "
        r"save it as UTF-8$"),
    Row("20mb-file", lambda w: [w.write("big.md", _big(20 * MB)[: 20 * MB])], 1,
        r"^big\.md:1:1: error file-too-large file is 20971520 bytes, above the limit of 5242880 \(max_file_size\)$"),
    Row("above-configured-limit", lambda w: [*_config(w, "max_file_size: 2000\n"), w.write("x.md", _big(5000))], 1,
        r"^x\.md:1:1: error file-too-large file is \d+ bytes, above the limit of 2000 \(max_file_size\)$"),
    Row("20mb-file-under-raised-limit",
        lambda w: [*_config(w, "max_file_size: 30000000\n"), w.write("big.md", _big(20 * MB))], 1,
        r"^big\.md:9:\d+: error placeholder template placeholder \[TBD\]", long=True),
    Row("10000-nested-block-quotes", lambda w: [w.write("quotes.md", "> " * 10_000 + "# Summary\n")], 1,
        r"^quotes\.md:1:1: error missing-section missing section 'Timeline'"),
    Row("10000-nested-lists", lambda w: [w.write("lists.md", "- " * 10_000 + "Summary\n")], 1,
        r"^lists\.md:1:1: error missing-section missing section 'Timeline'"),
    Row("10000-nested-quotes-and-lists", lambda w: [w.write("mixed.md", "> 1. - " * 3_334 + "x\n")], 1,
        r"^mixed\.md:1:1: error missing-section missing section 'Timeline'"),
    Row("1000-level-indented-list",
        lambda w: [w.write("indent.md", "".join(" " * (2 * i) + f"- level {i}\n" for i in range(1000)))], 1,
        r"^indent\.md:\d+:1: error missing-section missing section 'Timeline'"),
    Row("1mb-single-line", lambda w: [w.write("line.md", "# Summary\n" + "word " * (MB // 5) + "\n")], 1,
        r"^line\.md:\d+:1: error missing-section missing section 'Timeline'"),
    Row("unclosed-code-fence", lambda w: [w.write("fence.md", "# Summary\n\nText here.\n\n```\n## Timeline\n")], 1,
        r"^fence\.md:5:1: warning unclosed-fence code fence opened here is never closed"),
    Row("malformed-front-matter", lambda w: [w.write("fmbad.md", "---\ntitle: [Outage\n---\n# Summary\n")], 1,
        r"^fmbad\.md:\d:1: error front-matter-yaml front matter is not valid YAML: "),
    Row("front-matter-impossible-date",
        lambda w: [w.write("date.md", "---\ndate: !!timestamp 2024-13-45\n---\n# S\n")], 1,
        r"^date\.md:2:1: error front-matter-yaml front matter is not valid YAML: '2024-13-45' is not a valid date"),
    Row("front-matter-deep-nesting", lambda w: [w.write("deep.md", "---\na: " + "[" * 10_000 + "\n---\n")], 1,
        r"^deep\.md:2:1: error front-matter-yaml front matter is not valid YAML: YAML nested more than 100"),
    Row("front-matter-alias-bomb", lambda w: [w.write("bomb.md", f"---\n{_BOMB}---\n# Summary\n")], 1,
        r"^bomb\.md:3:1: error front-matter-yaml front matter is not valid YAML: YAML aliases \(\*name\) are "
        r"not allowed here$"),
    Row("front-matter-python-tag",
        lambda w: [w.write("tag.md", "---\nx: !!python/object/apply:os.system ['touch pwned']\n---\n")], 1,
        r"^tag\.md:2:1: error front-matter-yaml front matter is not valid YAML: could not determine a "
        r"constructor for the tag 'tag:yaml\.org,2002:python/object/apply:os\.system'$"),
    Row("config-alias-bomb", lambda w: _config(w, _BOMB), 2,
        r"^postmortem-check: error: cfg\.yaml:2: not valid YAML: YAML aliases \(\*name\) are not allowed here$",
        "stderr", others_checked=False),
    Row("config-python-tag", lambda w: _config(w, "schema: !!python/object/apply:os.system ['touch pwned']\n"), 2,
        r"^postmortem-check: error: cfg\.yaml:1: not valid YAML: could not determine a constructor",
        "stderr", others_checked=False),
    Row("config-not-a-mapping", lambda w: _config(w, "- schema\n- default\n"), 2,
        r"^postmortem-check: error: cfg\.yaml:1: the configuration must be a mapping of settings, not a list$",
        "stderr", others_checked=False),
    Row("config-unknown-keys", lambda w: _config(w, "schema: default\ncolour: red\nrules:\n  placeholder: off\n"), 2,
        r"^postmortem-check: error: cfg\.yaml:2: unknown setting 'colour' in \(top level\)$",
        "stderr", others_checked=False),
    Row("schema-not-json", lambda w: _schema(w, "{'type': 'object',}"), 2,
        r"^postmortem-check: error: schema \S*team/schema\.json is not valid JSON: line 1 column 2: ",
        "stderr", others_checked=False),
    Row("schema-not-a-schema", lambda w: _schema(w, '{"type": "banana", "required": "all"}'), 2,
        r"^postmortem-check: error: schema team/schema\.json is not a valid JSON Schema at ",
        "stderr", others_checked=False),
    Row("schema-ref-loop", lambda w: _schema(w, '{"properties": {"sections": {"$ref": "#/$defs/a"}}, '
                                                 '"$defs": {"a": {"$ref": "#/$defs/a"}}}'), 2,
        r"^postmortem-check: error: schema team/schema\.json refers to itself \(\$ref\) in a loop that never "
        r"reaches a value; every \$ref must lead to a keyword that checks something$", "stderr",
        others_checked=False),
    Row("schema-ref-http", lambda w: _schema(w, _ref_schema(f"{w.server}/fm.json")), 2,
        r"^postmortem-check: error: \$ref 'http://127\.0\.0\.1:\d+/fm\.json' points to the network; "
        r"remote schemas are never fetched$", "stderr", others_checked=False),
    Row("schema-ref-https", lambda w: _schema(w, _ref_schema("https://127.0.0.1:9/fm.json#/defs/x")), 2,
        r"^postmortem-check: error: \$ref 'https://127\.0\.0\.1:9/fm\.json#/defs/x' points to the network; "
        r"remote schemas are never fetched$", "stderr", others_checked=False),
    Row("schema-ref-outside-directory",
        lambda w: _schema(w, _ref_schema("../outside.json"), {"outside.json": '{"type": "object"}'}), 2,
        r"^postmortem-check: error: \$ref '\.\./outside\.json' points outside the schema's directory ",
        "stderr", others_checked=False),
    Row("directory-with-symlink-loops", _symlink_loop, 1,
        r"^tree/sub/real\.md:4:1: error placeholder template placeholder \[TBD\]"),
    Row("nonexistent-path", lambda w: ["nope.md"], 2,
        r"^postmortem-check: error: nope\.md: no such file or directory$", "stderr"),
    Row("named-fifo", _fifo, 2,
        r"^postmortem-check: error: pipe\.md: not a regular file or directory$", "stderr"),
    Row("named-link-loop", lambda w: (os.symlink("loop.md", w.tmp / "loop.md"), ["loop.md"])[1], 2,
        r"^postmortem-check: error: loop\.md: a symbolic link to nothing \(broken, or a link loop\)$", "stderr"),
    Row("link-to-a-file-outside-the-tree", lambda w: _link_out(w, "outside"), 1,
        r"^pm/x\.md:1:1: error symlink-outside symbolic link to a file outside the repository; not followed$"),
    Row("link-into-git-config", lambda w: _link_out(w, "git"), 1, r"^pm/x\.md:1:1: error symlink-outside "),
    Row("fix-meets-a-link-out-of-the-tree", lambda w: _link_out(w, "outside", "--fix"), 1,
        r"^pm/x\.md:1:1: error symlink-outside "),
    Row("summary-path-is-a-link", _summary_link, 2,
        r"^postmortem-check: error: summary summary\.md: cannot be written: is a symbolic link; not writing "
        r"through it$", "stderr"),
    Row("schema-dev-zero", lambda w: _config_file(w, "/dev/zero"), 2,
        r"^postmortem-check: error: cfg\.yaml:1: /schema: schema /dev/zero cannot be read: not a regular file$",
        "stderr", others_checked=False),
    Row("schema-fifo", lambda w: _config_file(w, "fifo.json"), 2,
        r"^postmortem-check: error: cfg\.yaml:1: /schema: schema fifo\.json cannot be read: not a regular file$",
        "stderr", others_checked=False),
    Row("schema-over-1mib", lambda w: _config_file(w, "big.json"), 2,
        r"^postmortem-check: error: cfg\.yaml:1: /schema: schema big\.json cannot be read: larger than 1048576 "
        r"bytes$", "stderr", others_checked=False),
    Row("config-fifo", lambda w: (os.mkfifo(w.tmp / "cfg.yaml"), ["--config", "cfg.yaml"])[1], 2,
        r"^postmortem-check: error: cfg\.yaml: cannot be read: not a regular file$", "stderr", others_checked=False),
    Row("config-dev-zero", lambda w: ["--config", "/dev/zero"], 2,
        r"^postmortem-check: error: /dev/zero: cannot be read: not a regular file$", "stderr", others_checked=False),
    Row("10000-files-in-one-directory", _many_files, 1,
        r"^many/pm09999\.md:3:19: error placeholder template placeholder \[TBD\] left in the document; "
        r"replace it with the real value\nothers/other\.md:7:1: error placeholder .*\n10001 files checked: "),
]


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=[pytest.mark.long] if r.long else []) for r in ROWS])
def test_bad_input(row: Row, tmp_path: Path, server: str) -> None:
    Recorder.requests.clear()
    (tmp_path / "others").mkdir()
    (tmp_path / "others" / "other.md").write_text(OTHER, "utf-8")
    args = ["lint", *row.make(Where(tmp_path, server)), "others"]
    run = cli(args, cwd=tmp_path, timeout=600)  # only a hang fails this
    output = run.stdout if row.stream == "stdout" else run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.returncode == row.code, (run.returncode, run.stdout[-2000:], run.stderr)
    assert re.search(row.message, output, re.M), output[-3000:]
    if row.others_checked:
        assert OTHER_FINDING.search(run.stdout), run.stdout[-2000:]
        assert re.search(r"^\d+ files? checked: ", run.stdout, re.M)
    else:
        assert run.stdout == "", "a config or schema error stops the run before any file is read"
    assert not (tmp_path / "pwned").exists(), "YAML ran code"
    assert "c2VjcmV0" not in run.stdout + run.stderr, "a file out of the tree was read"
    assert Recorder.requests == [], "a schema $ref was fetched"


def test_file_deleted_between_listing_and_reading(tmp_path: Path) -> None:
    """Deleting a listed file while ``lint_paths`` iterates: a read problem for it, the rest still linted."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (folder / name).write_text(OTHER, "utf-8")
    problems: list[str] = []
    linted = []
    with time_limit(120):
        for result in lint_paths([str(folder)], Config(), problems):
            linted.append(Path(result.path).name)
            if result.path.endswith("a.md"):
                (folder / "b.md").unlink()
    assert linted == ["a.md", "c.md"]
    assert problems == [f"{folder / 'b.md'}: cannot be read: No such file or directory"]


def test_file_deleted_while_the_command_line_runs(tmp_path: Path) -> None:
    """The same through the real command line: a listed file vanishes while an earlier, slow file is linted."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(OTHER, "utf-8")
    (folder / "b.md").write_text(_big(MB // 2), "utf-8")  # takes a while: time to delete c.md
    (folder / "c.md").write_text(OTHER, "utf-8")
    (folder / "d.md").write_text(OTHER, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_ACTIONS": ""}
    with subprocess.Popen([sys.executable, "-c", "from postmortem_check.cli import run; run()", "lint", "docs"],
                          cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        first = child.stdout.readline()  # a.md has been read and reported; the folder was listed before it
        assert first.startswith("docs/a.md:"), first
        (folder / "c.md").unlink()
        stdout, stderr = child.communicate(timeout=600)
    stdout = first + stdout
    assert child.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert stderr == "postmortem-check: error: docs/c.md: cannot be read: No such file or directory\n"
    assert re.search(r"^docs/d\.md:7:1: error placeholder ", stdout, re.M), "files after the vanished one"
    assert re.search(r"^docs/b\.md:", stdout, re.M)
    assert re.search(r"^3 files checked: ", stdout, re.M)


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_a_removed_working_directory_is_one_clear_error(tmp_path: Path, where: str) -> None:
    """Started in a folder removed before the run: exit 2 and one line naming it, never a traceback."""
    document = tmp_path / "pm.md"
    document.write_text("# Outage\n\n## Summary\n\nIt broke.\n", "utf-8")
    path = "pm.md" if where == "relative" else str(document)
    script = f"mkdir gone && cd gone && rmdir ../gone && exec {sys.executable} -m postmortem_check lint {path}"
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("postmortem-check: error: the working directory cannot be read: "
                           "No such file or directory\n")
