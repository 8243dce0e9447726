"""Findings and the registry of rules that produce them."""

from __future__ import annotations

from typing import NamedTuple

from .kinds import TextEnum

DOCS_URL = "https://github.com/postmortem-check/postmortem-check/blob/main/docs/rules/{rule}.md"


class Severity(TextEnum):
    """How much a finding matters; compares and prints as its value (``"error"``)."""

    ERROR = "error"
    WARNING = "warning"


SEVERITIES = tuple(severity.value for severity in Severity)
OFF = "off"  # a rule switched off in the config


class Finding(NamedTuple):
    """One problem in one file, 1-based line and column."""

    path: str
    line: int
    column: int
    rule: str
    severity: Severity | str
    message: str
    section: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


class Rule(NamedTuple):
    id: str
    severity: Severity
    summary: str
    engine: bool = False  # raised by the tool itself rather than by the schema
    section: str | None = None  # the section its findings are about when the schema path does not say
    opt_in: bool = False  # off unless the config sets its severity (``severity`` is only what it suggests)

    @property
    def default(self) -> str:
        """Its severity when the config says nothing: ``off`` for an opt-in rule."""
        return OFF if self.opt_in else str(self.severity)

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(rule=self.id)


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("unreadable-file", Severity.ERROR, "The file cannot be read as UTF-8 text.", engine=True),
        Rule("file-too-large", Severity.ERROR, "The file is larger than the configured size limit.", engine=True),
        Rule("symlink-outside", Severity.ERROR,
             "The file is a symbolic link to a file outside the repository; it is not read.", engine=True),
        Rule("front-matter-yaml", Severity.ERROR, "The YAML front matter does not parse.", engine=True),
        Rule("unclosed-fence", Severity.WARNING, "A code fence is never closed.", engine=True),
        Rule("fenced-document", Severity.WARNING, "Postmortem text is wrapped in a markdown code fence.", engine=True),
        Rule("missing-section", Severity.ERROR, "A required section is missing."),
        Rule("empty-section", Severity.ERROR, "A section has a heading but no content."),
        Rule("implied-section", Severity.WARNING, "A section is only implied in prose, without a heading."),
        Rule("placeholder", Severity.ERROR, "Template placeholder text was left in the document."),
        Rule("timeline-missing-time", Severity.WARNING, "A timeline entry has no time.", section="timeline"),
        Rule("timeline-order", Severity.WARNING, "Timeline entries are not in chronological order.",
             section="timeline"),
        Rule("no-action-items", Severity.ERROR, "The corrective actions section lists no action items.",
             section="corrective_actions"),
        Rule("section-length", Severity.WARNING, "A section is shorter or longer than the schema allows."),
        Rule("front-matter", Severity.ERROR, "A front matter field is missing or malformed."),
        Rule("inline-config", Severity.ERROR, "A postmortem-check comment names a rule that does not exist.",
             engine=True),
        Rule("draft", Severity.WARNING, "The postmortem is a draft: its errors are reported as warnings.",
             engine=True),
        Rule("schema-violation", Severity.ERROR, "The document breaks a schema constraint with no rule of its own."),
        Rule("action-item-owner", Severity.WARNING, "An open action item has no owner.", engine=True,
             opt_in=True),
        Rule("action-item-due", Severity.WARNING, "An open action item has no due date and no tracking issue.",
             engine=True, opt_in=True),
        Rule("overdue-action-item", Severity.WARNING, "An action item's due date has passed and it is not done.",
             engine=True, opt_in=True),
        Rule("vague-action-item", Severity.WARNING, "An action item names no work that can be finished or checked.",
             engine=True, opt_in=True),
        Rule("timeline-zone", Severity.WARNING, "Timeline times have no time zone anywhere in the document.",
             engine=True, opt_in=True),
        Rule("duration-mismatch", Severity.WARNING, "The summary's stated duration disagrees with the timeline.",
             engine=True, opt_in=True),
    )
}
OPT_IN_RULES = tuple(rule.id for rule in RULES.values() if rule.opt_in)  # off unless the config turns them on


def rule_for(rule_id: str) -> Rule:
    """The registered rule, or an ad-hoc one for a rule a team schema introduces."""
    return RULES.get(rule_id) or Rule(rule_id, Severity.ERROR, f"Team schema rule {rule_id}.")
