"""Action items in every shape real postmortems use, with done state, owners, dates and issue links."""

from __future__ import annotations

from postmortem_check.lint import lint_text


def items(body: str, heading: str = "## Action Items") -> list[dict]:
    text = f"# Outage\n\n## Summary\n\nThe API was down.\n\n{heading}\n\n{body}\n"
    return [item.as_json() for item in lint_text(text).action_items]


def test_list_items_with_metadata():
    (item,) = items("- [ ] Add a canary stage to the deploy. @ana-lima P1 due 2026-04-01 labels: deploy, ci")
    assert item["text"] == "Add a canary stage to the deploy."
    assert item["assignees"] == ["ana-lima"]
    assert (item["priority"], item["due"], item["done"]) == ("P1", "2026-04-01", False)
    assert item["labels"] == ["deploy", "ci"]
    assert item["line"] == 9


def test_done_markers():
    found = items("- [x] Rotate the key.\n- DONE Add alerting.\n- ~~Remove the flag~~\n"
                  "- Document it (done)\n- Open one")
    assert [i["done"] for i in found] == [True, True, True, True, False]
    assert found[1]["text"] == "Add alerting."


def test_existing_issue_is_recorded():
    found = items("- Fix the retry loop (#123)\n- Add metrics https://github.com/acme/api/issues/77")
    assert [i["issue"] for i in found] == ["#123", "https://github.com/acme/api/issues/77"]
    assert found[0]["text"] == "Fix the retry loop"


def test_action_item_table_with_status_column():
    table = ("| Action Item | Owner | Bug | Status |\n| --- | --- | --- | --- |\n"
             "| Cap retries | @bo | #12 | DONE |\n| Alert on queue depth | @cy | | TODO |")
    found = items(table)
    assert [(i["text"], i["assignees"], i["issue"], i["done"], i["line"]) for i in found] == [
        ("Cap retries", ["bo"], "#12", True, 11), ("Alert on queue depth", ["cy"], None, False, 12)]


def test_one_item_per_line_with_wrapped_continuations_and_closing_prose():
    body = ("The following will be done:\n"
            "• Review the deploy checklist so that\n"
            "it covers database migrations.\n"
            "• Add a smoke test.\n"
            "In conclusion, we learned a lot.")
    found = items(body, heading="Corrective Measures:")
    assert [i["text"] for i in found] == [
        "Review the deploy checklist so that it covers database migrations.", "Add a smoke test."]


def test_nested_details_under_a_label_item_are_not_items():
    body = "1. **Monitoring:**\n   - Alert on CPU above 90%.\n2. **Capacity:**\n   - Add two nodes."
    assert [i["text"] for i in items(body)] == ["Monitoring:", "Capacity:"]


def test_placeholder_items_are_flagged():
    found = items("- [List the improvements]\n- Real action.")
    assert [i["placeholder"] for i in found] == [True, False]


def test_ids_are_stable_under_markup_and_metadata_and_unique_in_a_file():
    first = items("- **Add** a canary stage. @ana P1")[0]["id"]
    second = items("- add a  canary stage.  @bo P2 due 2026-05-01")[0]["id"]
    assert first == second
    twice = items("- Add a canary.\n- Add a canary.")
    assert twice[0]["id"] != twice[1]["id"] and twice[1]["id"].startswith(twice[0]["id"])


def texts(found: list[dict]) -> list[str]:
    return [i["text"] for i in found]


def test_group_sub_headings_over_named_bullets_are_not_items():
    body = ("### Short-term improvements\n\n"
            "- **Compatibility layer**: Make the check nullable and fall back safely when it is missing.\n"
            "- **Ignore SDK exceptions:** Do not capture exceptions our own SDK causes, behind an option.\n\n"
            "### Long-term improvements\n\n"
            "- **Compatibility tests**: Run the latest extension against the last minor versions. Owner: @lu\n")
    found = items(body)
    assert [t.split(":")[0] for t in texts(found)] == ["Compatibility layer", "Ignore SDK exceptions",
                                                        "Compatibility tests"]
    assert found[2]["assignees"] == ["lu"] and not found[2]["text"].endswith(("Owner:", "@lu"))


def test_a_sub_heading_whose_bullets_are_its_short_fields_is_the_item():
    body = ("### ✅ Add an alert for login failures\n\n- **Rule name**: `Login failures`\n- **Owner**: @ana\n"
            "- **Condition**: more than 5 in a minute\n\n### Tune the latency alert\n\n- **Status**: open\n")
    found = items(body)
    assert texts(found) == ["Add an alert for login failures", "Tune the latency alert"]
    assert [(i["done"], i["assignees"]) for i in found] == [(True, ["ana"]), (False, [])]


