"""``postmortem-check init``: what it finds, learns and writes, and what lint then reports, file by file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from postmortem_check.adopt.patterns import hook_patterns
from postmortem_check.cli import main
from tests.conftest import SHARED, need_shared

REALREPOS = SHARED / "realrepos"

TEMPLATE = """# Incident Title

## Summary

Describe what happened in two or three sentences.

## Timeline

| Time | Event |
|------|-------|
| YYYY-MM-DD HH:mm | Short event description |

## Contributing Factors

-

## Action Items

- [ ] [describe the action item]

## Attendees

- Someone (use initials)
"""


def _postmortem(title: str, *, drop: str = "", extra: str = "", front: str = "") -> str:
    sections = {
        "Summary": "The billing API returned errors for twenty minutes after a deploy.",
        "Timeline": "| Time | Event |\n|------|-------|\n| 2026-01-05 10:02 | Alert fired |\n"
                    "| 2026-01-05 10:20 | Rolled back |",
        "Contributing Factors": "A migration locked the invoices table.",
        "Action Items": "- [ ] Add a lock timeout to migrations",
        "Attendees": "- LW, MK",
    }
    body = "".join(f"## {name}\n\n{text}\n\n" for name, text in sections.items() if name != drop)
    return front + f"# {title}\n\n{extra}{body}"


def _repository(root: Path) -> None:
    folder = root / "postmortems"
    folder.mkdir()
    (folder / "TEMPLATE.md").write_text(TEMPLATE, encoding="utf-8")
    (folder / "README.md").write_text("# Postmortems\n\nOne file per incident; copy TEMPLATE.md.\n", encoding="utf-8")
    (folder / "2026-01-05-billing.md").write_text(_postmortem("Billing errors"), encoding="utf-8")
    (folder / "2026-01-12-search.md").write_text(_postmortem("Search slow"), encoding="utf-8")
    (folder / "2026-02-01-login.md").write_text(_postmortem("Login failures", drop="Contributing Factors"),
                                                 encoding="utf-8")
    (folder / "2026-02-09-queue.md").write_text(
        _postmortem("Queue backlog", extra="Describe what happened in two or three sentences.\n\n"), encoding="utf-8")
    (folder / "2026-03-02-dns.md").write_text(
        _postmortem("DNS outage", drop="Action Items", front="---\nstatus: draft\n---\n"), encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "guide.md").write_text("# How we deploy\n\nSteps.\n", encoding="utf-8")


def test_init_learns_the_template_and_lint_reports_file_by_file(tmp_path, capsys, monkeypatch):
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--hooks", "--github"]) == 0
    out = capsys.readouterr().out
    assert "found 5 postmortems in postmortems/ (5)" in out
    assert "template: postmortems/TEMPLATE.md" in out

    schema = json.loads((tmp_path / ".postmortem-check.schema.json").read_text())
    sections = schema["properties"]["sections"]
    assert sections["required"] == ["summary", "timeline", "root_cause", "corrective_actions", "attendees"]
    assert sections["properties"]["root_cause"]["title"] == "Contributing Factors"
    assert sections["properties"]["root_cause"]["x-headings"][0] == "Contributing Factors"
    assert "Root Cause" in sections["properties"]["root_cause"]["x-headings"]
    assert "resolution" not in sections["required"]  # the template never asks for it
    assert "Describe what happened in two or three sentences." in schema["x-template-text"]

    config = yaml.safe_load((tmp_path / ".postmortem-check.yaml").read_text())
    assert config["schema"] == ".postmortem-check.schema.json"
    assert config["include"] == ["*.md"]
    assert "docs" in config["exclude"]
    hook = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    selected = {p for p in ("postmortems/2026-01-05-billing.md", "postmortems/TEMPLATE.md", "postmortems/README.md",
                            "docs/guide.md", "postmortems/2027-05-05-next.md")
                if re.search(hook["files"], p) and not re.search(hook["exclude"], p)}
    assert selected == {"postmortems/2026-01-05-billing.md", "postmortems/2027-05-05-next.md"}
    assert (tmp_path / ".github" / "workflows" / "postmortems.yml").is_file()

    assert main(["lint", "--format", "json", "."]) == 1
    files = {Path(f["path"]).name: f["findings"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert set(files) == {"2026-01-05-billing.md", "2026-01-12-search.md", "2026-02-01-login.md",
                          "2026-02-09-queue.md", "2026-03-02-dns.md"}
    assert files["2026-01-05-billing.md"] == []
    assert files["2026-01-12-search.md"] == []
    assert [(f["rule"], f["section"]) for f in files["2026-02-01-login.md"]] == [("missing-section", "root_cause")]
    assert [(f["rule"], f["line"]) for f in files["2026-02-09-queue.md"]] == [("placeholder", 3)]
    draft = files["2026-03-02-dns.md"]
    assert {f["rule"] for f in draft} == {"draft", "missing-section"}
    assert {f["severity"] for f in draft} == {"warning"}


def test_init_never_overwrites_without_force_and_dry_run_writes_nothing(tmp_path, capsys):
    _repository(tmp_path)
    (tmp_path / ".postmortem-check.yaml").write_text("schema: default\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / ".postmortem-check.yaml").read_text() == "schema: default\n"
    assert main(["init", "--dry-run", str(tmp_path)]) == 0
    assert "would write" in capsys.readouterr().out
    assert not (tmp_path / ".postmortem-check.schema.json").exists()
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert (tmp_path / ".postmortem-check.yaml").read_text() != "schema: default\n"


def test_hook_patterns_select_exactly_the_postmortems():
    postmortems = ["2021-05/2021-05-09-a.md", "2023-04/04-25-b.md", "notes/PM2021-004 - c.md", "x/y/d"]
    others = ["README.md", "2021-05/README.md", "template.md", "notes/index.md", "x/y/notes.sh", "x/README"]
    files, exclude = hook_patterns(postmortems, postmortems + others)
    chosen = [p for p in postmortems + others if re.search(files, p) and not re.search(exclude, p)]
    assert chosen == postmortems
    assert re.search(files, "2027-01/2027-01-01-new.md")  # next month's folder too
    files, exclude = hook_patterns(["a/index.md"], ["a/index.md", "a/README.md"])  # a postmortem named "index"
    assert [p for p in ("a/index.md", "a/README.md") if re.search(files, p) and not re.search(exclude, p)] == [
        "a/index.md"]


@pytest.mark.parametrize("folder", sorted(p.stem for p in (REALREPOS / "labels").glob("*.json"))
                         if (REALREPOS / "labels").is_dir() else ["<no shared folder>"])
def test_printed_hook_pattern_matches_every_labelled_postmortem(folder, tmp_path, capsys):
    need_shared(REALREPOS / "labels")
    labels = json.loads((REALREPOS / "labels" / f"{folder}.json").read_text())
    work = tmp_path / "repo"
    shutil.copytree(REALREPOS / folder, work)
    assert main(["init", "--dry-run", str(work)]) == 0
    out = capsys.readouterr().out
    files = re.search(r"^pre-commit hook: files: (.*)$", out, re.M).group(1)
    exclude = re.search(r"^ +exclude: (.*)$", out, re.M).group(1)
    for path in labels["files"]:
        assert re.search(files, path) and not re.search(exclude, path), path
    for path in labels["not_postmortems"]:
        assert not (re.search(files, path) and not re.search(exclude, path)), path


def test_new_creates_missing_folders(tmp_path):
    target = tmp_path / "postmortems" / "2026" / "2026-03-04-x.md"
    assert main(["new", "--title", "X", "-o", str(target)]) == 0
    assert target.is_file()


def test_template_fenced_in_the_readme_is_used_without_a_template_file(tmp_path, capsys):
    _repository(tmp_path)
    (tmp_path / "postmortems" / "TEMPLATE.md").unlink()
    readme = "# Postmortems\n\nCopy this:\n\n```markdown\n## Summary\n\n## Timeline\n\n## Follow-ups\n```\n"
    (tmp_path / "postmortems" / "README.md").write_text(readme, encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert "template: postmortems/README.md (fenced template, line 5)" in capsys.readouterr().out
    schema = json.loads((tmp_path / ".postmortem-check.schema.json").read_text())
    assert schema["properties"]["sections"]["required"] == ["summary", "timeline", "corrective_actions"]


def test_without_a_template_the_shared_sections_are_required(tmp_path, capsys):
    _repository(tmp_path)
    (tmp_path / "postmortems" / "TEMPLATE.md").unlink()
    assert main(["init", str(tmp_path)]) == 0
    assert "template: none" in capsys.readouterr().out
    schema = json.loads((tmp_path / ".postmortem-check.schema.json").read_text())
    # the login postmortem lacks Contributing Factors and the draft lacks Action Items: 4 of 5 still have them
    assert schema["properties"]["sections"]["required"] == ["summary", "timeline", "root_cause", "corrective_actions"]


def test_an_empty_directory_and_hostile_names(tmp_path, capsys):
    assert main(["init", "--dry-run", str(tmp_path)]) == 0
    assert "no postmortems found" in capsys.readouterr().out
    (tmp_path / "2026-01-01-\x1b[31mred.md").write_text("## Summary\n\nx\n\n## Timeline\n\n- 10:00 y\n")
    assert main(["init", "--dry-run", str(tmp_path)]) == 0
    assert "\x1b" not in capsys.readouterr().out
    assert main(["init", str(tmp_path / "missing")]) == 2


def test_template_text_left_in_is_a_placeholder_once_per_paragraph(tmp_path):
    from postmortem_check.config import Config
    from postmortem_check.lint import lint_text
    from postmortem_check.schema import packaged_text

    schema = json.loads(packaged_text("default.json"))
    del schema["$id"]
    schema["x-template-text"] = ["Things that could have gone better. Ideally these should result in concrete",
                                 "action items that have GitHub issues created for them.", "Short event description",
                                 "HH:mm", "[link to github issue]", "incident date:"]
    path = tmp_path / "team.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    text = ("# Incident date: 2026-01-05, outage\n\n"
            "## Summary\n\nThings that could have gone better. Ideally these should result in concrete\n"
            "action items that have GitHub issues created for them.\n\n## Timeline\n\n| Time | Event |\n|---|---|\n"
            "| 2026-01-05 HH:mm | Short event description |\n| 2026-01-05 10:00 | Short event description |\n\n"
            "## Root Cause\n\nA disk.\n\n## Resolution\n\nReplaced.\n\n## Corrective and Preventative Measures\n\n"
            "- [ ] Add an alert [link to github issue]\n- [ ] Add a second disk\n")
    found = [f.line for f in lint_text(text, Config(schema=str(path))).findings if f.rule == "placeholder"]
    assert found == [1, 5, 12, 12, 13, 25]  # line 12 keeps two leftovers: a time mask and a slot


def test_init_never_writes_through_a_symbolic_link(tmp_path, capsys):
    _repository(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / ".github").symlink_to(outside, target_is_directory=True)
    assert main(["init", "--github", str(tmp_path)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []
    assert not (tmp_path / ".postmortem-check.yaml").exists()
