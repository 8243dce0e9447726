"""``postmortem-check report``: the follow-through report over postmortems, in Markdown, HTML or JSON.

Exit codes: 0 the report was written, 2 usage, config, path, token or GitHub errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config
from ..console import Console
from ..errors import ExitCode, UserError
from .facts import Postmortem
from .figures import figures
from .read import collect
from .render import html, markdown, to_json

FORMATS = ("markdown", "html", "json")
REPORT_VERSION = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="postmortem files or directories (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="report format (default: markdown)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)")
    parser.add_argument("--issues", action="store_true",
                        help="count each item's GitHub issue state instead of its checkbox (needs GITHUB_TOKEN)")
    parser.add_argument("--repo", help="OWNER/NAME for --issues (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--api-url", help="GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)")
    parser.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="the date overdue and ages count from "
                        "(default: today, UTC)")
    parser.add_argument("--link-base", metavar="URL", help="prefix for links to files (default: a permalink "
                        "inside GitHub Actions, else the paths as given)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def default_link_base() -> str:
    """A permalink prefix inside GitHub Actions (server, repository and commit known), else nothing."""
    repo, sha = os.environ.get("GITHUB_REPOSITORY", "").strip(), os.environ.get("GITHUB_SHA", "").strip()
    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    return f"{server.rstrip('/')}/{repo}/blob/{sha}/" if repo and sha else ""


def build(postmortems: list[Postmortem], today: date, *, issues: bool = False,
          closed_unchecked: list[dict[str, Any]] | None = None, link_base: str = "") -> dict[str, Any]:
    """The report as JSON data (what ``schemas/report.json`` describes); the renderers format only this."""
    ordered = sorted(postmortems, key=lambda p: (p.date or "9999", p.path))
    return {
        "version": REPORT_VERSION,
        "today": today.isoformat(),
        "issues": issues,
        "link_base": link_base,
        "figures": figures(ordered, today),
        "closed_unchecked": closed_unchecked or [],
        "postmortems": [p.as_json() for p in ordered],
    }


def render(report: dict[str, Any], fmt: str) -> str:
    return {"markdown": markdown, "html": html, "json": to_json}[fmt](report)


def markdown_report(paths: Iterable[str], config: Config | None = None, today: date | None = None) -> str:
    """The Markdown report for a job summary (what the action's ``report: true`` appends); files that
    cannot be read are left out, paths that do not exist too."""
    config = config or Config()
    problems: list[str] = []
    skipped: list[str] = []
    day = today or datetime.now(timezone.utc).date()
    found = collect(paths, config, day, problems, skipped)
    return markdown(build(found, day, link_base=default_link_base()))


def _fetch_states(args: argparse.Namespace, config: Config, postmortems: list[Postmortem],
                  today: date) -> tuple[list[dict[str, Any]] | None, str]:
    """List the tool-labelled issues once and apply their states; (None, why) on failure."""
    token = (os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or "").strip()
    if not token:
        return None, "--issues needs a token: set GITHUB_TOKEN (or GH_TOKEN)"
    repo = (args.repo or os.environ.get("GITHUB_REPOSITORY") or "").strip()
    if repo.count("/") != 1 or not all(repo.split("/")):
        return None, "--issues needs the repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY"
    api_url = (args.api_url or os.environ.get("GITHUB_API_URL") or "").strip() or "https://api.github.com"
    if not api_url.startswith(("http://", "https://")):
        return None, f"the API URL must be an http(s) URL, not '{api_url}'"
    try:
        from ..issues.client import GitHubClient
    except ImportError as error:
        return None, f"--issues needs PyGithub ({error}): pip install 'postmortem-check[github]'"
    from ..issues.errors import GitHubError
    from .issue_states import apply_states

    label = str(config.issues.get("tool_label", "postmortem"))
    client = GitHubClient(api_url, repo, token)
    try:
        listing = client.list_issues(label)
    except GitHubError as error:
        return None, str(error.message).replace(token, "***")
    finally:
        client.close()
    return apply_states(postmortems, listing, today), ""


def run(args: argparse.Namespace, console: Console) -> int:
    from ..app import load_configuration

    config = load_configuration(args.config, args.schema)
    today = args.today or datetime.now(timezone.utc).date()
    problems: list[str] = []
    skipped: list[str] = []
    postmortems = collect(args.paths, config, today, problems, skipped)
    if problems:
        raise UserError("\n".join(problems))
    for line in skipped:
        console.warning(line)
    closed_unchecked = None
    if args.issues:
        closed_unchecked, why = _fetch_states(args, config, postmortems, today)
        if closed_unchecked is None:
            raise UserError(why)
    link_base = default_link_base() if args.link_base is None else args.link_base
    text = render(build(postmortems, today, issues=args.issues, closed_unchecked=closed_unchecked,
                        link_base=link_base), args.format)
    if args.output is None:
        sys.stdout.write(text)
        return ExitCode.CLEAN
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as failure:
        raise UserError(f"cannot write {args.output}: {failure.strerror or failure}") from None
    console.say(f"wrote {args.output}")
    return ExitCode.CLEAN