def test_bullets_after_a_numbered_item_are_its_details():
    body = ("1. **Move to a new table**\n\n- Created the table.\n- Copied the rows.\n\n"
            "2. **Scale ingestion**\nWe scaled workers while watching:\n\n- Lag\n- Throughput\n")
    assert texts(items(body)) == ["Move to a new table", "Scale ingestion. We scaled workers while watching:"]


def test_nested_references_and_status_notes_are_details():
    body = ("- Add integration tests for the fetch wrapper\n  - https://github.com/acme/sdk/pull/12\n"
            "  - See https://example.com/metrics.md.\n"
            "- Use a shared address for certificate mail\n  - This has been done: team@example.com\n"
            "- Split the worker pool\n  - Measure queue depth per pool\n")
    found = items(body)
    assert texts(found) == ["Add integration tests for the fetch wrapper", "Use a shared address for certificate mail",
                            "Split the worker pool", "Measure queue depth per pool"]
    assert [i["done"] for i in found] == [False, True, False, False]


def test_prose_items_under_their_own_sub_heading_beside_lists():
    body = ("### Builds\n\nLimit memory available to build pods. (https://github.com/acme/builder/pull/159)\n\n"
            "### Process\n\n- Name one driver per incident\n")
    found = items(body)
    assert texts(found) == ["Limit memory available to build pods.", "Name one driver per incident"]
    assert found[0]["issue"] == "https://github.com/acme/builder/pull/159"


def test_intro_paragraph_before_grouped_lists_is_not_an_item():
    body = "We reverted the change and released 1.2.1.\n\n### Next\n\n- Add a canary stage\n"
    assert texts(items(body)) == ["Add a canary stage"]


def test_an_action_item_paragraph_among_lists_is_an_item():
    body = ("- ✅ Reverted the change\n\n"
            "**Action item:** Start incidents earlier. Declare as soon as the issue is confirmed. Owner: @lu\n")
    found = items(body)
    assert texts(found)[1].startswith("Start incidents earlier.") and found[1]["assignees"] == ["lu"]
    assert [i["done"] for i in found] == [True, False]


def test_a_lessons_sub_heading_inside_action_items_does_not_end_them():
    body = ("### What went wrong\n\n- Nobody was paged\n\n### Process improvements\n\n"
            "1. Page the whole team on outages\n2. Document how to recycle nodes\n")
    assert texts(items(body)) == ["Page the whole team on outages", "Document how to recycle nodes"]


def test_status_lines_in_other_sections_are_items():
    text = ("# Outage\n\n## Summary\n\nThe disk filled up.\n\n## Lessons learned\n\nGraphs help.\n\n"
            "**DONE**: Added the blog to monitored sites.\n\n"
            "**TODO**: Monitor systemd units\nwith the exporter. ([see issue](https://github.com/acme/infra/issues/3))\n\n"
            "**DOING** check free space before the import.\n")
    found = [i.as_json() for i in lint_text(text).action_items]
    assert [(i["line"], i["done"]) for i in found] == [(11, True), (13, False), (16, False)]
    assert found[1]["text"] == "Monitor systemd units with the exporter."
    assert found[1]["issue"] == "https://github.com/acme/infra/issues/3"


def test_a_link_wrapped_over_two_lines_stays_one_line_of_text():
    body = "Rotate the keys on every host.\nSee [the full diff\nhere.](https://example.com/diff)\nAdd a canary."
    assert texts(items(body, heading="Corrective Measures:")) == ["Rotate the keys on every host.", "Add a canary."]


def test_done_from_the_heading_above():
    body = ("### Immediate actions (completed)\n\n- Timeouts moved to runtime configuration\n\n"
            "### Planned actions (planned or in progress)\n\n- Improved runbooks for engine limits\n")
    assert [i["done"] for i in items(body)] == [True, False]
    assert [i["done"] for i in items("- Move timeouts to configuration", heading="## Actions (Completed)")] == [True]


