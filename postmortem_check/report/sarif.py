"""SARIF 2.1.0 output for code scanning: every rule described, each finding a result on its line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..findings import RULES, Finding, Rule, Severity, rule_for
from ..results import FileResult, Totals

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/postmortem-check/postmortem-check"
SRCROOT = "%SRCROOT%"


def artifact_location(path: str, base: Path | None = None) -> dict[str, str]:
    """A relative, percent-encoded ``uri`` under ``%SRCROOT%`` (the working directory), else a file URI."""
    base = (base or Path.cwd()).resolve()
    full = Path(os.path.abspath(path))
    try:
        relative = full.relative_to(base)
    except ValueError:
        return {"uri": full.as_uri()}
    # surrogateescape: a file name that is not UTF-8 is percent-encoded byte for byte
    return {"uri": quote(relative.as_posix(), safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "helpUri": rule.help_uri,
        "help": {"text": f"{rule.summary} See {rule.help_uri}"},
        "defaultConfiguration": {"level": "error" if rule.severity == Severity.ERROR else "warning"},
        "properties": {"tags": ["postmortem", "engine" if rule.engine else "schema"]},
    }


class SarifReporter:
    """Collects every result and writes one SARIF log when the run finishes."""

    def __init__(self, out: TextIO, base: Path | None = None) -> None:
        self.out = out
        self.base = base
        self.rules: dict[str, Rule] = dict(RULES)
        self.results: list[dict[str, Any]] = []

    def _result(self, finding: Finding) -> dict[str, Any]:
        if finding.rule not in self.rules:
            self.rules[finding.rule] = rule_for(finding.rule)
        index = list(self.rules).index(finding.rule)
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index,
            "level": "error" if finding.severity == Severity.ERROR else "warning",
            "message": {"text": finding.message or finding.rule},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path, self.base),
                    "region": {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)},
                },
            }],
        }
        if finding.section:
            result["properties"] = {"section": finding.section}
        return result

    def file(self, result: FileResult) -> None:
        self.results.extend(self._result(finding) for finding in result.findings)

    def log(self) -> dict[str, Any]:
        """The SARIF log as a JSON-ready dict."""
        base = (self.base or Path.cwd()).resolve()
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "postmortem-check",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": [rule_descriptor(rule) for rule in self.rules.values()],
                }},
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": self.results,
            }],
        }

    def finish(self, totals: Totals) -> None:
        json.dump(self.log(), self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")
