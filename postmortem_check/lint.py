"""The lint pipeline for one document: parse, outline, model, validate, then the severities stamped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Config
from .discover import expand_paths  # re-exported: where file discovery used to live
from .document import Document, decode, template_lines_for
from .files import escapes_tree, read_regular
from .findings import OFF, OPT_IN_RULES, RULES, Finding, Severity
from .results import FileResult

if TYPE_CHECKING:
    from .cache import ResultCache
    from .schema import LoadedSchema

# The pipeline's stages (and with them mistune and jsonschema) are imported when a document is first
# linted: a run whose every result comes from the cache never needs them.

__all__ = ["FileResult", "expand_paths", "lint_document", "lint_file", "lint_text", "schema_for", "too_large"]


def schema_for(config: Config) -> LoadedSchema:
    """The config's schema with its word-count bounds (compiled once per distinct config)."""
    from .cache import checked_before
    from .schema import schema_with_word_bounds

    bounds = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in config.word_counts.items()))
    return schema_with_word_bounds(config.schema, bounds, checked_before(config.schema))


def _apply_severities(findings: list[Finding], config: Config) -> list[Finding]:
    """Stamp each finding's severity: the config's, else the registry's for an engine rule, else the
    schema's; drop the rules switched off; sort."""
    out = []
    for finding in findings:
        rule = RULES.get(finding.rule)
        default = rule.severity if rule is not None and rule.engine else finding.severity
        severity = config.rules.get(finding.rule, default)
        if severity == OFF:
            continue
        if severity != finding.severity:
            finding = Finding(finding.path, finding.line, finding.column, finding.rule, severity,
                              finding.message, finding.section)
        out.append(finding)
    return sorted(out, key=Finding.sort_key)


def _empty_file_findings(document: Document, schema: LoadedSchema) -> list[Finding]:
    """An empty file lacks every section the schema requires: one finding each, saying the file is empty
    (one finding in all when the schema requires none)."""
    from .model import build_model
    from .outline import build_outline
    from .validate import validate

    model = build_model(document, build_outline(document.path, "", 1, schema.vocabulary), schema.section_order)
    missing = [Finding(f.path, 1, 1, f.rule, f.severity, f"file is empty: {f.message}", f.section)
               for f in validate(document.path, model, schema) if f.rule == "missing-section"]
    message = "file is empty; write the postmortem's sections (postmortem-check new writes a template)"
    return missing or [Finding(document.path, 1, 1, "missing-section", Severity.ERROR, message)]


def lint_document(document: Document, schema: LoadedSchema, config: Config) -> FileResult:
    """Lint a decoded document (the pure core: no file system)."""
    from .model import build_model
    from .outline import build_outline
    from .suppress import adjust_findings
    from .validate import validate

    findings = list(document.findings)
    if document.readable and document.empty:
        findings = _empty_file_findings(document, schema)
    if not document.readable or document.empty:
        return _findings_only(document.path, schema.name, findings, config, document.front_matter)
    body = "\n".join(document.lines[document.body_start - 1:])
    outline = build_outline(document.path, body, document.body_start, schema.vocabulary)
    model = build_model(document, outline, schema.section_order, schema.schema.get("x-template-text", ()))
    findings += outline.findings
    findings += validate(document.path, model, schema)
    if any(config.rules.get(rule, OFF) != OFF for rule in OPT_IN_RULES):  # the quality rules, off by default
        from .quality import quality_findings

        findings += quality_findings(document, model, config.rules, settings=config.quality)
    sections = {
        section_id: {"heading": data["heading"], "line": data["line"], "style": data["style"]}
        for section_id, data in model.instance["sections"].items()
    }
    return FileResult(document.path, schema.name,
                      adjust_findings(document, _apply_severities(findings, config), schema.schema, config.draft),
                      sections, model.action_items, title=outline.title, front_matter=document.front_matter)


def _findings_only(path: str, schema_name: str, findings: list[Finding], config: Config,
                   front_matter: dict[str, Any] | None = None) -> FileResult:
    """The result for a file with nothing to outline (unreadable, empty, too large, a link out of the tree):
    its findings, no sections and no action items."""
    return FileResult(path, schema_name, _apply_severities(findings, config), {}, [], front_matter=front_matter)


def lint_text(text: str, config: Config | None = None, path: str = "<text>") -> FileResult:
    """Lint Markdown text with the configured schema; convenient for tests and embedding."""
    config = config or Config()
    return lint_document(decode(path, text.encode("utf-8")), schema_for(config), config)


def too_large(path: str, size: int, schema: LoadedSchema, config: Config) -> FileResult:
    """The result for a file above ``max_file_size``: one finding, the file not read."""
    finding = Finding(path, 1, 1, "file-too-large", Severity.ERROR,
                      f"file is {size} bytes, above the limit of {config.max_file_size} (max_file_size)")
    return _findings_only(path, schema.name, [finding], config)


def lint_file(path: str, schema: LoadedSchema | None, config: Config,
              cache: ResultCache | None = None) -> FileResult:
    """Read one file and lint it (or take its result from ``cache``, keyed by everything that can change it);
    an I/O problem (not a regular file included) raises OSError for the caller to report. A symbolic link
    out of the tree is a finding and is not read. ``schema`` None: the config's, loaded only when needed."""
    if escapes_tree(path):
        finding = Finding(path, 1, 1, "symlink-outside", Severity.ERROR,
                          "symbolic link to a file outside the repository; not followed")
        return _findings_only(path, schema.name if schema else config.schema, [finding], config)
    data, size = read_regular(path, config.max_file_size)
    if size > config.max_file_size:
        return too_large(path, size, schema or schema_for(config), config)
    template_lines = template_lines_for(path)
    key = None
    if cache is not None:
        key = cache.key(path, data, template_lines)
        if (cached := cache.get(key, path)) is not None:
            return cached
    document = decode(path, data)
    document.template_lines = template_lines
    result = lint_document(document, schema or schema_for(config), config)
    if cache is not None and key is not None:
        cache.put(key, result)
    return result