def test_done_from_marks_cells_and_wording():
    table = ("| Action Item | Type | Owner | Status |\n| :- | :- | :- | :- |\n"
             "| Revert the storage driver | mitigate | olivier | **DONE** |\n"
             "| Open a forum ticket | process | charles | **TODO** |")
    assert [i["done"] for i in items(table)] == [True, False]
    body = ("- ✅ Add integration tests\n- We tweaked the registry pull limit\n"
            "- The service account has been documented\n- Monitor the hub CPU (monitoring done in grafana)\n"
            "- Sent communications to all affected teams\n- Rotate secrets (Linux done; Windows pending)\n"
            "- Priority classes: has been scheduled for next quarter\n- We have added a backlog task to tune alerts\n"
            "- Automated tests for the fetch wrapper\n- We've significantly tightened the release workflow\n"
            "- Re-worked the secrets management\n- We opened a bug to investigate the snapshot size\n"
            "- Separate the rejection codes. Note: on investigation, we already do this.\n")
    assert [i["done"] for i in items(body)] == [True, True, True, True, True, False, False, False, False, True, True,
                                                False, True]


def test_titles_end_in_words_not_references_or_metadata():
    body = ("- Handle a closed socket gracefully. [Issue](https://github.com/acme/api/issues/4)\n"
            "- Retry the upload once. [Pull Request](https://github.com/acme/api/pull/5).\n"
            "- Add an on-call rota - [jira link](https://jira.example.com/browse/OPS-1)\n"
            "- Cap the retries [[PR](https://github.com/acme/api/pull/6)]\n"
            "- Alert on disk usage — @sam by Friday\n"
            "- Shrink the image (see https://example.com/notes)\n"
            "- https://github.com/acme/api/pull/7\n")
    found = items(body)
    assert texts(found) == ["Handle a closed socket gracefully.", "Retry the upload once.", "Add an on-call rota",
                            "Cap the retries", "Alert on disk usage", "Shrink the image"]
    assert [i["issue"] for i in found][:2] == ["https://github.com/acme/api/issues/4",
                                               "https://github.com/acme/api/pull/5"]
    assert found[4]["assignees"] == ["sam"]


def test_owner_cell_with_several_logins_priority_and_type_become_fields():
    table = ("| Action | Type | Owner | Priority |\n| --- | --- | --- | --- |\n"
             "| Run the containers on a VM | prevent | olivier,charles, stephane | High |\n"
             "| Document the owners | process | Jane Doe | P2 |")
    found = items(table)
    assert found[0]["assignees"] == ["olivier", "charles", "stephane"]
    assert found[0]["labels"] == ["high", "prevent"]
    assert (found[1]["assignees"], found[1]["labels"], found[1]["priority"]) == ([], ["P2", "process"], "P2")


def test_reference_links_and_other_repositories_issues():
    text = ("# Outage\n\n## Action Items\n\n- Implement proactive alerts ([issue][alerting-issue])\n"
            "- Fix the redirect upstream (acme/router#11134)\n- Pin the SDK ([#11134][sdk])\n- Add a canary (#12)\n\n"
            "[alerting-issue]: https://github.com/acme/deploy/issues/1234\n"
            "[sdk]: https://github.com/other/sdk/issues/11134\n")
    found = [i.as_json() for i in lint_text(text).action_items]
    assert [i["issue"] for i in found] == ["https://github.com/acme/deploy/issues/1234",
                                           "https://github.com/acme/router/issues/11134",
                                           "https://github.com/other/sdk/issues/11134", "#12"]
    assert texts(found) == ["Implement proactive alerts", "Fix the redirect upstream", "Pin the SDK", "Add a canary"]


def test_nested_bullets_under_a_detail_bullet_are_details():
    body = "1. **Move to a new table**\n\n- Created the table.\n  - With a fresh OID space.\n\n2. Scale ingestion\n"
    assert texts(items(body)) == ["Move to a new table", "Scale ingestion"]


def test_a_todo_line_in_the_summary_is_not_an_item():
    text = "# Outage\n\n## Summary\n\n**TODO**: write the summary.\n\n## Action Items\n\n- Add a canary\n"
    assert [i.text for i in lint_text(text).action_items] == ["Add a canary"]


def test_statements_after_a_prose_item_explain_it():
    body = ("Going forward the team is going to rebuild the deployment process.\n"
            "The ideal pattern would be one with quick failover.\n"
            "Our engineers are working on it at this moment.\n")
    found = items(body, heading="## Corrective Measures")
    assert [i["line"] for i in found] == [9]
    body = "Add negative tests for all values.\nMinimize the number of data structures.\nHave an incident plan."
    assert len(items(body, heading="## Corrective Measures")) == 3


def test_a_short_closing_note_says_done():
    found = items("- Use in-progress metrics for launches. _done in grafana_.\n"
                  "- Make sure the rollout is done.\n- Rotate keys. Once done, tell the team.")
    assert [i["done"] for i in found] == [True, False, False]


