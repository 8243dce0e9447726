"""Findings a reviewer agrees with, each cause on a minimal document of our own."""

from __future__ import annotations

import json
from pathlib import Path

from postmortem_check.config import Config
from postmortem_check.lint import lint_text
from postmortem_check.schema import load_schema

REQUIRED = ("summary", "timeline", "root_cause", "resolution", "corrective_actions")  # the default schema's


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


_BASE = """# Queue stalled

## Summary

The queue stalled for an hour.

## Timeline

- 10:00 UTC queue stalls
- 11:00 UTC queue drains

## Root cause

A lock was never released.

## Resolution

The worker was restarted.

## Action items

- Add a lock timeout
"""


def test_a_fence_closing_after_a_blank_line_or_inside_a_block_quote_is_closed():
    text = _BASE + "\n## Logs\n\n- output:\n\n  ```\n  x\n\n  ```\n\n> ticket:\n> ```\n> trace\n> ```\n\nend\n"
    assert _rules(text) == []


def test_an_unclosed_fence_is_still_reported():
    text = _BASE + "\n## Logs\n\n```\nstill open\n"
    assert _rules(text) == [("unclosed-fence", None, text.split("\n").index("```") + 1)]


def test_headings_inside_a_block_quote_are_not_sections():
    text = _BASE.replace("## Action items\n\n- Add a lock timeout\n", "") + (
        "\n## Vendor ticket\n\n> ## Actions\n>\n> - restart the appliance\n")
    rules = _rules(text)
    assert [r[0] for r in rules if r[1] == "corrective_actions"] == ["missing-section"]
    assert not [r for r in rules if r[0] == "no-action-items"]


def test_implied_sections_come_from_the_documents_own_prose():
    text = """# Queue stalled

## Summary

The queue stalled for an hour. The log said `failed due to a fatal signal`.

> Support wrote: this was caused by a known bug.

## Timeline

- 10:00 UTC queue stalls
- 11:00 UTC rolled back the release
"""
    rules = _rules(text)
    assert ("missing-section", "root_cause", 12) in rules  # not implied by the log line or the quote
    assert ("implied-section", "resolution", 12) in rules  # the timeline records the fix


_NO_CAUSE = _BASE.replace("## Root cause\n\nA lock was never released.\n\n", "")


def test_a_quoted_vendor_diagnosis_of_a_faulty_part_implies_the_root_cause():
    ticket = "\n## Ticket\n\nThe host vendor wrote:\n\n> Server rebooted.\n>\n> Details:\n> SMART errors on disk 7F.\n"
    text = _NO_CAUSE + ticket
    line = text.split("\n").index("> SMART errors on disk 7F.") + 1
    assert ("implied-section", "root_cause", line) in _rules(text)
    quoted_blame = "\n## Ticket\n\n> This was caused by a known bug.\n"  # not the wording of a faulty part
    assert ("missing-section", "root_cause") in [r[:2] for r in _rules(_NO_CAUSE + quoted_blame)]


def test_a_faulty_part_in_the_documents_own_prose_implies_the_root_cause():
    for sentence in ("The host had a defective disk.", "Memory errors on the second node.",
                     "The RAID controller's disk was failing."):
        text = _NO_CAUSE.replace("The queue stalled for an hour.", f"The queue stalled for an hour. {sentence}")
        assert [r[0] for r in _rules(text) if r[1] == "root_cause"] == ["implied-section"], sentence


def test_wrapped_wording_is_placed_on_the_line_where_it_starts():
    for first, second, expected in (("The stall was", "caused by a bad flag.", "The stall was"),
                                    ("Later the", "root cause was found.", "root cause was found.")):
        text = _NO_CAUSE.replace("The queue stalled for an hour.", f"The queue stalled for an hour.\n{first}\n{second}")
        found = [r for r in _rules(text) if r[1] == "root_cause"]
        assert found == [("implied-section", "root_cause", text.split("\n").index(expected) + 1)]


def test_a_heading_in_another_form_of_a_known_word_names_its_section():
    """"Mitigating" is "Mitigation", "Investigating" is "Investigation"; a short stem is never taken for a word."""
    vocabulary = load_schema("default").vocabulary
    assert [vocabulary.match(h)[0] for h in ("Mitigating", "Investigating", "Acting", "Actioning")] == [
        ("resolution",), ("root_cause",), (), ()]
    assert not [r for r in _rules(_BASE.replace("## Root cause", "## Investigating")) if r[1] == "root_cause"]


def test_a_label_in_a_table_cell_marks_a_section():
    text = _BASE.replace("## Resolution\n\nThe worker was restarted.\n\n", "").replace(
        "- 11:00 UTC queue drains", "") + "\n| Time | Event |\n|---|---|\n| 11:00 | **Recovery:** worker restarted |\n"
    assert not [r for r in _rules(text) if r[1] == "resolution"]


