"""``postmortem-check issues``: arguments and entry point (the sync itself is imported when it runs)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="postmortem files or directories")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; make no write request")
    parser.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--api-url", help="GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)")
    parser.add_argument("--label", action="append", default=[], help="extra label for every issue (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--schema", help="schema used to lint the files first")
    parser.add_argument("--config", help="config file")
    parser.add_argument("--allow-invalid", action="store_true", help="sync files even when they have lint errors")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    print("postmortem-check: error: the issues command is not available yet", file=sys.stderr)
    return 2
