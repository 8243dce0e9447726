"""Time-bounded fuzzing of the read -> lint -> report path (hypothesis as the engine).

Runs only with a budget: ``POSTMORTEM_FUZZ_SECONDS=120 python -m pytest -q -m long``. Inputs are generated
documents, raw bytes, and real postmortems from ../shared with bytes inserted, deleted and duplicated.
A failure is shrunk by hypothesis to a small input and reported like any failing test.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from postmortem_check.batch import lint_paths
from postmortem_check.config import Config
from tests.conftest import CORPUS, FUZZ_SECONDS, SEEDS
from tests.robustness import (
    HOSTILE,
    available_formats,
    check_rendered,
    document_bytes,
    line_count,
    render,
    render_summary,
    summary_available,
    time_limit,
)


def _real_documents() -> list[bytes]:
    found = []
    for folder in (SEEDS, CORPUS):
        if folder.is_dir():
            found += [p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".tsv"]
    return found or [b"# Summary\n\nText.\n\n## Timeline\n\n- 10:00 start\n"]


@st.composite
def mutated_real(draw: st.DrawFn, documents: list[bytes]) -> bytes:
    """A real postmortem with a few edits: hostile fragments, deletions, duplicated ranges, random bytes."""
    data = bytearray(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["hostile", "delete", "duplicate", "bytes", "newlines"]))
        if edit == "hostile":
            data[position:position] = draw(st.sampled_from(HOSTILE)).encode("utf-8")
        elif edit == "delete":
            del data[position:position + draw(st.integers(1, 200))]
        elif edit == "duplicate":
            end = min(len(data), position + draw(st.integers(1, 500)))
            data[position:position] = data[position:end] * draw(st.integers(1, 20))
        elif edit == "bytes":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[position:position] = draw(st.sampled_from([b"\r", b"\r\n", b"\n\n", b"\n> ", b"\n- ", b"\n```\n"]))
    return bytes(data)


@pytest.mark.long
def test_fuzz_read_to_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deadline = time.monotonic() + FUZZ_SECONDS
    formats = available_formats()
    config = Config()
    checked = [0]
    target_file = tmp_path / "fuzz.md"
    summary_file = tmp_path / "summary.md"
    inputs = st.one_of(document_bytes(), document_bytes(), mutated_real(_real_documents()), st.binary(max_size=4096))

    @settings(max_examples=300, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(data=inputs)
    def one_input(data: bytes) -> None:
        checked[0] += 1
        target_file.write_bytes(data)
        problems: list[str] = []
        with time_limit(120):
            results = list(lint_paths([str(target_file)], config, problems))
            assert not problems and len(results) == 1
            lines = line_count(data)
            assert all(1 <= f.line <= lines for f in results[0].findings), results[0].findings
            for fmt in formats:
                check_rendered(fmt, render(fmt, results), results)
            if summary_available():
                render_summary(results, summary_file)

    rounds = 0
    while rounds == 0 or time.monotonic() < deadline:
        one_input()
        rounds += 1
    with capsys.disabled():
        print(f"\nfuzz: {checked[0]} inputs checked in {rounds} rounds ({FUZZ_SECONDS:.0f} s budget)")
