"""The rule registry, the rule pages, the help URIs and the action's documentation agree."""

from __future__ import annotations

import re

import pytest
import yaml

from postmortem_check.findings import DOCS_URL, RULES
from postmortem_check.report.sarif import SarifReporter
from tests.conftest import ROOT

RULE_DOCS = ROOT / "docs" / "rules"


def test_one_page_per_rule_and_no_other():
    assert {p.stem for p in RULE_DOCS.glob("*.md")} == set(RULES)


def _headings(text: str) -> list[tuple[str, str]]:
    """ATX headings outside fenced code blocks."""
    found, fence = [], ""
    for line in text.split("\n"):
        marker = re.match(r"^(`{3,}|~{3,})", line)
        if marker and (not fence or (marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence)
                                     and not line[len(marker.group(1)):].strip())):
            fence = "" if fence else marker.group(1)
        elif not fence and (heading := re.match(r"^(#{1,2}) (.+)$", line)):
            found.append((heading.group(1), heading.group(2)))
    return found


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_page(rule):
    text = (RULE_DOCS / f"{rule}.md").read_text()
    headings = _headings(text)
    assert headings[0] == ("#", rule)
    sections = [title for level, title in headings if level == "##"]
    assert sections == ["What it checks", "Example", "How to fix", "Configure or turn off", "Rationale"]
    assert f"Default severity: **{RULES[rule].severity}**" in text
    assert f"  {rule}: " in text, "shows how to configure the rule"
    assert text.rstrip().split("\n## ")[-1].startswith("Rationale\n")


def test_help_uris_point_at_the_pages():
    base = DOCS_URL.split("{rule}")[0]
    assert base.endswith("/blob/main/docs/rules/")
    for rule in RULES.values():
        assert rule.help_uri == f"{base}{rule.id}.md"
        assert (ROOT / rule.help_uri.split("/blob/main/", 1)[1]).is_file()
    import io

    driver = SarifReporter(io.StringIO()).log()["runs"][0]["tool"]["driver"]
    assert {r["id"]: r["helpUri"] for r in driver["rules"]} == {r.id: r.help_uri for r in RULES.values()}


def test_action_page_lists_every_input_and_output():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    page = (ROOT / "docs" / "github-action.md").read_text()
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"| `{name}` |" in page, name
    for needed in ("permissions:", "concurrency:", "github/codeql-action/upload-sarif", "fetch-depth: 0"):
        assert needed in page
    workflow = yaml.safe_load(page.split("```yaml\n", 1)[1].split("```", 1)[0])
    steps = workflow["jobs"]["postmortems"]["steps"]
    used = next(s for s in steps if s.get("id") == "postmortems")
    assert set(used["with"]) <= set(action["inputs"])
