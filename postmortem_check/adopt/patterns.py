"""The file selections ``init`` writes: include/exclude globs for the config, regexes for the pre-commit hook.

Both are checked against every file found: the hook's ``files``/``exclude`` (Python regexes searched in
paths relative to the repository root, as pre-commit does) select exactly the postmortems found.
"""

from __future__ import annotations

import glob
import re
from pathlib import PurePosixPath

_DIGITS = re.compile(r"\d+")
OTHER_NAMES = (r"(?:^|/)(?i:readme|index|contributing|changelog|changes|license|licence|code_of_conduct|"
               r"security|summary|toc|_sidebar|[^/]*templ?ate[^/]*)(?:\.[^/]*)?$")


def _folder_regex(folder: str) -> str:
    """A folder, with each run of digits generalised (``2021-05`` also matches next month's folder)."""
    if folder in ("", "."):
        return ""
    parts = []
    for piece in re.split(r"(\d+)", folder):
        parts.append(r"\d+" if piece.isdigit() else re.escape(piece))
    return "".join(parts) + "/"


def _suffix_regex(names: list[str]) -> str:
    extensions = sorted({PurePosixPath(n).suffix.lower() for n in names if PurePosixPath(n).suffix})
    alternatives = [re.escape(e) for e in extensions]
    pattern = r"[^/]*(?:" + "|".join(alternatives) + ")" if alternatives else ""
    if any(not PurePosixPath(n).suffix for n in names):
        pattern = f"(?:{pattern}|[^/.]+)" if pattern else "[^/.]+"
    return pattern


def hook_patterns(postmortems: list[str], all_files: list[str]) -> tuple[str, str]:
    """``files`` and ``exclude`` regexes that select every postmortem and no other file met."""
    by_folder: dict[str, list[str]] = {}
    for path in postmortems:
        by_folder.setdefault(str(PurePosixPath(path).parent), []).append(PurePosixPath(path).name)
    alternatives: dict[str, list[str]] = {}
    for folder, names in sorted(by_folder.items()):
        alternatives.setdefault(_suffix_regex(names), []).append(_folder_regex(folder))
    pieces = []
    for suffix, folders in alternatives.items():
        unique = sorted(set(folders))
        prefix = unique[0] if len(unique) == 1 else "(?:" + "|".join(unique) + ")"
        pieces.append(prefix + suffix)
    files = "^(?:" + "|".join(pieces) + ")$" if pieces else "^$"
    wanted = set(postmortems)
    excluded: list[str] = [OTHER_NAMES]
    files_re, exclude_re = re.compile(files), re.compile(OTHER_NAMES)
    stray = [p for p in all_files if p not in wanted and files_re.search(p) and not exclude_re.search(p)]
    if stray:
        excluded.append("^(?:" + "|".join(re.escape(p) for p in stray) + ")$")
    exclude: str = "|".join(excluded)
    exclude_re = re.compile(exclude)
    lost = [p for p in postmortems if not files_re.search(p) or exclude_re.search(p)]
    if lost:  # a postmortem named like a README or a template: select it by its exact path
        exact = "|".join(re.escape(p) for p in lost)
        files = f"^(?:{exact})$|{files}"
        exclude = f"^(?!(?:{exact})$).*?(?:{exclude})"
    return files, exclude


def config_globs(postmortems: list[str], all_files: list[str]) -> tuple[list[str], list[str]]:
    """``include`` (file-name globs) and ``exclude`` (paths relative to the config's folder) for the layout."""
    include = sorted({f"*{PurePosixPath(p).suffix.lower()}" for p in postmortems if PurePosixPath(p).suffix})
    include += sorted({glob.escape(PurePosixPath(p).name) for p in postmortems if not PurePosixPath(p).suffix})
    wanted = set(postmortems)
    keep_dirs = {str(parent) for p in postmortems for parent in PurePosixPath(p).parents}
    exclude: list[str] = []
    excluded_dirs: set[str] = set()
    for path in all_files:
        if path in wanted:
            continue
        parents = [str(p) for p in reversed(PurePosixPath(path).parents) if str(p) != "."]
        top_unused = next((d for d in parents if d not in keep_dirs), None)
        if top_unused is not None:
            if top_unused not in excluded_dirs:
                excluded_dirs.add(top_unused)
                exclude.append(glob.escape(top_unused))
            continue
        name = PurePosixPath(path).name
        selected = any(PurePosixPath(name.lower()).match(g.lower()) for g in include) if include else False
        if selected:
            exclude.append(glob.escape(path))
    return include or ["*.md"], exclude
