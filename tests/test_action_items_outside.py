"""Action items written outside the action-items sections: to-do lists and stated work in a section the
schema does not know, groups under a lead-in, and a proposed change after its lead-in line."""

from __future__ import annotations

from postmortem_check.lint import lint_text

HEAD = "# Outage\n\n## Summary\n\nThe disk filled up.\n\n## Action Items\n\n- Add a disk alert\n\n"


def found(text: str) -> list[tuple[int, str, bool]]:
    return [(item.line, item.text, item.done) for item in lint_text(text).action_items]


def test_a_to_do_list_under_a_heading_that_names_no_section_is_items():
    text = HEAD + ("## Timeline\n\n- 10:00 alert\n\n## Further information\n\n"
                   "- Document the owner of each machine.\n- Decide how we keep the inventory.\n"
                   "- Is it possible to page only after 15 minutes?\n- Define an escalation process.\n")
    assert [(line, text) for line, text, _ in found(text)] == [
        (9, "Add a disk alert"), (17, "Document the owner of each machine."),
        (18, "Decide how we keep the inventory."), (19, "Is it possible to page only after 15 minutes?"),
        (20, "Define an escalation process.")]


def test_a_to_do_list_under_a_heading_that_says_done_is_done():
    text = HEAD + "## Follow-up work (completed)\n\n- Document the owners\n- Decide on a rota\n"
    assert [done for _, _, done in found(text)] == [False, True, True]


def test_other_lists_under_such_headings_are_not_items():
    notes = HEAD + ("## Further information\n\n- The vendor was slow\n- Graphs were useful\n"
                    "- Document review took long\n")
    advice = HEAD + ("## What should you do?\n\n- Check your logs for the token.\n- Rotate your keys.\n"
                     "- Update the client.\n")
    nested = HEAD + ("## Resolution\n\n### Steps\n\n- Check the pool.\n- Remove the old snapshots.\n"
                     "- Restart the service.\n")
    diary = HEAD + "## 2026-03-02\n\n- Check the pool.\n- Remove the old snapshots.\n- Update the kernel.\n"
    for text in (notes, advice, nested, diary):
        assert [t for _, t, _ in found(text)] == ["Add a disk alert"], text


def test_work_stated_in_an_unmapped_section_is_items():
    text = ("# Outage\n\n## Summary\n\nThe index was full.\n\n## Repairing\n\nWe removed old indices.\n\n"
            "## Policies\n\nIt is a temporary fix… now we have to set up a retention policy "
            "(and maybe lower the memory again ?)\n\n### Create the policy\n\nNow we have to open the settings.\n\n"
            "## Client side\n\nThe driver retries a lot.\nUpgrading the driver to 4.5 would possibly help.\n\n"
            "This was done in [PR #12](https://github.com/acme/bot/pull/12)\n")
    assert found(text) == [
        (13, "now we have to set up a retention policy", False), (13, "lower the memory again", False),
        (22, "Upgrading the driver to 4.5 would possibly help.", True)]


def test_a_fix_proposed_in_the_root_cause_is_an_item():
    text = ("# Outage\n\n## Summary\n\nThe database ran out of connections.\n\n## Root cause\n\n"
            "The client opened too many connections. Upgrading it to 4.5 would possibly help.\n\n"
            "More logs would help explain the storm.\n")
    assert found(text) == [(9, "Upgrading it to 4.5 would possibly help.", False)]


def test_a_step_told_in_an_unmapped_section_is_not_work_left():
    text = ("# Outage\n\n## Summary\n\nThe index was full.\n\n## Second attempt\n\n"
            "The resync stalled. Now we have to wait for it.\n\nMore logs would help explain the stall.\n\n"
            "The cache is a temporary fix. Now we have to move the cache to its own disk.\n")
    assert [t for _, t, _ in found(text)] == ["Now we have to move the cache to its own disk."]


def test_stated_work_in_a_known_section_or_a_diary_day_is_not_an_item():
    text = ("# Outage\n\n## Summary\n\nThe index was full.\n\n## Resolution\n\nFirst we have to stop the writer.\n"
            "Now we have to remove the old indices.\n\n## 2026-03-02\n\nNow we have to wait for the resync.\n")
    assert found(text) == []


def test_bullets_under_a_group_line_of_a_list_of_work_to_come_are_the_items():
    text = HEAD + ("## Conclusion\n\nWe now own the address.\n\nSome possible actions in the future:\n"
                   "* We could use the address more:\n  * to set up a second proxy with failover.\n"
                   "  * We could also use it for the mail gateway.\n* We should investigate IPv6\n")
    assert [(line, t) for line, t, _ in found(text)] == [
        (9, "Add a disk alert"), (17, "to set up a second proxy with failover."),
        (18, "We could also use it for the mail gateway."), (19, "We should investigate IPv6")]


def test_a_label_bullet_in_the_action_items_keeps_its_details():
    text = "# Outage\n\n## Action Items\n\n- Add alerts with these thresholds:\n  - CPU above 90%\n  - Disk above 80%\n"
    assert [t for _, t, _ in found(text)] == ["Add alerts with these thresholds:"]


def test_a_change_proposed_after_its_lead_in_line_is_an_item():
    text = HEAD + ("## Possible causes\n\nThe ARP cache may be stale.\n\na proposed fix is\n"
                   "net.ipv4.conf.all.arp_ignore=2\n\nA possible fix is to wait.\n\n"
                   "Suggested workarounds:\n\n- Flush the ARP cache from cron\n\n"
                   "Possible solutions:\n\n- Restart nightly\n")
    assert [(line, t, done) for line, t, done in found(text)][1:] == [
        (15, "a proposed fix is net.ipv4.conf.all.arp_ignore=2", False),
        (22, "Flush the ARP cache from cron", False)]


def test_an_announced_to_do_list_in_an_unmapped_section_is_taken_once():
    text = HEAD + ("## Further information\n\nSome possible actions in the future:\n\n"
                   "- Document the owners\n- Decide on a rota\n")
    assert [t for _, t, _ in found(text)] == ["Add a disk alert", "Document the owners", "Decide on a rota"]
