"""Heading matching looks variants up in an index: the work per heading does not grow with the vocabulary."""

from __future__ import annotations

import pytest

import postmortem_check.vocabulary as vocabulary
from postmortem_check.vocabulary import EXACT, FUZZY, PREFIX, SectionSpec, Vocabulary


def _vocabulary(sections: int) -> Vocabulary:
    words = ["incident", "mitigation", "escalation", "retrospective", "communication", "postmortem"]
    specs = [SectionSpec(f"s{n}", f"Section{n:05d} {words[n % len(words)]}", "",
                         (f"{words[n % len(words)]} number{n:05d}",), ()) for n in range(sections)]
    return Vocabulary([SectionSpec("timeline", "Timeline", "", ("Chronology of events",), ()), *specs])


def _typo_checks(monkeypatch: pytest.MonkeyPatch, vocab: Vocabulary, headings: list[str]) -> int:
    calls = [0]
    real = vocabulary._typo_of

    def counting(key: list[str], variant: list[str]) -> bool:
        calls[0] += 1
        return real(key, variant)

    monkeypatch.setattr(vocabulary, "_typo_of", counting)
    for heading in headings:
        vocab.match(heading)
    return calls[0]


def test_typo_checks_do_not_grow_with_the_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    headings = [f"Unrelated heading {n} about something else" for n in range(200)]
    small = _typo_checks(monkeypatch, _vocabulary(10), headings)
    large = _typo_checks(monkeypatch, _vocabulary(1000), headings)
    assert large <= small + 10, (small, large)


def test_a_typo_anywhere_in_a_long_word_is_still_found() -> None:
    vocab = _vocabulary(50)
    assert vocab.match("Chronology of events") == (("timeline",), EXACT)
    for typo in ("Xhronology of events", "Chronologx of events", "Chrnoology of events", "hronology of events",
                 "Chronolog of events", "Cchronology of events"):
        assert vocab.match(typo) == (("timeline",), FUZZY), typo
    assert vocab.match("Chronology of events for the outage") == (("timeline",), PREFIX)
    assert vocab.match("Xhrznology of events") == ((), 0)
    assert vocab.match("Chronology of evnets") == ((), 0), "a typo only in a word of seven letters or more"
