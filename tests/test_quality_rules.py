"""Action-item and timeline quality rules on minimal documents of our own; off unless the config enables them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem_check.config import Config, ConfigError
from postmortem_check.document import decode
from postmortem_check.findings import OPT_IN_RULES as QUALITY_RULES
from postmortem_check.lint import lint_text, schema_for
from postmortem_check.model import build_model
from postmortem_check.outline import build_outline
from postmortem_check.quality import is_vague, quality_findings, stated_duration

ALL_ON = {rule: "warning" for rule in QUALITY_RULES}
TODAY = date(2024, 6, 30)


GOOD_TIMELINE = "- 10:00 UTC Deploy starts\n- 10:10 UTC Alert fires\n- 11:00 UTC Service restored"


def doc(summary: str = "Checkout failed for some users.", timeline: str = GOOD_TIMELINE,
        items: str = "- [ ] Add a canary @ana due 2024-09-01") -> str:
    return (f"# Outage\n\n## Summary\n{summary}\n\n## Timeline\n{timeline}\n\n## Root Cause\nA bug.\n\n"
            f"## Resolution\nRolled back.\n\n## Corrective and Preventative Measures\n{items}\n")


def found(text: str, rules: dict[str, str] | None = None) -> list[tuple[str, int]]:
    config = Config()
    document = decode("pm.md", text.encode())
    schema = schema_for(config)
    body = "\n".join(document.lines[document.body_start - 1:])
    outline = build_outline(document.path, body, document.body_start, schema.vocabulary)
    model = build_model(document, outline, schema.section_order)
    return [(f.rule, f.line) for f in quality_findings(document, model, rules or ALL_ON, TODAY)]


def test_a_good_document_has_no_quality_finding() -> None:
    assert found(doc()) == []


def test_off_unless_the_config_enables_them() -> None:
    bad = doc(timeline="- 10:00 Deploy\n- 11:00 Restored", items="- [ ] Improve monitoring")
    assert not [f for f in lint_text(bad).findings if f.rule in QUALITY_RULES]
    enabled = lint_text(bad, Config(rules={"vague-action-item": "error"})).findings
    assert [(f.rule, f.severity) for f in enabled if f.rule in QUALITY_RULES] == [("vague-action-item", "error")]


def test_action_item_owner() -> None:
    items = "- [ ] Add a canary due 2024-09-01\n- [ ] Add a dashboard (Owner: Dana) due 2024-09-01\n- [x] Roll back"
    assert found(doc(items=items)) == [("action-item-owner", 18)]


def test_action_item_due_accepts_a_tracking_issue() -> None:
    items = "- [ ] Add a canary @ana\n- [ ] Add a dashboard @ana (#12)\n- [ ] Add a runbook @ana due 2024-09-01"
    assert found(doc(items=items)) == [("action-item-due", 18)]


def test_overdue_action_item_counts_from_today_and_skips_done_items() -> None:
    items = "- [ ] Add a canary @ana due 2024-06-29\n- [x] Add a dashboard @ana due 2024-01-01\n" \
            "- [ ] Add a runbook @ana due 2024-06-30"
    assert found(doc(items=items)) == [("overdue-action-item", 18)]


@pytest.mark.parametrize(("text", "vague"), [
    ("Improve monitoring", True),
    ("Be more careful", True),
    ("Conduct regular audits", True),
    ("We should improve our alerting going forward", True),
    ("Better monitoring of namespaces.", True),
    ("Improve monitoring of the checkout queue: alert when depth exceeds 1000", False),
    ("Add an alert on cache eviction rate", False),
    ("Review `max_connections` in db.yaml", False),
    ("Improve the retry logic in payments-api so a 503 is retried twice with backoff", False),
])
def test_vague_action_item_words_and_shape(text: str, vague: bool) -> None:
    assert is_vague(text) is vague


def test_vague_action_item_finding() -> None:
    assert found(doc(items="- [ ] Improve monitoring @ana due 2024-09-01")) == [("vague-action-item", 18)]


def test_timeline_zone_anywhere_in_the_document() -> None:
    bare = "- 10:00 Deploy starts\n- 10:10 Alert fires\n- 11:00 Service restored"
    assert found(doc(timeline=bare)) == [("timeline-zone", 7)]
    assert found(doc(timeline="All times are Pacific.\n\n" + bare)) == []
    assert found(doc(timeline="| Time (UTC) | Event |\n| --- | --- |\n| 10:00 | Deploy |")) == []
    assert found(doc(timeline="- The deploy went out.\n- It was rolled back.")) == []  # no times, no zone needed


@pytest.mark.parametrize(("text", "minutes"), [
    ("The outage lasted 2 hours and 15 minutes.", 135),
    ("a 45-minute outage", 45),
    ("between 10:05 and 11:20 UTC", 75),
    ("for about an hour", 60),
    ("The team worked over 3 hours on it.", None),
    ("Nothing about time here.", None),
])
def test_stated_duration(text: str, minutes: int | None) -> None:
    assert stated_duration(text) == minutes


def test_duration_mismatch_with_tolerance() -> None:
    assert found(doc(summary="Checkout failed for about an hour.")) == []  # 60 against 60
    assert found(doc(summary="Checkout failed for 70 minutes.")) == []  # within 15 minutes
    assert found(doc(summary="Checkout failed for 3 hours.")) == [("duration-mismatch", 3)]
    assert found(doc(summary="Four separate outages, 3 hours in total.")) == []  # cumulative


def test_duration_tolerance_from_the_config(tmp_path: Path) -> None:
    from postmortem_check.config import load_config

    (tmp_path / "c.yaml").write_text("rules:\n  duration-mismatch: warning\nquality:\n"
                                     "  duration_tolerance_minutes: 5\n  duration_tolerance_percent: 0\n")
    config = load_config(tmp_path / "c.yaml")
    text = doc(summary="Checkout failed for 70 minutes.")  # the timeline spans 60
    assert [f.rule for f in lint_text(text, config).findings if f.rule in QUALITY_RULES] == ["duration-mismatch"]
    assert [f.rule for f in lint_text(text, Config(rules={"duration-mismatch": "warning"})).findings
            if f.rule in QUALITY_RULES] == []
    (tmp_path / "bad.yaml").write_text("quality:\n  duration_tolerance_percent: 300\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "bad.yaml")


def test_hostile_item_text_is_linear() -> None:
    long_item = "- [ ] Improve " + "more " * 20000 + "\n"
    assert found(doc(items=long_item), {"vague-action-item": "warning"}) == [("vague-action-item", 18)]
