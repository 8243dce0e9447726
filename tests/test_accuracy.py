"""Findings a reviewer agrees with, each cause on a minimal document of our own."""

from __future__ import annotations

from postmortem_check.lint import lint_text


def _rules(text: str) -> list[tuple[str, str | None, int]]:
    return [(f.rule, f.section, f.line) for f in lint_text(text).findings]


def test_a_section_holding_only_known_subsections_is_not_empty():
    text = """# Flags down

## Summary

Flag evaluation failed for an hour.

## Timeline

- 10:00 UTC errors start

## Root cause

A timeout was too short.

## Remediation

### Immediate actions (completed)

- Timeouts moved to runtime configuration

### Short-term improvements

- Add a circuit breaker
"""
    result = lint_text(text)
    assert [f.rule for f in result.findings] == []
    assert [item.text for item in result.action_items] == [
        "Timeouts moved to runtime configuration", "Add a circuit breaker"]
