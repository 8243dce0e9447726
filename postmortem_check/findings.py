"""Findings and the registry of rules that produce them."""

from __future__ import annotations

from dataclasses import dataclass

DOCS_URL = "https://github.com/postmortem-check/postmortem-check/blob/main/docs/rules/{rule}.md"

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One problem in one file, 1-based line and column."""

    path: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    section: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    engine: bool = False  # raised by the tool itself rather than by the schema

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(rule=self.id)


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("unreadable-file", "error", "The file cannot be read as UTF-8 text.", engine=True),
        Rule("file-too-large", "error", "The file is larger than the configured size limit.", engine=True),
        Rule("front-matter-yaml", "error", "The YAML front matter does not parse.", engine=True),
        Rule("unclosed-fence", "warning", "A code fence is never closed.", engine=True),
        Rule("fenced-document", "warning", "Postmortem text is wrapped in a markdown code fence.", engine=True),
        Rule("missing-section", "error", "A required section is missing."),
        Rule("empty-section", "error", "A section has a heading but no content."),
        Rule("implied-section", "warning", "A section is only implied in prose, without a heading."),
        Rule("placeholder", "error", "Template placeholder text was left in the document."),
        Rule("timeline-missing-time", "warning", "A timeline entry has no time."),
        Rule("timeline-order", "warning", "Timeline entries are not in chronological order."),
        Rule("no-action-items", "error", "The corrective actions section lists no action items."),
        Rule("section-length", "warning", "A section is shorter or longer than the schema allows."),
        Rule("front-matter", "error", "A front matter field is missing or malformed."),
        Rule("schema-violation", "error", "The document breaks a schema constraint with no rule of its own."),
        Rule("action-item-owner", "warning", "An open action item has no owner (off unless enabled).", engine=True),
        Rule("action-item-due", "warning", "An open action item has no due date and no tracking issue "
             "(off unless enabled).", engine=True),
        Rule("overdue-action-item", "warning", "An action item's due date has passed and it is not done "
             "(off unless enabled).", engine=True),
        Rule("vague-action-item", "warning", "An action item names no work that can be finished or checked "
             "(off unless enabled).", engine=True),
        Rule("timeline-zone", "warning", "Timeline times have no time zone anywhere in the document "
             "(off unless enabled).", engine=True),
        Rule("duration-mismatch", "warning", "The summary's stated duration disagrees with the timeline "
             "(off unless enabled).", engine=True),
    )
}


def rule_for(rule_id: str) -> Rule:
    """The registered rule, or an ad-hoc one for a rule a team schema introduces."""
    return RULES.get(rule_id) or Rule(rule_id, "error", f"Team schema rule {rule_id}.")
