"""Issue titles of every action item in the real repositories end in words, never in references or metadata."""

from __future__ import annotations

import re

from postmortem_check.issues.content import issue_title
from postmortem_check.lint import lint_text
from tests.conftest import SHARED, need_shared

_LINK_TEXT = re.compile(r"\[(?P<text>[^\[\]]{1,60})\]\s*[(\[]")
_GENERIC = re.compile(r"(?:see\s+)?(?:issue|issues|pr|pull request|jira link|link|ticket|here|#\d+)", re.I)
_MARKUP_END = re.compile(r"(?:\*|_|`|~|\[|\]|\(|\{|<|>)$")
_URL_END = re.compile(r"(?:https?://|www\.)\S*$")
_PEOPLE_TIME_END = re.compile(
    r"(?:@[\w-]+|\bP[0-4]|\b(?:by|due|until|before)\s+(?:\d{4}-\d{2}-\d{2}|\w+day|tomorrow|eo[dwmqy]))[).,]?$", re.I)


def _titles() -> list[tuple[str, str, str]]:
    """(where, title, source lines) of every item that would become an issue (placeholders never do)."""
    root = need_shared(SHARED / "realrepos")
    found: list[tuple[str, str, str]] = []
    for path in sorted(root.rglob("*.md")):
        if "labels" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        for item in lint_text(text, path=str(path)).action_items:
            if not item.placeholder:
                source = "\n".join(lines[item.line - 1:item.line + 3])
                found.append((f"{path.relative_to(root)}:{item.line}", issue_title(item), source))
    return found


def _ends_in_link_text(title: str, source: str) -> bool:
    end = title.rstrip(" .:)]").lower()
    return any(_GENERIC.fullmatch(m.group("text").strip()) and end.endswith(m.group("text").strip(" .:").lower())
               for m in _LINK_TEXT.finditer(source))


def test_no_title_ends_in_a_reference_markup_bracket_url_or_metadata() -> None:
    titles = _titles()
    assert len(titles) > 300
    bad = [(where, title) for where, title, source in titles
           if _ends_in_link_text(title, source) or _MARKUP_END.search(title.rstrip("…")) or _URL_END.search(title)
           or _PEOPLE_TIME_END.search(title) or title.count("[") != title.count("]")]
    assert bad == []


def test_no_title_is_a_bare_url() -> None:
    assert [t[:2] for t in _titles() if re.fullmatch(r"<?https?://\S+", t[1])] == []
