"""Where the postmortems live: the git repository around them and the GitHub repository it pushes to.

Nothing here runs git or touches the network: ``.git`` is found by walking up, and the ``origin``
remote is read from the repository's ``config`` file (a worktree's ``.git`` file and ``commondir``
are followed).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

CONFIG_LIMIT = 1024 * 1024  # a git config larger than this is not read
_SECTION = re.compile(r'\s*\[\s*([A-Za-z0-9.-]{1,100})(?:\s+"((?:[^"\\\n]|\\.){0,200})")?\s*\]')
_URL_KEY = re.compile(r"\s*url\s*=\s*(.{0,2000})", re.I)
_SCP = re.compile(r"(?:[A-Za-z0-9._-]{1,100}@)?([A-Za-z0-9.-]{1,253}):(?!//)/?([^\s]{1,300})")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def repository_root(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` holding ``.git`` (a directory or a worktree's file)."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text("utf-8", errors="replace")[:4096]
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    git_dir = Path(text[len("gitdir:"):].strip())
    git_dir = git_dir if git_dir.is_absolute() else root / git_dir
    try:  # a worktree keeps its config in the main repository (commondir)
        common = (git_dir / "commondir").read_text("utf-8", errors="replace").strip()
        return git_dir / common if common else git_dir
    except OSError:
        return git_dir


def origin_url(root: Path) -> str | None:
    """The ``url`` of ``[remote "origin"]`` in the repository's git config, if it has one."""
    git_dir = _git_dir(root)
    config = git_dir / "config" if git_dir else None
    try:
        if config is None or not config.is_file() or config.stat().st_size > CONFIG_LIMIT:
            return None
        text = config.read_text("utf-8", errors="replace")
    except OSError:
        return None
    in_origin = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            in_origin = section.group(1).lower() == "remote" and section.group(2) == "origin"
            continue
        key = _URL_KEY.match(line) if in_origin else None
        if key:
            return key.group(1).strip().strip('"') or None
    return None


def github_repository(url: str, hosts: tuple[str, ...] = ("github.com",)) -> str | None:
    """``OWNER/NAME`` from an https or ssh URL of a repository on one of ``hosts``, else None."""
    url = url.strip()
    if "://" in url:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return None
        if parts.scheme not in ("https", "http", "ssh", "git") or host not in hosts:
            return None
        path = parts.path
    else:
        scp = _SCP.fullmatch(url)
        if scp is None or scp.group(1).lower() not in hosts:
            return None
        path = scp.group(2)
    segments = [segment for segment in path.strip("/").split("/") if segment]
    if len(segments) != 2:
        return None
    owner, name = segments[0], segments[1].removesuffix(".git")
    if not (_NAME.fullmatch(owner) and _NAME.fullmatch(name)) or {owner, name} & {"", ".", ".."}:
        return None
    return f"{owner}/{name}"


def repository_from_remote(path: Path, server_url: str = "https://github.com") -> str | None:
    """The GitHub repository the ``origin`` remote of the git repository around ``path`` points to."""
    root = repository_root(path.resolve())
    url = origin_url(root) if root else None
    if url is None:
        return None
    try:
        server = (urlsplit(server_url).hostname or "github.com").lower()
    except ValueError:
        server = "github.com"
    hosts = tuple(dict.fromkeys(["github.com", server]))
    return github_repository(url, hosts)
