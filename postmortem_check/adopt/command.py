"""``postmortem-check init [DIR]``: find, learn, write, and report what a team adopting the tool gets."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from .. import __version__
from .discover import Layout, discover
from .learn import build_schema, practice_sections, template_sections
from .patterns import config_globs, hook_patterns

SCHEMA_FILE = ".postmortem-check.schema.json"
CONFIG_FILE = ".postmortem-check.yaml"
HOOKS_FILE = ".pre-commit-config.yaml"
WORKFLOW_FILE = ".github/workflows/postmortems.yml"
REPOSITORY = "https://github.com/postmortem-check/postmortem-check"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", default=".", metavar="DIR",
                        help="the repository root (default: the current directory)")
    parser.add_argument("--hooks", action="store_true", help=f"also write {HOOKS_FILE}")
    parser.add_argument("--github", action="store_true", help=f"also write {WORKFLOW_FILE}")
    parser.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")


@dataclass
class Plan:
    """What ``init`` learned and the files it writes (relative path -> text)."""

    layout: Layout
    schema: dict[str, Any]
    files: dict[str, str]
    hook: tuple[str, str]


def _config_text(include: list[str], exclude: list[str]) -> str:
    data: dict[str, Any] = {"schema": SCHEMA_FILE, "include": include}
    if exclude:
        data["exclude"] = exclude
    header = ("# Written by postmortem-check init: the team schema it learned, and which files are postmortems.\n"
              "# Paths are relative to this file's folder; see the README for every setting.\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _hook_text(files: str, exclude: str) -> str:
    hook = {"id": "postmortem-check", "files": files, "exclude": exclude}
    data = {"repos": [{"repo": REPOSITORY, "rev": f"v{__version__}", "hooks": [hook]}]}
    return yaml.safe_dump(data, sort_keys=False, width=1_000_000)


def _workflow_text(paths: list[str]) -> str:
    data = {
        "name": "postmortems",
        "on": {"pull_request": {"paths": list(paths)}, "push": {"branches": ["main"], "paths": list(paths)}},
        "permissions": {"contents": "read"},
        "jobs": {"lint": {"runs-on": "ubuntu-latest", "steps": [
            {"uses": "actions/checkout@v4"},
            {"uses": f"postmortem-check/postmortem-check@v{__version__}", "with": {"paths": "."}},
        ]}},
    }
    return yaml.safe_dump(data, sort_keys=False, width=1_000_000).replace("'on':", "on:")


def _workflow_paths(postmortems: list[str]) -> list[str]:
    folders = sorted({str(PurePosixPath(p).parent) for p in postmortems})
    suffixes = sorted({PurePosixPath(p).suffix for p in postmortems if PurePosixPath(p).suffix}) or [".md"]
    return [("" if f == "." else f + "/") + "*" + s for f in folders for s in suffixes]


def plan(root: str, hooks: bool, github: bool) -> Plan:
    """Everything ``init`` would write for the repository at ``root``."""
    from ..schema import load_schema

    vocabulary = load_schema("default").vocabulary
    layout = discover(root, vocabulary)
    if layout.template is not None:
        sections = template_sections(layout.template, vocabulary)
    else:
        sections = practice_sections(layout.postmortems, vocabulary)
    schema = build_schema(sections, layout.postmortems, template=layout.template)
    paths = [c.path for c in layout.postmortems]
    include, exclude = config_globs(paths, layout.all_files)
    files = {SCHEMA_FILE: json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
             CONFIG_FILE: _config_text(include, exclude)}
    hook = hook_patterns(paths, layout.all_files)
    if hooks:
        files[HOOKS_FILE] = _hook_text(*hook)
    if github:
        files[WORKFLOW_FILE] = _workflow_text(_workflow_paths(paths))
    return Plan(layout, schema, files, hook)


def _report(result: Plan, root: str) -> list[str]:
    """What was found, and how the postmortems fare against the learned schema."""
    from ..config import Config
    from ..lint import lint_document
    from ..schema import load_schema

    layout = result.layout
    folders = Counter(str(PurePosixPath(c.path).parent) for c in layout.postmortems)
    lines = [f"found {len(layout.postmortems)} postmortems in "
             + (", ".join(f"{f}/ ({n})" for f, n in sorted(folders.items())) or "no folder")]
    if layout.others:
        lines.append("not postmortems: " + ", ".join(layout.others[:10]) + (" ..." if len(layout.others) > 10 else ""))
    lines.append(f"template: {layout.template.path if layout.template else 'none (learned from the common sections)'}")
    sections = result.schema["properties"]["sections"]
    lines.append("sections required: " + (", ".join(
        f"{sections['properties'][s]['title']} ({s})" for s in sections["required"]) or "none"))
    if not layout.postmortems:
        return lines
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pmc-init-") as work:
        schema_path = os.path.join(work, "schema.json")
        with open(schema_path, "w", encoding="utf-8") as out:
            json.dump(result.schema, out)
        loaded = load_schema(schema_path)
        passing = 0
        rules: Counter[str] = Counter()
        config = Config(schema=schema_path)
        for candidate in layout.postmortems:
            linted = lint_document(candidate.document, loaded, config)
            passing += linted.ok
            rules.update(f.rule for f in linted.findings if f.severity == "error")
    lines.append(f"{passing} of {len(layout.postmortems)} postmortems pass now")
    if rules:
        lines.append("most common remaining errors: " + ", ".join(f"{r} ({n})" for r, n in rules.most_common(3)))
    return lines


def _inside_root(root: str, name: str) -> bool:
    """Whether writing ``name`` under ``root`` stays in the tree: no symbolic link on the way or at the end."""
    path = root
    for part in name.split("/"):
        path = os.path.join(path, part)
        if os.path.islink(path):
            return False
    return True


def run(args: argparse.Namespace) -> int:
    """Find, learn, write (unless ``--dry-run``) and report; 2 when a file exists and ``--force`` is not given."""
    from ..report.text import printable

    root = args.directory
    if not os.path.isdir(root):
        print(f"postmortem-check: error: {printable(root)}: not a directory", file=sys.stderr)
        return 2
    result = plan(root, args.hooks, args.github)
    existing = [name for name in result.files if os.path.lexists(os.path.join(root, name))]
    if existing and not args.force and not args.dry_run:
        for name in existing:
            print(f"postmortem-check: error: {printable(os.path.join(root, name))} already exists; not overwriting it "
                  "(--force to replace it, --dry-run to see what would be written)", file=sys.stderr)
        return 2
    for line in _report(result, root):
        print(printable(line))
    if not result.layout.postmortems:
        print("no postmortems found: name them with a date, 'postmortem' or 'incident', or edit the config")
    print(f"pre-commit hook: files: {printable(result.hook[0])}")
    print(f"                 exclude: {printable(result.hook[1])}")
    outside = [name for name in result.files if not _inside_root(root, name)]
    if outside and not args.dry_run:
        for name in outside:
            print(f"postmortem-check: error: {printable(os.path.join(root, name))} is a symbolic link or lies behind "
                  "one; not writing through it", file=sys.stderr)
        return 2
    for name, text in result.files.items():
        target = os.path.join(root, name)
        if args.dry_run:
            print(f"--- would write {printable(target)}")
            for line in text.splitlines():
                print(printable(line))
            continue
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        with open(target, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"wrote {printable(target)}")
    if not args.hooks:
        print("\nAdd this to .pre-commit-config.yaml (or run init --hooks):")
        sys.stdout.write(_hook_text(*result.hook))
    return 0
