"""Compare the sections postmortem-check finds with a human reading of the shared corpus.

Usage: python bench/corpus.py [CORPUS_DIR]   (default: ../shared/corpus beside the repository)

Prints one row per file (sections expected, found, missed, extra; action items expected and found)
and the precision and recall over all (file, section) pairs.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from postmortem_check.config import Config
from postmortem_check.document import decode
from postmortem_check.lint import lint_document, schema_for

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@dataclass
class Row:
    file: str
    expected: set[str]
    found: set[str]
    items_expected: int
    items_found: int

    @property
    def missed(self) -> set[str]:
        return self.expected - self.found

    @property
    def extra(self) -> set[str]:
        return self.found - self.expected


def compare(corpus: Path) -> list[Row]:
    config = Config()
    schema = schema_for(config)
    rows = []
    with open(corpus / "labels.tsv", encoding="utf-8") as handle:
        for label in csv.DictReader(handle, delimiter="\t"):
            name = re.search(r"file=([^;]+)", label["notes"])
            if not name:
                continue
            path = corpus / name.group(1).strip()
            result = lint_document(decode(str(path), path.read_bytes()), schema, config)
            rows.append(Row(
                path.name,
                {s for s in label["sections_present"].split(",") if s},
                set(result.sections),
                int(label["action_items"] or 0),
                len(result.action_items),
            ))
    return rows


def scores(rows: list[Row]) -> tuple[float, float]:
    true_positive = sum(len(r.expected & r.found) for r in rows)
    found = sum(len(r.found) for r in rows)
    expected = sum(len(r.expected) for r in rows)
    return (true_positive / found if found else 1.0), (true_positive / expected if expected else 1.0)


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    if not (corpus / "labels.tsv").is_file():
        print(f"no labels.tsv in {corpus}", file=sys.stderr)
        return 2
    rows = compare(corpus)
    print(f"{'file':<48} {'sec':>3} {'found':>5}  {'items':>9}  missed / extra")
    for row in rows:
        notes = " ".join([*(f"-{s}" for s in sorted(row.missed)), *(f"+{s}" for s in sorted(row.extra))])
        print(f"{row.file:<48} {len(row.expected):>3} {len(row.found & row.expected):>5}  "
              f"{row.items_found:>4}/{row.items_expected:<4}  {notes}")
    precision, recall = scores(rows)
    print(f"\nprecision {precision:.3f}  recall {recall:.3f}  over {sum(len(r.expected) for r in rows)} "
          f"labelled (file, section) pairs in {len(rows)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
