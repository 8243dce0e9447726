"""Command line: ``postmortem-check lint|issues|new|rules|schema ...``: argument parsing, and calls into the
application layer (``app``). Exit codes (``errors.ExitCode``): 0 clean, 1 findings, 2 usage/config/tool error.

Every subcommand is one entry of ``COMMANDS``: its name, help, arguments and run function.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import VERSION_LINE
from .console import PROG, Console, printable
from .errors import ExitCode, FailOn, UserError

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from .config import Config
    from .report import Reporter
    from .results import FileResult, Totals

# The pipeline (app, config, report, schema) is imported by the command that runs, never for --version or
# --help: a command line that only asks for those must start as fast as the interpreter allows.


def _terminal_width() -> int:
    """What ``shutil.get_terminal_size`` gives argparse's help (``$COLUMNS``, else the terminal, else 80),
    without importing shutil (and the compression modules it imports) at every start."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, its width found without shutil."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_width() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors say how to get help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(ExitCode.ERROR, f"{self.prog}: error: {message}\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """argparse's, without swallowing a write error: ``--version`` or ``--help`` into a full or closed
        output is reported as every command's output is."""
        stream = file or sys.stderr
        if message and stream is not None:
            stream.write(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def schema_arguments(parser: argparse.ArgumentParser) -> None:
    """``--schema`` and ``--config``, the same for every command that reads postmortems."""
    parser.add_argument("--schema", help="built-in schema name (default, google-sre) or a team schema file")
    parser.add_argument("--config", type=Path, help="config file (default: .postmortem-check.yaml, upward)")


def _configured(args: argparse.Namespace, cached: bool = False) -> Config:
    from .app import load_configuration
    from .pattern_store import keep_programs

    config = load_configuration(args.config, args.schema, cached=cached)
    if not config.cache:
        keep_programs(False)  # nothing is written to a cache, compiled patterns included
    return config


# --- lint -----------------------------------------------------------------------------------------------

def _lint_arguments(lint: argparse.ArgumentParser) -> None:
    from .report import FORMATS

    lint.add_argument("paths", nargs="+", metavar="PATH",
                      help="files, directories or glob patterns ('postmortems/**/*.md') to lint; - for standard input")
    schema_arguments(lint)
    lint.add_argument("--format", "--output-format", dest="format", choices=FORMATS,
                      help="output format (default: text; github inside GitHub Actions)")
    lint.add_argument("--summary", type=Path, metavar="PATH",
                      help="append a Markdown report to PATH (for $GITHUB_STEP_SUMMARY)")
    lint.add_argument("--fail-on", choices=[f.value for f in FailOn], default=FailOn.ERROR.value,
                      help="which findings make the exit code 1 (default: error)")
    lint.add_argument("--fix", action="store_true",
                      help="first insert each missing required section as an empty heading, then lint")
    lint.add_argument("--jobs", type=_positive_int, metavar="N",
                      help="worker processes for large runs (default: one per CPU; 1 for none)")
    lint.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                      help="leave out files and folders matching PATTERN, as the config's exclude (repeatable)")
    lint.add_argument("--stdin-filename", metavar="NAME",
                      help="the name of the document read from - (for messages and the include/exclude rules)")
    lint.add_argument("-q", "--quiet", action="store_true", help="print the findings only, no closing line")
    lint.add_argument("--statistics", action="store_true",
                      help="print the number of findings of each rule (text format)")
    lint.add_argument("--no-cache", action="store_true",
                      help="lint every file again, neither reading nor writing .postmortem-check-cache/")


def _lint_inputs(args: argparse.Namespace, config: Config, console: Console) -> list[str]:
    """The paths to lint, globs expanded; a usage error for ``-`` with other paths or ``--fix``."""
    from .discover import expand_entries

    if "-" in args.paths and (len(args.paths) > 1 or args.fix):
        raise UserError("- (standard input) cannot be combined with other paths or --fix")
    if args.stdin_filename is not None and args.paths != ["-"]:
        raise UserError("--stdin-filename names the document read from -; give - as the path")
    paths, warnings = expand_entries(args.paths, config)
    for warning in warnings:
        console.warning(warning)
    return paths


def _reporters(args: argparse.Namespace, fmt: str, progress_to: TextIO) -> list[Reporter]:
    """The output format's reporter (text with its options), the progress line (on ``progress_to``, a
    terminal), and the summary."""
    from .report import make_reporter
    from .report.text import ProgressReporter, TextReporter, use_color, use_progress

    if args.statistics and fmt != "text":
        raise UserError(f"--statistics works with the text format, not {fmt}")
    reporters: list[Reporter] = []
    if args.paths != ["-"] and use_progress(progress_to, os.environ):
        reporters.append(ProgressReporter(progress_to))
    if fmt == "text":
        reporters.append(TextReporter(sys.stdout, quiet=args.quiet, statistics=args.statistics,
                                      color=use_color(sys.stdout, os.environ)))
    else:
        reporters.append(make_reporter(fmt, sys.stdout))
    if args.summary is not None:
        from .report.summary import SummaryReporter

        reporters.append(SummaryReporter(args.summary))
    return reporters


def _after_file(reporters: Sequence[Reporter]) -> Callable[[], None]:
    """End the start-up pause of the garbage collector (once), flush stdout so output streams, then redraw
    the progress line if there is one."""
    from .report.text import ProgressReporter

    ticks = [r.tick for r in reporters if isinstance(r, ProgressReporter)]

    def after() -> None:
        _resume_collection()
        sys.stdout.flush()
        for tick in ticks:
            tick()

    return after


def _run_lint(args: argparse.Namespace, console: Console) -> int:
    """Lint; a run that may be replayed (``replay``) is recorded, its output captured as it is written."""
    if not _recordable(args):
        return _lint(args, console)[0]
    from .replay import Capture, command_key, config_candidates

    try:
        started, cwd = time.time_ns(), os.getcwd()
    except OSError:  # the working directory was removed: the lint reports it
        return _lint(args, console)[0]
    candidates = config_candidates(args.words, cwd)
    key = command_key(args.words, cwd, candidates)
    linted = _Linted()
    with Capture() as capture:  # the progress line is no output: it is drawn on standard error, then cleared
        code, config = _lint(args, console, linted, progress_to=capture.err)
    if key is not None and not capture.wrote_error:
        from .app import record_run

        record_run(key, args.words, candidates, config, args.paths, linted.paths, started, "".join(capture.text),
                   code)
    return code


def _recordable(args: argparse.Namespace) -> bool:
    """Whether a lint's output is a function of its command line and the files and folders it reads: no
    standard input, no glob to expand, no file written."""
    from .discover import is_glob

    return not (args.no_cache or args.fix or args.summary is not None or args.stdin_filename is not None
                or "-" in args.paths
                or any(is_glob(path) or not (os.path.isfile(path) or os.path.isdir(path)) for path in args.paths))


class _Linted:
    """A reporter that keeps the path of every file linted."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def file(self, result: FileResult) -> None:
        self.paths.append(result.path)

    def finish(self, totals: Totals) -> None:
        pass


def _lint(args: argparse.Namespace, console: Console, *extra: Reporter,
          progress_to: TextIO | None = None) -> tuple[int, Config]:
    from .app import run_lint, run_lint_stdin

    config = _configured(args, cached=not args.no_cache and args.paths != ["-"])
    if args.exclude:
        config = config._replace(exclude=(*config.exclude, *args.exclude))
    if args.no_cache:
        config = config._replace(cache=False)
    paths = _lint_inputs(args, config, console)
    if args.fix and not _fix_paths(paths, config, console):
        return ExitCode.ERROR, config
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    reporters = [*_reporters(args, fmt, progress_to or sys.stderr), *extra]
    if paths == ["-"]:
        if sys.stdin is None:
            raise UserError("- reads standard input, but there is none")
        run = run_lint_stdin(sys.stdin.buffer, args.stdin_filename, config, reporters)
    else:
        run = run_lint(paths, config, reporters, jobs=args.jobs, after_file=_after_file(reporters))
    for problem in run.problems:
        console.error(problem)
    return run.exit_code(args.fail_on), config


def _fix_paths(paths: Sequence[str], config: Config, console: Console) -> bool:
    """``lint --fix``: insert missing sections and say so on stderr; False if a file could not be written."""
    from .app import loaded_schema
    from .discover import expand_paths
    from .fix import fix_file

    if config.rules.get("missing-section") == "off":
        return True
    schema = loaded_schema(config)
    _resume_collection()  # every file is read here, before the lint
    ok = True
    for path in expand_paths(paths, config, []):  # lint reports the paths that do not exist
        try:
            result = fix_file(path, schema, config.max_file_size)
        except OSError as error:
            console.error(f"{path}: cannot be fixed: {error.strerror or error}")
            ok = False
            continue
        for insertion in result.inserted:
            console.say(f"fixed {path}:{insertion.line}: inserted {insertion.heading!r}")
        for section_id in result.skipped:
            console.say(f"{path}: could not insert a heading for section {section_id!r}")
    return ok


# --- new, rules, schema ---------------------------------------------------------------------------------

def _new_arguments(new: argparse.ArgumentParser) -> None:
    schema_arguments(new)
    new.add_argument("--title", help="incident title (default: a placeholder to fill in)")
    new.add_argument("--date", help="incident date, YYYY-MM-DD (default: today)")
    new.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE, never overwriting it "
                     "(default: standard output)")


def _check_title(title: str, to_stdout: bool) -> None:
    """Refuse a title that is not text (bytes that are not UTF-8, or bytes an ASCII locale could not
    decode), or that standard output cannot write."""
    try:
        title.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError("--title is not valid UTF-8 text in this locale; set a UTF-8 locale "
                        "(LC_ALL=C.UTF-8) or PYTHONUTF8=1") from None
    if not to_stdout:
        return
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        title.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        raise UserError(f"--title has characters the output encoding {encoding} cannot write; "
                        "set a UTF-8 locale (LC_ALL=C.UTF-8) or PYTHONUTF8=1") from None


def _run_new(args: argparse.Namespace, console: Console) -> int:
    from .app import loaded_schema
    from .authoring import check_date, skeleton

    config = _configured(args)
    if args.date is not None and (problem := check_date(args.date)):
        raise UserError(problem)
    if args.title is not None:
        _check_title(args.title, args.output is None)
    text = skeleton(loaded_schema(config), args.title, args.date)
    data = text.encode("utf-8")  # before any file exists: nothing is left behind on an error
    if args.output is None:
        sys.stdout.write(text)
        return ExitCode.CLEAN
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot write {args.output}: {error.strerror or error}") from error
    try:
        with open(args.output, "xb") as out:
            out.write(data)
    except FileExistsError:
        raise UserError(f"{args.output} already exists; not overwriting it (choose another file with -o)") from None
    except OSError as error:
        raise UserError(f"cannot write {args.output}: {error.strerror or error}") from None
    console.say(f"wrote {args.output}")
    return ExitCode.CLEAN


def _run_rules(args: argparse.Namespace, console: Console) -> int:
    from .app import loaded_schema
    from .authoring import rules_text

    config = _configured(args)
    sys.stdout.write(rules_text(loaded_schema(config), config.rules))
    return ExitCode.CLEAN


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.add_argument("name", metavar="NAME", help="default, google-sre or common")


def _run_schema(args: argparse.Namespace, console: Console) -> int:
    from .authoring import builtin_schema_text

    sys.stdout.write(builtin_schema_text(args.name))
    return ExitCode.CLEAN


# --- issues ---------------------------------------------------------------------------------------------

def _issues_arguments(parser: argparse.ArgumentParser) -> None:
    from .issues.command import add_arguments

    add_arguments(parser)
    schema_arguments(parser)  # the files are linted first, as `lint` would


def _run_issues(args: argparse.Namespace, console: Console) -> int:
    from .issues.command import run

    return run(args, console)


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    from .followup.command import add_arguments

    add_arguments(parser)
    schema_arguments(parser)


def _run_report(args: argparse.Namespace, console: Console) -> int:
    from .followup.command import run

    return run(args, console)


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    from .adopt.command import add_arguments

    add_arguments(parser)


def _run_init(args: argparse.Namespace, console: Console) -> int:
    from .adopt.command import run

    return run(args)


# --- the commands ---------------------------------------------------------------------------------------

Run = Callable[[argparse.Namespace, Console], int]
COMMANDS: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Run]] = [
    ("lint", "check postmortems against a schema", _lint_arguments, _run_lint),
    ("new", "write a postmortem skeleton generated from the schema", _new_arguments, _run_new),
    ("rules", "list every rule, and the headings each section accepts", schema_arguments, _run_rules),
    ("schema", "print a built-in schema, to start a team schema from", _schema_arguments, _run_schema),
    ("issues", "open one GitHub issue per corrective action item", _issues_arguments, _run_issues),
    ("init", "adopt on an existing repository: learn the template, write a team schema and config",
     _init_arguments, _run_init),
    ("report", "report incidents and what became of their action items", _report_arguments, _run_report),
]


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line (its first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def _build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser. Given ``argv``, only the command it names gets its arguments (and their imports); when
    its first word is that command, the others are not built at all (each parser costs a few gettext
    lookups), as they can never be parsed in this run. Otherwise every other command is listed by name and
    help alone, for ``--help`` and the error a wrong name gets."""
    chosen = None if argv is None else _chosen_command(argv)
    alone = argv is not None and len(argv) > 0 and any(name == chosen == argv[0] for name, *_ in COMMANDS)
    parser = _Parser(prog=PROG, description="Keep incident postmortems honest.")
    parser.add_argument("--version", action="version", version=VERSION_LINE)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name, help_text, add_arguments, run in COMMANDS:
        if alone and name != chosen:
            continue
        sub = commands.add_parser(name, help=help_text)
        if argv is None or name == chosen:
            add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


_collection_paused = False


def _pause_collection() -> None:
    """Pause the cyclic garbage collector for start-up. Importing the pipeline and linting the first file
    build some 25,000 objects that live until exit (modules, the schema, compiled patterns); collecting
    them while they are young takes about 10 ms, more than linting a file does."""
    global _collection_paused
    if gc.isenabled():
        gc.disable()
        _collection_paused = True
        if hasattr(os, "register_at_fork"):  # a worker forked before the first file is done collects as usual
            os.register_at_fork(after_in_child=_resume_collection)


def _resume_collection() -> None:
    """End the start-up pause (after a lint's first file, or when another command starts): what start-up
    built is frozen, never scanned again, and garbage is collected as usual from here on."""
    global _collection_paused
    if _collection_paused:
        _collection_paused = False
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    console = Console()
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        args = _build_parser(words).parse_args(words)
        args.words = words
        from .pattern_store import keep_programs

        keep_programs(not getattr(args, "no_cache", False))
        if args.run is not _run_lint:
            _resume_collection()  # a lint's start-up ends with its first file (_after_file)
        code: int = args.run(args, console)
        return int(code)
    except UserError as error:
        console.error(str(error))
        return ExitCode.ERROR
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else ExitCode.ERROR
    except KeyboardInterrupt:
        console.say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as a pipe expects
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except OSError as error:
        if not _output_error(error):
            console.say(f"internal error: {type(error).__name__}: {printable(str(error))}")
            return ExitCode.ERROR
        _silence_stdout()
        console.error(f"cannot write to standard output: {error.strerror or error}")
        return ExitCode.ERROR
    except Exception as error:  # the promise: a clear message, never a traceback
        console.say(f"internal error: {type(error).__name__}: {printable(str(error))}")
        console.say("please report this with the file that caused it")
        return ExitCode.ERROR


def _output_error(error: OSError) -> bool:
    """Whether an OSError that reached ``main`` is standard output failing (full disk, closed, device)."""
    return error.errno in (errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EPIPE)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def run() -> None:
    """The command line, as the console script runs it (through ``__main__.run``). A file name that is not
    UTF-8 must not make writing the report fail; a closed or full standard output is one error line and
    exit 2; a closed pipe (``| head``) exits quietly."""
    if sys.stdout is None:  # started with ``>&-``
        if sys.stderr is not None:
            sys.stderr.write("postmortem-check: error: standard output is closed\n")
        raise SystemExit(ExitCode.ERROR)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    _pause_collection()
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.BROKEN_PIPE
    except OSError as error:
        _silence_stdout()
        Console().error(f"cannot write to standard output: {error.strerror or error}")
        code = ExitCode.ERROR
    _exit(code)


def _exit(code: int) -> NoReturn:
    """End the process without interpreter teardown, which only frees what the run built (7 ms of a
    one-file run): the exit handlers run and the output is flushed here. While another thread runs, the
    usual exit, which waits for it."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        gc.freeze()  # teardown need not walk everything the run built
        raise SystemExit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(int(code))
