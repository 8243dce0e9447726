"""One registry of rules (``findings.RULES``): the schemas' ``x-rule`` names, the message table, the rule
pages and the README table all agree with it."""

from __future__ import annotations

import json
import re
from typing import Any

from postmortem_check.findings import RULES, Severity
from postmortem_check.validate import MESSAGES
from tests.conftest import ROOT

# Raised by the engine rather than named by a schema constraint: their own x-rule never appears.
NOT_IN_SCHEMAS = {"schema-violation", "section-length"}  # the fallback; added from the config's word_counts


def _x_rules(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {str(node["x-rule"])} if "x-rule" in node else set()
        return found.union(*(_x_rules(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_x_rules(value) for value in node))
    return set()


def test_schemas_name_only_registered_schema_rules():
    named = set().union(*(_x_rules(json.loads(path.read_text())) for path in (ROOT / "schemas").glob("*.json")))
    schema_rules = {rule.id for rule in RULES.values() if not rule.engine}
    assert named == schema_rules - NOT_IN_SCHEMAS


def test_every_schema_rule_has_a_message():
    assert set(MESSAGES) == {rule.id for rule in RULES.values() if not rule.engine} - {"schema-violation"}


def test_rule_pages_match_the_registry():
    pages = {path.stem: path.read_text() for path in (ROOT / "docs" / "rules").glob("*.md")}
    assert set(pages) == set(RULES)
    for rule in RULES.values():
        assert f"Default severity: **{rule.severity}**" in pages[rule.id]


def test_readme_table_matches_the_registry():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|off) \|", readme, re.M))
    assert rows == {rule.id: rule.default for rule in RULES.values()}


def test_severities_are_the_enum():
    assert all(isinstance(rule.severity, Severity) for rule in RULES.values())
    assert f"{Severity.ERROR}" == "error" and str(Severity.WARNING) == "warning"
    assert json.dumps(Severity.ERROR) == '"error"'
