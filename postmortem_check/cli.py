"""Command line: ``postmortem-check lint|issues ...``. Exit codes: 0 clean, 1 findings, 2 usage/config/tool error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors say how to get help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    from .report import FORMATS

    parser = _Parser(prog="postmortem-check", description="Keep incident postmortems honest.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    lint = commands.add_parser("lint", help="check postmortems against a schema")
    lint.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to lint")
    schema_arguments(lint)
    lint.add_argument("--format", choices=FORMATS, help="output format (default: text; github inside GitHub Actions)")
    lint.add_argument("--summary", type=Path, metavar="PATH",
                      help="append a Markdown report to PATH (for $GITHUB_STEP_SUMMARY)")
    lint.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                      help="which findings make the exit code 1 (default: error)")
    lint.add_argument("--fix", action="store_true",
                      help="first insert each missing required section as an empty heading, then lint")
    lint.add_argument("--jobs", type=_positive_int, metavar="N",
                      help="worker processes for large runs (default: one per CPU; 1 for none)")
    lint.set_defaults(run=_run_lint)
    _add_authoring_commands(commands)

    from .issues.command import add_arguments as add_issue_arguments

    issues = commands.add_parser("issues", help="open one GitHub issue per corrective action item")
    add_issue_arguments(issues)

    from .followup.command import add_arguments as add_report_arguments

    report = commands.add_parser("report", help="report incidents and what became of their action items")
    add_report_arguments(report)
    return parser


def _configured(args: argparse.Namespace) -> Config | None:
    """The configuration for ``--config``/``--schema``; None after saying on stderr what is wrong."""
    config, errors = load_configuration(args.config, args.schema)
    if config is None:
        _error("\n".join(errors))
    return config


def load_configuration(config_path: Path | None, schema: str | None) -> tuple[Config | None, list[str]]:
    """The config (explicit, found upward, or defaults) with ``--schema`` applied; errors as messages."""
    from .config import ConfigError, find_config, load_config
    from .schema import SchemaError, load_schema

    try:
        path = config_path or find_config(Path.cwd())
        if config_path is not None and not config_path.is_file():
            return None, [f"config file {config_path} does not exist"]
        config = load_config(path) if path else Config()
        if schema:
            config = replace(config, schema=schema)
        load_schema(config.schema)
    except (ConfigError, SchemaError) as error:
        return None, str(error).splitlines()
    return config, []


def _run_lint(args: argparse.Namespace) -> int:
    from .lint import lint_paths
    from .report import Totals, make_reporter

    config = _configured(args)
    if config is None:
        return EXIT_ERROR
    if args.fix and not _fix_paths(args.paths, config):
        return EXIT_ERROR
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    reporter = make_reporter(fmt, sys.stdout)
    summary = None
    if args.summary is not None:
        from .report.summary import SummaryReporter

        summary = SummaryReporter(args.summary)
    totals = Totals()
    problems: list[str] = []
    for result in lint_paths(args.paths, config, problems, args.jobs):
        totals.add(result)
        reporter.file(result)
        if summary is not None:
            summary.file(result)
        sys.stdout.flush()
    reporter.finish(totals)
    if summary is not None:
        summary.finish(totals)
    for problem in problems:
        _error(problem)
    if problems:
        return EXIT_ERROR
    failing = totals.errors + (totals.warnings if args.fail_on == "warning" else 0)
    return EXIT_FINDINGS if failing and args.fail_on != "never" else EXIT_CLEAN


def _fix_paths(paths: Sequence[str], config: Config) -> bool:
    """``lint --fix``: insert missing sections and say so on stderr; False if a file could not be written."""
    from .fix import fix_file
    from .lint import expand_paths, schema_for
    from .report.text import printable

    if config.rules.get("missing-section") == "off":
        return True
    schema = schema_for(config)
    ok = True
    for path in expand_paths(paths, config, []):  # lint reports the paths that do not exist
        try:
            result = fix_file(path, schema, config.max_file_size)
        except OSError as error:
            _error(f"{path}: cannot be fixed: {error.strerror or error}")
            ok = False
            continue
        for insertion in result.inserted:
            print(f"postmortem-check: fixed {printable(path)}:{insertion.line}: inserted {insertion.heading!r}",
                  file=sys.stderr)
        for section_id in result.skipped:
            print(f"postmortem-check: {printable(path)}: could not insert a heading for section {section_id!r}",
                  file=sys.stderr)
    return ok


def schema_arguments(parser: argparse.ArgumentParser) -> None:
    """``--schema`` and ``--config``, the same for every command that reads postmortems."""
    parser.add_argument("--schema", help="built-in schema name (default, google-sre) or a team schema file")
    parser.add_argument("--config", type=Path, help="config file (default: .postmortem-check.yaml, upward)")


def _add_authoring_commands(commands: Any) -> None:
    """The ``new``, ``rules`` and ``schema`` subcommands."""
    new = commands.add_parser("new", help="write a postmortem skeleton generated from the schema")
    schema_arguments(new)
    new.add_argument("--title", help="incident title (default: a placeholder to fill in)")
    new.add_argument("--date", help="incident date, YYYY-MM-DD (default: today)")
    new.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE, never overwriting it "
                     "(default: standard output)")
    new.set_defaults(run=_run_new)
    rules = commands.add_parser("rules", help="list every rule, and the headings each section accepts")
    schema_arguments(rules)
    rules.set_defaults(run=_run_rules)
    schema = commands.add_parser("schema", help="print a built-in schema, to start a team schema from")
    schema.add_argument("name", metavar="NAME", help="default, google-sre or common")
    schema.set_defaults(run=_run_schema)


def _error(message: str) -> int:
    """Diagnostic lines on stderr, with anything a terminal would act on escaped."""
    from .report.text import printable

    for line in message.split("\n"):
        print(f"postmortem-check: error: {printable(line)}", file=sys.stderr)
    return EXIT_ERROR


def _run_new(args: argparse.Namespace) -> int:
    from .authoring import check_date, skeleton
    from .lint import schema_for

    config = _configured(args)
    if config is None:
        return EXIT_ERROR
    if args.date is not None and (problem := check_date(args.date)):
        return _error(problem)
    text = skeleton(schema_for(config), args.title, args.date)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_CLEAN
    try:
        with open(args.output, "x", encoding="utf-8", newline="") as out:
            out.write(text)
    except FileExistsError:
        return _error(f"{args.output} already exists; not overwriting it (choose another file with -o)")
    except OSError as error:
        return _error(f"cannot write {args.output}: {error.strerror or error}")
    print(f"postmortem-check: wrote {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _run_rules(args: argparse.Namespace) -> int:
    from .authoring import rules_text
    from .lint import schema_for

    config = _configured(args)
    if config is None:
        return EXIT_ERROR
    sys.stdout.write(rules_text(schema_for(config), config.rules))
    return EXIT_CLEAN


def _run_schema(args: argparse.Namespace) -> int:
    from .authoring import builtin_schema_text
    from .schema import SchemaError

    try:
        sys.stdout.write(builtin_schema_text(args.name))
    except SchemaError as error:
        return _error(str(error))
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    try:
        args = _build_parser().parse_args(argv)
        code: int = args.run(args)
        return code
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_ERROR
    except KeyboardInterrupt:
        print("postmortem-check: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as error:  # the promise: a clear message, never a traceback
        from .report.text import printable

        detail = printable(str(error))
        print(f"postmortem-check: internal error: {type(error).__name__}: {detail}", file=sys.stderr)
        print("postmortem-check: please report this with the file that caused it", file=sys.stderr)
        return EXIT_ERROR


def run() -> None:
    """Console entry point. A file name that is not UTF-8 must not make writing the report fail."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    raise SystemExit(main())