def test_an_empty_file_lacks_each_required_section_and_nothing_else():
    """Like a file with only front matter: one finding per required section, each saying the file is empty."""
    for text in ("", "\n  \n\t\n"):
        findings = lint_text(text).findings
        assert {f.section for f in findings} == set(REQUIRED)
        assert {(f.rule, f.line) for f in findings} == {("missing-section", 1)}
        assert all(f.message.startswith("file is empty: missing section") for f in findings)


def test_an_empty_file_with_no_required_section_gets_one_finding(tmp_path: Path):
    (tmp_path / "open.json").write_text(json.dumps({"type": "object"}))
    config = Config(schema=str(tmp_path / "open.json"))
    assert [(f.rule, f.message.split(";")[0]) for f in lint_text("", config).findings] == [
        ("missing-section", "file is empty")]


def test_todo_note_is_not_a_section():
    text = _BASE + "\n**TODO**: ask the vendor about the firmware.\n"
    assert _rules(text) == []
    text = _BASE.replace("## Action items\n\n- Add a lock timeout\n", "") + "\n**TODO**: ask the vendor.\n"
    assert [r[0] for r in _rules(text) if r[1] == "corrective_actions"] == ["missing-section"]


def test_an_implied_corrective_actions_section_is_reported_once():
    text = _BASE.replace("## Action items\n\n- Add a lock timeout\n", "") + (
        "\n## Outlook\n\nGoing forward we will add a lock timeout.\n")
    assert [r[0] for r in _rules(text) if r[1] == "corrective_actions"] == ["implied-section"]


def test_a_timeline_entry_naming_the_cause_implies_the_root_cause_but_not_any_because():
    head = "# Proxy down\n\n## Summary\n\nThe proxy was down.\n\n## Timeline\n\n- 10:00 UTC proxy down\n"
    named = head + "- 10:05 UTC found that this is because the certificate expired\n"
    loose = head + "- 10:05 UTC pod exits because it is not contacted\n"
    assert ("implied-section", "root_cause", 10) in _rules(named)
    assert [r[0] for r in _rules(loose) if r[1] == "root_cause"] == ["missing-section"]


def test_a_yaml_timestamp_in_front_matter_is_a_valid_date():
    for value in ("2024-03-27 11:00:00", "2024-03-27T11:00:00Z", "2024-03-27 9:05:00 +02:00", "2024-03-27"):
        assert [f.rule for f in lint_text(f"---\ndate: {value}\n---\n" + _BASE).findings] == [], value
    for value in ("2024-13-27 11:00:00", "yesterday"):
        assert [f.rule for f in lint_text(f"---\ndate: {value}\n---\n" + _BASE).findings] == ["front-matter"], value


def test_saying_the_cause_is_unknown_or_the_problem_is_resolved_implies_no_root_cause():
    head = "# Proxy down\n\n## Summary\n\nThe proxy was down. The root cause is still unknown.\n\n## Timeline\n\n"
    text = head + "- 10:00 UTC proxy down\n- 10:05 UTC confirm that the problem is resolved\n"
    assert [r[0] for r in _rules(text) if r[1] == "root_cause"] == ["missing-section"]


def test_a_fix_in_the_past_perfect_is_about_the_cause_not_the_resolution():
    text = _BASE.replace("## Resolution\n\nThe worker was restarted.\n\n", "").replace(
        "A lock was never released.", "A lock was never released; this bug had been fixed weeks ago upstream.")
    assert [r[0] for r in _rules(text) if r[1] == "resolution"] == ["missing-section"]


def _team_config(tmp_path, required: list[str]):
    import json

    from postmortem_check.config import Config
    from postmortem_check.schema import packaged_text

    schema = json.loads(packaged_text("default.json"))
    del schema["$id"]
    schema["properties"]["sections"]["required"] = required
    for section_id, spec in schema["properties"]["sections"]["properties"].items():  # as init writes it
        kind = "required_section" if section_id in required else "section"
        spec["$ref"] = f"urn:postmortem-check:common#/$defs/{kind}"
    path = tmp_path / "team.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return Config(schema=str(path))


def test_detection_told_in_the_timeline_is_implied_not_missing(tmp_path):
    text = """# Flags down

## Summary

Flag evaluation failed for an hour.

## Timeline

- 10:00 UTC a deploy starts
- 10:02 UTC automated monitoring detects increased error rates
- 11:00 UTC incident closed
"""
    config = _team_config(tmp_path, ["summary", "timeline", "detection"])
    assert [(f.rule, f.section) for f in lint_text(text, config).findings] == [("implied-section", "detection")]


