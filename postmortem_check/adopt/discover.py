"""Find a repository's postmortems, the files beside them that are not postmortems, and its template."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..discover import SKIP_DIRS
from ..document import Document, decode
from ..outline import build_outline
from ..vocabulary import Vocabulary

TEXT_EXTENSIONS = (".md", ".markdown", ".txt")
_MAX_SIZE = 1024 * 1024
_MAX_FILES = 20_000
_NOT_POSTMORTEM = re.compile(
    r"^(readme|index|contributing|changelog|changes|history|license|licence|code_of_conduct|security|"
    r"summary|toc|authors|maintainers|owners|codeowners|notice|todo|_sidebar|sidebar)$", re.I)
_TEMPLATE = re.compile(r"templ?ate", re.I)
_NAME_SIGNAL = re.compile(
    r"(?:^|[^0-9])(?:19|20)\d{2}[-_.]?[01]\d(?:[-_.]?[0-3]\d)?(?:[^0-9]|$)|post[-_ ]?mortem|incident|outage|"
    r"\brca\b|^pm\d{2,4}[-_ ]?\d+", re.I)
_DATED_FOLDER = re.compile(r"(?:^|/)(?:19|20)\d{2}(?:[-_.]?[01]\d)?(?:/|$)")
_FOLDER_SIGNAL = re.compile(r"post[-_ ]?mortem|incident|outage|rca|reports?|retro", re.I)


@dataclass
class Candidate:
    """A text file of the repository, with what its name and content say about it."""

    path: str  # relative to the root, with "/" separators
    document: Document
    known_sections: set[str] = field(default_factory=set)
    words: int = 0


@dataclass
class Layout:
    """What ``init`` found: postmortems, files beside them that are not, and the template (if any)."""

    postmortems: list[Candidate]
    others: list[str]  # text files beside the postmortems (README, index, templates, ...)
    template: Candidate | None
    all_files: list[str]  # every file met, relative to the root (for checking the patterns)


def _is_text_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(TEXT_EXTENSIONS) or ("." not in name.lstrip(".") and not name.startswith("."))


def _walk(root: str) -> list[str]:
    found: list[str] = []
    for directory, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            full = os.path.join(directory, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            found.append(os.path.relpath(full, root).replace(os.sep, "/"))
            if len(found) >= _MAX_FILES:
                return found
    return found


def _read(root: str, path: str, vocabulary: Vocabulary) -> Candidate | None:
    full = os.path.join(root, path)
    try:
        if os.path.getsize(full) > _MAX_SIZE:
            return None
        with open(full, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return _read_text(path, text, vocabulary)


def is_other_name(path: str) -> bool:
    """README, index, changelog, template...: a file kept beside postmortems that is not one."""
    stem = PurePosixPath(path).name.rsplit(".", 1)[0] if "." in PurePosixPath(path).name else PurePosixPath(path).name
    return bool(_NOT_POSTMORTEM.match(stem.strip())) or bool(_TEMPLATE.search(stem))


def _looks_like_postmortem(candidate: Candidate) -> bool:
    name = PurePosixPath(candidate.path).name
    folders = str(PurePosixPath(candidate.path).parent)
    named = bool(_NAME_SIGNAL.search(name)) or bool(_DATED_FOLDER.search(folders))
    in_folder = bool(_FOLDER_SIGNAL.search(folders)) or bool(_FOLDER_SIGNAL.search(name))
    sections = len(candidate.known_sections)
    if named:
        return sections >= 1 or candidate.words >= 80
    if in_folder:
        return sections >= 2
    return sections >= 3


def discover(root: str, vocabulary: Vocabulary) -> Layout:
    """Classify the text files under ``root``: postmortems, the files beside them, and the template."""
    all_files = _walk(root)
    candidates = [c for path in all_files if _is_text_name(PurePosixPath(path).name)
                  and (c := _read(root, path, vocabulary)) is not None]
    postmortems = [c for c in candidates if not is_other_name(c.path) and _looks_like_postmortem(c)]
    # A file named like the postmortems beside it is one, even when it is still a stub.
    pm_folders = {str(PurePosixPath(c.path).parent) for c in postmortems}
    postmortems = [c for c in candidates if c in postmortems or (
        not is_other_name(c.path) and str(PurePosixPath(c.path).parent) in pm_folders
        and _NAME_SIGNAL.search(PurePosixPath(c.path).name))]
    # Extensionless files only count beside Markdown postmortems (they are notes, scripts, ... elsewhere).
    folders = {str(PurePosixPath(c.path).parent) for c in postmortems if "." in PurePosixPath(c.path).name}
    postmortems = [c for c in postmortems
                   if "." in PurePosixPath(c.path).name or str(PurePosixPath(c.path).parent) in folders]
    pm_folders = {str(PurePosixPath(c.path).parent) for c in postmortems}
    near = pm_folders | {str(PurePosixPath(f).parent) for f in pm_folders}
    others = [c.path for c in candidates if c not in postmortems and str(PurePosixPath(c.path).parent) in near]
    templates = [c for c in candidates if _TEMPLATE.search(PurePosixPath(c.path).name) and c not in postmortems]
    templates.sort(key=lambda c: (str(PurePosixPath(c.path).parent) not in pm_folders,
                                  str(PurePosixPath(c.path).parent) not in near, -len(c.known_sections), c.path))
    template = templates[0] if templates and templates[0].known_sections else None
    if template is None:
        template = _fenced_template([c for c in candidates if c.path in others], vocabulary)
    return Layout(postmortems, others, template, all_files)


def _fenced_template(readmes: list[Candidate], vocabulary: Vocabulary) -> Candidate | None:
    """A template kept as a fenced Markdown block in a README or index beside the postmortems."""
    from ..parse import parse_markdown

    for readme in readmes:
        if not is_other_name(readme.path) or _TEMPLATE.search(PurePosixPath(readme.path).name):
            continue
        body = "\n".join(readme.document.lines[readme.document.body_start - 1:])
        for block in parse_markdown(body).blocks:
            fenced = block.kind == "code" and len(block.lines) > 1 and block.lines[0] == ""
            if not fenced or block.info.split()[:1] not in ([], ["markdown"], ["md"]):
                continue
            inner = "\n".join(block.lines[1:]) + "\n"
            found = _read_text(f"{readme.path} (fenced template, line {block.line})", inner, vocabulary)
            if found is not None and len(found.known_sections) >= 2:
                return found
    return None


def _read_text(path: str, text: str, vocabulary: Vocabulary) -> Candidate | None:
    document = decode(path, text.encode("utf-8"))
    if not document.readable:
        return None
    body = "\n".join(document.lines[document.body_start - 1:])
    outline = build_outline(path, body, document.body_start, vocabulary)
    known = {s for s, section in outline.found.items() if section.explicit}
    return Candidate(path, document, known, len(document.text.split()))