def test_titles_keep_their_last_word():
    found = items("- Let customers opt in\n- Decide what to fall back on @bo\n- Document the steps. See https://e.com/x")
    assert texts(found) == ["Let customers opt in", "Decide what to fall back on", "Document the steps."]


def test_escaped_markup_is_text():
    assert texts(items(r"- Notice GKE node limits. \*Add a threshold\* to _the_ charts")) == [
        "Notice GKE node limits. *Add a threshold* to the charts"]


def test_bold_labels_after_a_lessons_label_below_the_action_items_are_not_items():
    text = ("# Outage\n\n## Action Items\n\n- Fix the retry loop\n\n**Lessons learned**\n\n- Alerts were late\n\n"
            "**Notes**\n\n- The vendor was slow\n")
    assert [i.text for i in lint_text(text).action_items] == ["Fix the retry loop"]


def test_a_label_in_prose_is_not_a_label_list():
    (prose, listed) = items("- [ ] Change the alert label: it currently says DB and should say Primary DB\n"
                            "- [ ] Add a retry budget (labels: monitoring, sre)")
    assert (prose["text"], prose["labels"]) == (
        "Change the alert label: it currently says DB and should say Primary DB", [])
    assert (listed["text"], listed["labels"]) == ("Add a retry budget", ["monitoring", "sre"])


def test_a_team_mention_names_no_assignee():
    (item,) = items("- [ ] Page @acme/security-team about the key @bob")
    assert item["assignees"] == ["bob"]


def test_items_under_bold_group_lines_of_an_unknown_sub_heading_are_items():
    text = ("# Outage\n\n## Remediation\n\n### Short-term work\n\n**In progress (next 2 weeks):**\n\n"
            "- Split the cache from the queue\n\n**Before re-enabling sync:**\n\n- Align the chart values\n\n"
            "## Lessons Learned\n\n**Notes:**\n\n- The vendor was slow\n")
    found = lint_text(text).action_items
    assert [(i.text, i.done) for i in found] == [("Split the cache from the queue", False),
                                                 ("Align the chart values", False)]


def test_the_team_templates_instruction_left_in_the_action_items_is_no_item(tmp_path):
    import json

    from postmortem_check.config import Config
    from postmortem_check.schema import packaged_text

    schema = json.loads(packaged_text("default.json"))
    del schema["$id"]
    schema["x-template-text"] = ["These are only sample headings. Every item needs an issue"]
    path = tmp_path / "team.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    text = ("# Outage\n\n## Action Items\n\nThese are only sample headings. Every item needs an issue\n\n"
            "### Process\n\nPage the second on-call after ten minutes\n")
    assert [i.text for i in lint_text(text, Config(schema=str(path))).action_items] == [
        "Page the second on-call after ten minutes"]
    assert len(lint_text(text).action_items) == 2


def test_past_tense_after_a_short_opening_clause_reports_the_work_done():
    found = items("On the 2026-03-10 I manually removed the old snapshots.\n\n"
                  "While at it, I also cleaned the staging zone.\n\nWhile at it, clean the staging zone.\n")
    assert [i["done"] for i in found] == [True, True, False]


def test_a_hedged_observation_among_prose_items_is_no_item():
    found = items("The alert threshold is too high and should be 90%.\n\n"
                  "It seems odd that the snapshots take so much space.\n\n"
                  "The high disk usage might also explain the slow pages.\n\n"
                  "We might want to shard the products table.\n")
    assert texts(found) == ["The alert threshold is too high and should be 90%.",
                            "We might want to shard the products table."]


def test_work_announced_in_resolution_prose_without_an_action_items_section():
    text = ("# Outage\n\n## Summary\n\nThe runners were compromised.\n\n## Resolution and recovery\n\n"
            "The runners were stopped. The team plans to have an outside firm review the runners.\n"
            "All secrets are being rotated.\n\nTo prevent this in the future, a queue limit was added.\n\n"
            "The vendor said they will answer fast. Any links that exist will still be displayed.\n")
    found = [(i.text, i.line, i.done) for i in lint_text(text).action_items]
    assert found == [("The team plans to have an outside firm review the runners.", 9, False),
                     ("All secrets are being rotated.", 10, False),
                     ("To prevent this in the future, a queue limit was added.", 12, True)]
    listed = text + "\n## Action Items\n\n- Review the runners\n"
    assert [i.text for i in lint_text(listed).action_items] == ["Review the runners"]