def test_a_lesson_told_in_the_summary_is_implied_not_missing(tmp_path):
    text = """# Build images broken

## Summary

Packages were pulled from the mirror and builds failed for a day. In the future we should keep
bumping the base image when a new release comes out.

## Timeline

- 10:00 UTC builds fail
"""
    config = _team_config(tmp_path, ["summary", "timeline", "lessons_learned"])
    assert [(f.rule, f.section) for f in lint_text(text, config).findings] == [
        ("implied-section", "lessons_learned")]


def test_a_wrapped_template_instruction_is_one_placeholder_when_the_template_sits_beside_it(tmp_path):
    import json

    from postmortem_check.config import Config
    from postmortem_check.lint import lint_file, schema_for
    from postmortem_check.schema import packaged_text

    instruction = ["These are sample subheadings. Every action item should have an issue",
                   "attached to it, so these do not get forgotten."]
    (tmp_path / "template.md").write_text("# Template\n\n## Action items\n\n" + "\n".join(instruction) + "\n",
                                          encoding="utf-8")
    schema = json.loads(packaged_text("default.json"))
    del schema["$id"]
    schema["x-template-text"] = instruction
    (tmp_path / "team.json").write_text(json.dumps(schema), encoding="utf-8")
    document = tmp_path / "2026-01-05-outage.md"
    document.write_text("# Outage\n\n## Summary\n\nThe disk filled up.\n\n## Action items\n\n"
                        + "\n".join(instruction) + "\n\n- Add a disk alert\n", encoding="utf-8")
    config = Config(schema=str(tmp_path / "team.json"))
    result = lint_file(str(document), schema_for(config), config)
    assert [f.line for f in result.findings if f.rule == "placeholder"] == [9]


def test_a_timeline_told_as_dated_sentences_is_implied_not_missing():
    text = """# Token stolen

A package was published with a stolen token.

## How did it happen?

At 5:40 PM on November 18th a pull request sent our secrets to a webhook. At 3:28 PM UTC on
November 23rd the attacker used them to publish a package.
"""
    found = [(f.rule, f.section) for f in lint_text(text).findings if f.section == "timeline"]
    assert found == [("implied-section", "timeline")]


def test_a_cause_told_in_the_summary_is_implied_even_when_its_wording_wraps():
    text = """# Builds saturate the CPU

## Summary

1. Every request to launch ate CPU while the build was running.
1. The pod was thus getting saturated and behaving strangely, causing
   the outage.

## Timeline

- 10:00 UTC launches fail
"""
    found = [(f.rule, f.section, f.line) for f in lint_text(text).findings if f.section == "root_cause"]
    assert found == [("implied-section", "root_cause", 6)]


def test_a_cause_named_as_part_of_the_problem_is_implied():
    text = """# Staging deploy failed

## Summary

A wrong commit hash was one part of the problem; a flaky deploy job contributed to the problem.

## Timeline

- 10:00 UTC the deploy fails
"""
    found = [(f.rule, f.section) for f in lint_text(text).findings if f.section == "root_cause"]
    assert found == [("implied-section", "root_cause")]


def test_a_report_opening_with_how_it_was_alerted_has_no_summary():
    text = """# Certificate renewal failed

## Alert

We got an alert email about the certificate expiring in ten days.

## Analysis

The renewal job failed because a stale DNS record was left behind.
"""
    found = [(f.rule, f.section) for f in lint_text(text).findings if f.section in ("summary", "detection")]
    assert found == [("missing-section", "summary")]


def test_to_prevent_this_in_a_technical_explanation_is_not_a_corrective_action():
    text = """# Token bleed

## Summary

A flaw in a token standard let amounts be moved between fields.

## Timeline

- 10:00 UTC report received

## Root cause

Only the concatenated bytes were hashed. To prevent this, coin IDs must be checked part by part.

## Resolution

A new standard was released.
"""
    found = [(f.rule, f.section) for f in lint_text(text).findings if f.section == "corrective_actions"]
    assert found == [("missing-section", "corrective_actions")]


def test_a_cause_told_as_what_can_cause_a_crash_is_implied():
    text = """# Subscriptions crash the node

## Summary

Replies are capped, but the data is read from the database before the cap is checked and can cause a
crash when it is large.

## Timeline

- 10:00 UTC report received
"""
    found = [(f.rule, f.section) for f in lint_text(text).findings if f.section == "root_cause"]
    assert found == [("implied-section", "root_cause")]


def test_a_bottleneck_named_in_prose_implies_the_cause():
    text = ("# Outage\n\nThe site was slow for an hour.\n\n## Resolution\n\n"
            "We added more workers. It did not help: the bottleneck seems to be the database.\n")
    assert lint_text(text).sections["root_cause"]["style"] == "implied"
    vague = "# Outage\n\nThe site was slow for an hour.\n\n## Resolution\n\nWe added more workers and it recovered.\n"
    assert "root_cause" not in lint_text(vague).sections
