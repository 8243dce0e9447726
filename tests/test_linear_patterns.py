"""Every regular expression applied to document text runs in linear time.

Each document below is 64 KB built from a shape that made a pattern backtrack (a long run of one
character between a pattern's anchor and the text that makes it fail). Linting it must take at most
``FACTOR`` times as long as linting a normal 64 KB postmortem, measured in the same run. A pattern that
backtracks quadratically takes minutes on such a document; a time limit stops the test long before.

``assert_linear`` is the harness: other modules' tests can pass it their own document builders.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortem_check.lint import lint_text

SIZE = 64 * 1024
FACTOR = 5.0  # "a few times" a normal document of the same size
_NORMAL_PART = """## Summary

On 2024-03-07 the checkout API returned errors for 42 minutes after a deploy; about 12% of requests
failed. The cause was a connection pool limit set too low in the new release.

## Timeline

- 10:02 UTC deploy of release 4.18 starts
- 10:09 UTC error rate alert fires; @alice acknowledges
- 10:20 UTC the release is rolled back

| Time | Event |
|---|---|
| 10:31 | **Recovery:** error rate back to normal |

## Root Cause

The pool size was read from a default of `5` instead of the configured `50` ([PR #123](https://example.com)).

## Resolution

The release was rolled back and the configuration fixed.

## Corrective Actions

- [ ] Validate pool settings at start-up @bob due 2024-04-01
- [x] Alert on pool exhaustion

"""


def normal_document(size: int = SIZE) -> str:
    """A well-formed postmortem repeated to ``size`` characters."""
    text = "# Checkout errors\n\n"
    while len(text) < size:
        text += _NORMAL_PART
    return text[:size]


class _TooSlow(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the code inside after ``seconds`` (a backtracking pattern would otherwise run for minutes)."""
    def stop(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cpu_seconds(lint: Callable[[str], object], text: str, limit: float = 60.0, runs: int = 3) -> float:
    """The best of ``runs`` runs of ``lint(text)``, in seconds of this process's CPU (other processes, the
    test suite's own among them, do not count); ``limit`` seconds at most."""
    best = limit
    for _ in range(runs):
        start = time.process_time()
        try:
            with _time_limit(limit):
                lint(text)
        except _TooSlow:
            return limit
        best = min(best, time.process_time() - start)
    return best


@lru_cache(maxsize=1)
def normal_seconds() -> float:
    """How long a normal 64 KB postmortem takes to lint, in this run."""
    return cpu_seconds(lint_text, normal_document(), 60.0)


def assert_linear(text: str, lint: Callable[[str], object] = lint_text, factor: float = FACTOR) -> None:
    """Lint ``text`` (about 64 KB) and assert it took at most ``factor`` times a normal 64 KB document."""
    reference = normal_seconds()
    limit = max(factor * reference, 0.05)
    took = cpu_seconds(lint, text, limit + 1.0)
    assert took <= limit, f"{took:.2f} s, a normal 64 KB document takes {reference:.2f} s"


def fill(prefix: str, run: str, suffix: str, size: int = SIZE) -> str:
    """``prefix``, then ``run`` repeated, then ``suffix``: ``size`` characters in all."""
    count = max(1, (size - len(prefix) - len(suffix)) // len(run))
    return prefix + run * count + suffix


_IN_SUMMARY = "# Outage\n\n## Summary\n\n"
_IN_TIMELINE = "# Outage\n\n## Timeline\n\n"

# The shapes that backtracked, each as (where, anchor, run, tail).
TRIGGERS = [
    ("outline bare label", _IN_SUMMARY + "o", " ", "x:y"),
    ("outline inline label", _IN_SUMMARY + "Impact", " ", "x: y"),
    ("vocabulary brackets at the end of a heading", "## Summary", " ", "x"),
    ("outline emphasis line", _IN_SUMMARY + "**Timeline**", " ", "x"),
    ("inline label in a list", _IN_SUMMARY + "- **Impact:**", " ", "x:y"),
    ("underscores in a heading", "## a", "_", "a"),
    ("stars in a heading", "## a", "*", "x:y"),
    ("tabs in a heading", "## a", "\t", "x"),
    ("date then spaces", _IN_TIMELINE + "- 2024-01-", " ", "x:y"),
    ("month then spaces", _IN_TIMELINE + "- Mar", " ", "x:y"),
    ("time then spaces", _IN_TIMELINE + "- 10:00", " ", "x:y"),
    ("brackets", _IN_SUMMARY, "[", "x"),
    ("open brackets and text", _IN_SUMMARY, "[a ", "]"),
    ("commas", _IN_SUMMARY + "due", ",", "x"),
    ("question marks", _IN_SUMMARY + "Impact", "?", "x"),
    ("backticks", _IN_SUMMARY, "`a", "x"),
    ("angle brackets", _IN_SUMMARY, "<a ", "x"),
    ("mentions", _IN_TIMELINE + "- 10:00 fixed", " @a", "x"),
    ("table cells", _IN_TIMELINE + "| Time | Event |\n|---|---|\n| 10:00 ", "|", "x"),
    ("fence markers", _IN_SUMMARY, "`", "x"),
    ("block quotes", _IN_SUMMARY, ">", "x"),
    ("parentheses in a heading", "## Timeline ", "(", "x"),
    ("masks", _IN_TIMELINE + "- HH", ":", "x"),
    ("words after monitoring", _IN_TIMELINE + "- 10:00 monitoring ", "a ", "x"),
    ("spaces after a time in prose", _IN_SUMMARY + "At 10:00", " ", "x"),
    ("spaces after caused", _IN_SUMMARY + "and caused", " ", "x"),
    ("wrapped lines", _IN_SUMMARY, "causing\n", "x"),
    ("spaces after a todo note", _IN_SUMMARY + "TODO: a", " ", "x"),
    ("words after a todo note", _IN_SUMMARY + "TODO:", " a", "."),
    ("spaces after can cause", _IN_SUMMARY + "can cause", " ", "x"),
    ("words after we should", _IN_SUMMARY + "in the future we should", " ", "x"),
]


@pytest.mark.parametrize(("prefix", "run", "suffix"), [t[1:] for t in TRIGGERS],
                         ids=[t[0] for t in TRIGGERS])
def test_trigger_lints_in_linear_time(prefix, run, suffix):
    assert_linear(fill(prefix, run, suffix))


def test_many_front_matter_keys_lint_in_linear_time():
    """Front matter costs more a byte than prose (PyYAML reads it), so it is compared with itself: four times
    the keys, at most eight times the time (a quadratic reading would take sixteen). The two sizes are timed
    in turns, so a busy moment of the machine slows both."""
    def document(count: int) -> str:
        return "---\n" + "".join(f"key{i}: value {i}\n" for i in range(count)) + "---\n\n# Outage\n"

    small, large = document(1000), document(4000)
    small_best = large_best = 60.0
    for _ in range(3):
        small_best = min(small_best, cpu_seconds(lint_text, small, 60.0, runs=1))
        large_best = min(large_best, cpu_seconds(lint_text, large, 60.0, runs=1))
    assert large_best <= 8 * small_best, f"{large_best:.2f} s for 4,000 keys, {small_best:.2f} s for 1,000"


def test_many_headings_and_lines_lint_in_linear_time():
    assert_linear(fill("# Outage\n\n", "## Summary (x)\n\nTBD [date] 10:00 Mar 3\n\n", ""))


# Anchors of the package's patterns and the runs that make a backtracking pattern slow.
_ANCHORS = ["", "o ", "Impact", "## Summary", "**Timeline**", "- **Impact:**", "Timeline:", "- 10:00 ", "Mar",
            "2024-01-", "| 10:00 ", "[", "`", "<", "TBD", "_", "1.", "> ", "due to", "we fixed", "was caused",
            "at 9", "HH:", "(", "**", "- [ ] "]
_RUNS = [" ", "\t", "[", "]", ",", "@a ", "*", "_", "`", "(", ")", ":", "-", "?", ".", "|", "#", ">", "<", "1", "a ",
         "**", "a_", "/", "'"]
_TAILS = ["", "x", "x:y", "x: y", ")", "]", "**", "`"]
_PLACES = ["", "# Outage\n\n## Summary\n\n", "# Outage\n\n## Timeline\n\n",
           "# Outage\n\n## Timeline\n\n- 10:00 a\n  - "]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(place=st.sampled_from(_PLACES), anchor=st.sampled_from(_ANCHORS), run=st.sampled_from(_RUNS),
       tail=st.sampled_from(_TAILS), lines=st.booleans())
def test_generated_runs_around_anchors_lint_in_linear_time(place, anchor, run, tail, lines):
    """A long run of spaces, brackets, commas, mentions or markup after each pattern's anchor."""
    if lines:  # the same shape on many short lines instead of one long one
        assert_linear(fill(place, anchor + run * 40 + tail + "\n", ""))
    else:
        assert_linear(fill(place + anchor, run, tail))