def test_work_announced_in_a_letter_without_sections_is_an_item():
    text = ("On Monday the flags API was down for three hours.\n\n"
            "To start with, all SDKs will stop retrying flag requests. This is already released for all SDKs now.\n\n"
            "Secondly, we'll add a manual override to the health checks.\n\nThe database was slow.\n")
    found = [(i.text, i.done) for i in lint_text(text).action_items]
    assert found == [("To start with, all SDKs will stop retrying flag requests.", True),
                     ("Secondly, we'll add a manual override to the health checks.", False)]


def test_an_investigation_sub_heading_under_the_action_items_is_work():
    text = ("# Outage\n\n## Root Cause\n\nA full disk.\n\n## Action items\n\n### Investigation\n\n"
            "Why did the disk fill up? Read the node logs.\n\n### What went wrong\n\nThe alert was late.\n\n"
            "### Process improvements\n\n1. Page the second on-call\n")
    assert [i.text for i in lint_text(text).action_items] == [
        "Why did the disk fill up? Read the node logs.", "Page the second on-call"]


def test_a_list_introduced_as_work_to_come_outside_the_action_items_is_items():
    text = ("# Outage\n\n## Action Items\n\n- Add a disk alert\n\n## Conclusion\n\nWe now own the address.\n\n"
            "Some possible actions in the future:\n\n* Set up a second proxy\n* Investigate using IPv6\n\n"
            "Things we noticed:\n\n* The vendor was slow\n")
    assert [i.text for i in lint_text(text).action_items] == [
        "Add a disk alert", "Set up a second proxy", "Investigate using IPv6"]


def test_text_before_the_action_sub_sections_introduces_them():
    text = ("# Outage\n\n## Remediation\n\nWe reverted the change and released 1.2.1.\n\n"
            "### Immediate Actions\n\n- ✅ Reverted the change\n\n### Long-term Improvements\n\n- Add contract tests\n")
    assert [i.text for i in lint_text(text).action_items] == ["Reverted the change", "Add contract tests"]
    alone = "# Outage\n\n## Remediation\n\nWe reverted the change and released 1.2.1.\n\n## Timeline\n\n- 10:00 a\n"
    assert [i.text for i in lint_text(alone).action_items] == ["We reverted the change and released 1.2.1."]


def test_a_step_by_step_account_of_the_response_is_not_items():
    text = ("# Outage\n\n## Root Cause\n\nA full disk.\n\n## Resolution\n\n### Long term\n\n"
            "I stopped the log shipper on every machine.\n\nThen I removed the current index.\n\n"
            "As a first try, I changed the retention setting.\n\n"
            "I also added the policy to the repository, so that next time it is set.\n\n"
            "I will add a disk alert.\n\nMove the logs to a bigger disk.\n")
    assert [i.text for i in lint_text(text).action_items] == [
        "I also added the policy to the repository, so that next time it is set.", "I will add a disk alert.",
        "Move the logs to a bigger disk."]
    one = ("# Outage\n\n## Root Cause\n\nA full disk.\n\n## Action items\n\n"
           "I added an email alert on renewal failure.\n\nMove the logs to a bigger disk.\n")
    assert [i.text for i in lint_text(one).action_items] == [
        "I added an email alert on renewal failure.", "Move the logs to a bigger disk."]


def test_a_next_action_told_in_resolution_prose_is_an_item():
    text = ("# Outage\n\n## Resolution\n\nWe moved the proxy to a new address. So a second action was to move "
            "every name behind the proxy to the new host\n\n## Root Cause\n\nA lost address.\n")
    assert [i.text for i in lint_text(text).action_items] == [
        "So a second action was to move every name behind the proxy to the new host"]


def test_a_final_resolution_heading_is_the_resolution():
    text = ("# Outage\n\n## Final Resolution\n\nWe moved the proxy. So the next step is to move every name to the "
            "new host\n\n## Root Cause\n\nA lost address.\n")
    result = lint_text(text)
    assert result.sections["resolution"]["heading"] == "Final Resolution"
    assert [i.text for i in result.action_items] == ["So the next step is to move every name to the new host"]


def test_plain_text_drops_markup_and_control_characters():
    from postmortem_check.action_items import plain

    assert plain("Rotate the **API** keys") == "Rotate the API keys"
    assert plain("Use `kubectl` and _only_ ~~old~~ flags") == "Use kubectl and only old flags"
    assert plain("Bell\x07and\x1bescape") == "Bell and escape"
    assert plain("Plain words, no marks") == "Plain words, no marks"
