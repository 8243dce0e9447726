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
