"""``postmortem-check issues``: its arguments, and the run (lint, then ``service.sync``).

Exit codes: 0 every item in step, 1 any item failed (each listed), 2 usage, config, token, permission or
repository errors. The token comes only from GITHUB_TOKEN or GH_TOKEN and is never printed: every line goes
through one ``Console`` that redacts it and escapes what a terminal would act on.
"""

from __future__ import annotations

import argparse

from ..app import load_configuration, run_lint
from ..console import Console
from ..errors import ExitCode, UserError
from . import service


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's own arguments (the command line adds ``--schema`` and ``--config``)."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="postmortem files or directories")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; make no write request")
    parser.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY, else the origin remote)")
    parser.add_argument("--api-url",
                        help="GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)")
    parser.add_argument("--label", action="append", default=[],
                        help="extra label for every issue (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--allow-invalid", action="store_true",
                        help="accepted for compatibility: lint errors no longer hold back a file's issues")
    parser.add_argument("--close-orphans", action="store_true",
                        help="close open issues whose item is no longer in the postmortem")
    parser.add_argument("--write-back", action="store_true",
                        help="add the issue reference (#123) to each item's line in the postmortem")


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    """Lint the files, list the repository's tool-labelled issues once, and bring the issues in step."""
    token = service.token_from_env()
    say = Console(secret=token, err=console.err if console else None, out=console.out if console else None)
    try:
        return _run(args, token, say)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except UserError as error:
        say.error(str(error))
        return ExitCode.ERROR
    except Exception as error:  # said through the redacting console, unlike the generic handler
        say.error(f"internal error: {type(error).__name__}: {error}")
        return ExitCode.ERROR


def _run(args: argparse.Namespace, token: str | None, console: Console) -> int:
    offline = token is None and args.dry_run
    request = service.SyncRequest(
        repo=service.resolve_repo(args.repo, args.paths[0], required=not offline),
        api_url=service.resolve_api_url(args.api_url), token=token, dry_run=args.dry_run,
        labels=tuple(args.label), close_orphans=args.close_orphans, write_back=args.write_back)
    if token is None and not args.dry_run:
        raise UserError("no token: set GITHUB_TOKEN (or GH_TOKEN) to a token with `issues: write`")
    config = load_configuration(args.config, args.schema)
    service.settings_for(config, request.repo, request.labels)  # a bad label is said before any work
    linted = run_lint(args.paths, config, [], keep=True)
    if linted.problems:
        console.error("\n".join(linted.problems))
        return ExitCode.ERROR
    result = service.sync(linted.results, config, request, console, args.paths)
    service.report(result, args.format, console, args.dry_run)
    return result.exit_code
