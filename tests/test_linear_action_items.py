"""Action items never take super-linear time: 64 KB hostile items lint about as fast as a normal 64 KB file.

No absolute timings: every document is compared with a normal document of the same size, measured in the
same run (the best of a few runs each, so one slow moment of a shared machine does not decide). The runs
around every anchor use 16 KB documents, where a quadratic pattern is already tens of times slower.
The hostile text sits where only action-item patterns read it (outline patterns have their own tests).
"""

from __future__ import annotations

import pytest

from postmortem_check.lint import lint_text
from tests.test_linear_patterns import cpu_seconds

SIZE = 64 * 1024
SMALL = 16 * 1024
FACTOR = 5  # a super-linear pattern takes hundreds of times longer at this size
HEAD = "# Outage\n\n## Summary\n\nThe API was down.\n\n## Action Items\n\n"
NORMAL_ITEM = "- [ ] Add alerting on [queue depth](https://example.com/q) for the API @ana P1 due 2026-04-01 (#12)\n"


def _fill(prefix: str, unit: str, suffix: str = "x", size: int = SIZE) -> str:
    return prefix + unit * max(1, (size - len(HEAD) - len(prefix)) // len(unit)) + suffix


# The triggers measured in the hardening review, one item each.
TRIGGERS = {
    "many trailing mentions": _fill("- [ ] Fix it ", "@ab ", ""),
    "spaces inside a done word search": _fill("- [ ] Fix a", " ", "b"),
    "due and spaces": _fill("- [ ] Fix due", " ", "x"),
    "open brackets": _fill("- [ ] Fix ", "[", ""),
    "commas": _fill("- [ ] Fix ", ",", "x"),
    "unclosed links": _fill("- [ ] Fix ", "[a](", ""),
    "repeated URL starts": _fill("- [ ] Fix ", "http://", ""),
    "label and spaces": _fill("- [ ] Fix label:", " ", "!"),
    "numbered prefix and spaces": "Every item is done.\n\n## Lessons learned\n\n" + _fill("- 1", " ", "x"),
    "status word and spaces": _fill("- done", " ", "x"),
    "trailing parenthesis run": _fill("- [ ] Fix it ", "(", ")"),
    "key and spaces": _fill("### Item\n\n- **Owner", " ", "x"),
    "repeated due times": _fill("- [ ] Fix it ", "by Friday ", ""),
    "repeated reference links": _fill("- [ ] Fix it ", "([PR](https://e.com/pull/1)) ", ""),
    "repeated labels": _fill("- [ ] Fix it ", "labels: a, b ", ""),
}

# Anchors of the module's patterns, and the runs a hostile author puts around them.
ANCHORS = ["@", "#1", "due", "by", "labels:", "[", "](", "![", "http://", "P1", "**", "~~", "_", "✅", "DONE",
           "(", "owner:", "we ", "has been ", "see ", "a/b#1", "\\"]
FILLERS = [" ", "[", "]", ",", "@a ", "**", "(", ")", "_", ". "]


def _best_time(text: str, runs: int = 3) -> float:
    return cpu_seconds(lint_text, text, runs=runs)


def _normal(size: int) -> float:
    return _best_time(HEAD + NORMAL_ITEM * (size // len(NORMAL_ITEM)))


@pytest.fixture(scope="module")
def normal_time() -> float:
    return _normal(SIZE)


@pytest.fixture(scope="module")
def small_time() -> float:
    return _normal(SMALL)


def _assert_linear(body: str, normal: float, size: int = SIZE) -> None:
    text = HEAD + body + "\n"
    assert len(text.encode()) >= size * 0.9
    elapsed = _best_time(text, runs=1)
    if elapsed > FACTOR * normal:  # measure again before failing: the machine may have been busy
        elapsed = _best_time(text, runs=2)
    assert elapsed <= FACTOR * normal, f"{elapsed:.3f}s against {normal:.3f}s for a normal document"


@pytest.mark.parametrize("body", list(TRIGGERS.values()), ids=list(TRIGGERS))
def test_known_triggers_lint_in_linear_time(body: str, normal_time: float) -> None:
    _assert_linear(body, normal_time)


@pytest.mark.parametrize("anchor", ANCHORS)
def test_runs_around_every_anchor_lint_in_linear_time(anchor: str, small_time: float) -> None:
    """For each anchor: a long run of each filler after it, and the anchor repeated between fillers."""
    for filler in FILLERS:
        _assert_linear(_fill(f"- [ ] Fix {anchor}", filler, "x", SMALL), small_time, SMALL)
        _assert_linear(_fill("- [ ] Fix ", anchor + filler, "", SMALL), small_time, SMALL)


@pytest.mark.parametrize("unit", ["We plan to add a check. B\n", "are ", "is aly ", "we will ", "was ", ". A", "a"])
def test_work_announced_in_resolution_prose_lints_in_linear_time(unit: str, normal_time: float) -> None:
    head = "# Outage\n\n## Summary\n\nThe API was down.\n\n## Resolution\n\n"
    text = head + unit * ((SIZE - len(head)) // len(unit)) + "x\n"
    elapsed = _best_time(text, runs=1)
    if elapsed > FACTOR * normal_time:
        elapsed = _best_time(text, runs=2)
    assert elapsed <= FACTOR * normal_time, f"{elapsed:.3f}s against {normal_time:.3f}s for a normal document"


_LONG_TASK = "- Document the owner of every machine we run in the data centre, and a backup owner @ana\n"


@pytest.mark.parametrize("unit", ["now we have to ", "(and maybe ", "would help ", "… ", "a proposed fix is\n",
                                  _LONG_TASK, "- Fix:\n  - " + _LONG_TASK[2:], "?)", "you "])
def test_work_in_an_unmapped_section_lints_in_linear_time(unit: str, normal_time: float) -> None:
    for lead in ("", "Some possible actions:\n"):  # a to-do list of its own, or a list announced
        head = "# Outage\n\n## Summary\n\nThe API was down.\n\n## Further information\n\n" + lead
        text = head + unit * ((SIZE - len(head)) // len(unit)) + "x)\n"
        elapsed = _best_time(text, runs=1)
        if elapsed > FACTOR * normal_time:
            elapsed = _best_time(text, runs=2)
        assert elapsed <= FACTOR * normal_time, f"{elapsed:.3f}s against {normal_time:.3f}s for a normal document"
