"""Benchmark ``postmortem-check lint`` as a whole process, against the parser alone and markdownlint-cli2.

Usage:
    python bench/run.py [--sizes 1,100,2000,20000] [--json PATH] [--markdownlint PATH] [--repeat N]

Generates postmortems of our own (bench/generate.py: varied styles, 1–20 KB) into a temporary directory,
then reports in one run, as a table (and as JSON with ``--json``):

- wall time and files/s of ``postmortem-check lint DIR`` (the whole process) for each size;
- the floor: the same files only read and block-parsed by mistune, in one process;
- markdownlint-cli2 with only MD043 (required headings: our default schema's sections), when installed
  (``--markdownlint`` or on PATH; skipped otherwise), and the ratio ours / theirs;
- each size cold (no result cached; the compiled patterns an earlier run kept, as Python keeps bytecode)
  and warm (every file unchanged: the output replayed), one file warm without its replay record (its result
  from the cache), one file on a machine's first run (no compiled patterns kept either), ``python -c pass``
  and ``postmortem-check --version``; the runs keep their cache home in the temporary directory;
- the real repositories of ../shared/realrepos when present: each folder, and its median postmortem, cold
  and warm against markdownlint-cli2 on the same files and ``python -c pass``;
- peak RSS of the lint process at 200 files and at the largest size;
- import time of the lint path (``python -X importtime``), which optional modules lint imported
  (PyGithub and requests must not be among them), and a bare ``python -c pass``;
- in-process stage timings (read, decode, parse, outline, model, validate) per file;
- the targets of the performance issue, each marked met or not met.

Run it from a regular install (``pip install .``, as users install the tool). An editable install
(``pip install -e .``) adds an import hook to every Python start in its environment, ``python -c pass``
included (it imports ``pathlib``, ``re`` and ``importlib.util``: about 13 ms here), which makes the ratios
to ``python -c pass`` look better than they are; the table says which kind of install it measured.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

DEFAULT_SIZES = (1, 100, 2000, 20000)
MEMORY_SMALL = 200
FLOOR_SCRIPT = """
import os, sys, time
start = time.perf_counter()
import mistune
from mistune.core import BlockState
markdown = mistune.create_markdown(renderer=None, plugins=["table"])
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith(".md"):
            with open(os.path.join(root, name), "rb") as handle:
                text = handle.read().decode("utf-8-sig")
            state = BlockState()
            state.process(text)
            markdown.block.parse(state)
            count += 1
print(count, time.perf_counter() - start)
"""
IMPORT_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from postmortem_check.cli import main
with redirect_stdout(io.StringIO()):
    main(["lint", sys.argv[1]])
names = ["github", "requests", "urllib3", "jsonschema", "yaml", "mistune", "multiprocessing"]
print(json.dumps({name: name in sys.modules for name in names}))
"""


# ---------------------------------------------------------------------------------------------- running


def run_child(
    command: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0, 1)
) -> tuple[float, int, float]:
    """Run ``command`` to completion; its wall time (s), peak RSS (KiB) and CPU time (s), with its children."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command)} exited with {process.returncode}:\n{errors.decode(errors='replace')}"
        )
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # KiB on Linux


Command = tuple[list[str], "Path | None", tuple[int, ...], "Callable[[], None] | None"]  # command, cwd, ok, before


def timed(
    command: list[str], repeat: int, cwd: Path | None = None, ok: tuple[int, ...] = (0, 1),
    before: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The median of ``repeat`` runs (after one warm-up run for short commands); ``before`` runs before each."""
    return timed_together({"command": (command, cwd, ok, before)}, repeat)["command"]


def timed_together(commands: dict[str, Command], repeat: int) -> dict[str, dict[str, Any]]:
    """For each command, the median of ``repeat`` runs (after one warm-up round when ``repeat`` > 1): the
    commands run in turn, round after round, so that a change in the machine's load during the measurement
    falls on each of them alike."""
    def one(command: Command) -> tuple[float, int, float]:
        argv, cwd, ok, before = command
        if before is not None:
            before()
        return run_child(argv, cwd, ok)

    if repeat > 1:
        for command in commands.values():
            one(command)
    runs: dict[str, list[tuple[float, int, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(one(command))
    return {name: {"seconds": statistics.median(t for t, _, _ in done), "runs": [t for t, _, _ in done],
                   "peak_rss_kib": max(r for _, r, _ in done),
                   "cpu_seconds": statistics.median(c for _, _, c in done)} for name, done in runs.items()}


def settle(root: Path) -> None:
    """Date every file and folder below ``root`` a minute back, as a repository's files are: a lint does not
    record its output for replay while a file it read may still be changing."""
    past = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past))


def measure_size(size: int, sets: dict[int, Path], files: list[Path], lint: list[str], root: Path,
                 markdownlint: str | None, clear_cache: Callable[[], None],
                 repeat: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """One size's row of the table, and its timings: ours cold, then warm (the cold run filled the cache), the
    floor, markdownlint-cli2 when installed, and for one file ``python -c pass`` and ``--version``, in turn.
    ``root`` holds floor.py and is where our runs start (their cache is kept there)."""
    folder = sets[size]
    # the file markdownlint-cli2 and the floor read: the one in set-1, not in the folder of every file
    target = str(sets[1] / files[0].name) if size == 1 else str(folder)
    commands: dict[str, Command] = {
        "ours": ([*lint, "lint", target], root, (0, 1), clear_cache),
        "warm": ([*lint, "lint", target], root, (0, 1), None),
        "floor": ([sys.executable, str(root / "floor.py"), str(folder)], None, (0, 1), None),
    }
    if markdownlint:
        commands["mdl"] = ([markdownlint, files[0].name if size == 1 else "*.md"], folder, (0, 1), None)
    if size == 1:
        # the same file unchanged, with its cache entry but no replay record (another command line, say)
        records = root / ".postmortem-check-cache" / "runs"
        commands["entries"] = ([*lint, "lint", target], root, (0, 1), lambda: shutil.rmtree(records, True))
        commands["first"] = ([*lint, "lint", target], root, (0, 1), lambda: (clear_cache(), forget_patterns()))
        commands["pass"] = ([sys.executable, "-c", "pass"], None, (0,), None)
        commands["version"] = ([*lint, "--version"], None, (0,), None)
    print(f"{size} files: {', '.join(commands)}, in turn ...", file=sys.stderr)
    times = timed_together(commands, repeat)
    row: dict[str, Any] = {
        "files": size,
        "kib": sum(p.stat().st_size for p in files[:size]) / 1024,
        "ours_s": times["ours"]["seconds"],
        "ours_runs": times["ours"]["runs"],
        "ours_files_per_s": size / times["ours"]["seconds"],
        "ours_cpu_s": times["ours"]["cpu_seconds"],
        "warm_s": times["warm"]["seconds"],
        "floor_s": times["floor"]["seconds"],
        "floor_cpu_s": times["floor"]["cpu_seconds"],
    }
    if markdownlint:
        row["markdownlint_s"] = times["mdl"]["seconds"]
    if size == 1:
        row["entries_s"] = times["entries"]["seconds"]
        row["first_s"] = times["first"]["seconds"]
    return row, times


def forget_patterns() -> None:
    """Remove the compiled patterns kept in the cache home: the next lint is a machine's first."""
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "postmortem-check"
    for kept in folder.glob("patterns-*.bin"):
        kept.unlink()


def measure_real(name: str, folder: Path, lint: list[str], root: Path, markdownlint: str | None,
                 clear_cache: Callable[[], None], repeat: int) -> dict[str, Any]:
    """A real repository's folder and one of its postmortems (the median in size of the files lint checks),
    each linted cold and warm and checked by markdownlint-cli2 (the same files), in turn, with
    ``python -c pass``."""
    from postmortem_check.config import Config
    from postmortem_check.discover import expand_paths

    linted = sorted(expand_paths([str(folder)], Config(), []), key=lambda p: (os.path.getsize(p), p))
    one = Path(linted[len(linted) // 2])
    commands: dict[str, Command] = {
        "cold": ([*lint, "lint", str(folder)], root, (0, 1), clear_cache),
        "warm": ([*lint, "lint", str(folder)], root, (0, 1), None),
        "one_cold": ([*lint, "lint", str(one)], root, (0, 1), clear_cache),
        "one_warm": ([*lint, "lint", str(one)], root, (0, 1), None),
        "pass": ([sys.executable, "-c", "pass"], None, (0,), None),
    }
    if markdownlint:
        # the files lint checks, as literal paths (":"), not the READMEs and templates beside them
        literal = [f":{Path(p).relative_to(folder)}" for p in linted]
        commands["mdl"] = ([markdownlint, *literal], folder, (0, 1), None)
        commands["one_mdl"] = ([markdownlint, f":{one.relative_to(folder)}"], folder, (0, 1), None)
    print(f"{name}: {', '.join(commands)}, in turn ...", file=sys.stderr)
    times = timed_together(commands, repeat)
    real: dict[str, Any] = {"files": len(linted), "one_file": str(one.relative_to(folder)),
                            "one_kib": one.stat().st_size / 1024}
    for key, timing in times.items():
        real[f"{key}_s"] = timing["seconds"]
    return real


BURN = "n = 0\nfor i in range(6_000_000):\n    n += i * i\n"


def parallel_capacity() -> float:
    """How many CPUs are free right now: the speed-up of a CPU-bound loop run once per CPU at the same time.

    About the number of CPUs on an idle machine, about 1 when another process keeps the others busy: it says
    how much the worker processes could gain during the run.
    """
    cpus = os.cpu_count() or 1
    command = [sys.executable, "-c", BURN]
    alone = min(run_child(command)[0] for _ in range(2))
    start = time.perf_counter()
    processes = [subprocess.Popen(command) for _ in range(cpus)]
    for process in processes:
        process.wait()
    return round(cpus * alone / (time.perf_counter() - start), 2)


def lint_command(markdownlint: bool = False) -> list[str]:
    """How to start the CLI: the console script next to this Python, else the module's entry point."""
    script = Path(sys.executable).with_name("postmortem-check")
    if script.is_file():
        return [str(script)]
    found = shutil.which("postmortem-check")
    return [found] if found else [sys.executable, "-c", "from postmortem_check.cli import run; run()"]


def find_markdownlint(given: str | None) -> str | None:
    if given:
        path = shutil.which(given) or (given if Path(given).is_file() else None)
        if path is None:
            raise SystemExit(f"markdownlint-cli2 not found at {given}")
        return path
    return shutil.which("markdownlint-cli2")


def markdownlint_config() -> dict[str, Any]:
    """MD043 alone, requiring the default schema's required sections (other headings allowed around them)."""
    from postmortem_check.schema import load_schema

    loaded = load_schema("default")
    headings: list[str] = ["*"]
    for section_id in loaded.required_sections:
        headings += [f"## {loaded.vocabulary.sections[section_id].title}", "*"]
    return {"config": {"default": False, "MD043": {"headings": headings}}}


# ----------------------------------------------------------------------------------------- measurements


def import_profile(one_file: Path) -> dict[str, Any]:
    """Import time of the lint path (µs, -X importtime), its heaviest imports, and which modules it loaded."""

    def top_level(stderr: str) -> tuple[int, dict[str, int]]:
        total, heavy = 0, dict[str, int]()
        for line in stderr.splitlines():
            if not line.startswith("import time:") or "cumulative" in line:
                continue
            _, cumulative, name = line[len("import time:") :].split("|")
            depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
            if depth == 0:
                total += int(cumulative)
            package = name.strip().split(".")[0]
            heavy[package] = max(heavy.get(package, 0), int(cumulative))
        return total, heavy

    probe = [sys.executable, "-X", "importtime", "-c", IMPORT_PROBE, str(one_file)]
    lint = subprocess.run(probe, capture_output=True, text=True, check=True)
    bare = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "pass"], capture_output=True, text=True, check=True
    )
    lint_total, heavy = top_level(lint.stderr)
    bare_total, bare_heavy = top_level(bare.stderr)
    heaviest = sorted(
        ((n, us) for n, us in heavy.items() if n not in bare_heavy and n != "postmortem_check"),
        key=lambda x: -x[1],
    )[:6]
    return {
        "lint_path_us": lint_total - bare_total,
        "heaviest_us": dict(heaviest),
        "modules": json.loads(lint.stdout.strip().splitlines()[-1]),
    }


def stage_timings(directory: Path, limit: int) -> dict[str, float]:
    """Milliseconds per file in each stage of the pipeline, in this process, on up to ``limit`` files."""
    from postmortem_check.config import Config
    from postmortem_check.document import decode
    from postmortem_check.lint import schema_for
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline
    from postmortem_check.parse import parse_markdown
    from postmortem_check.validate import validate

    schema = schema_for(Config())
    paths = sorted(directory.glob("*.md"))[:limit]
    # one untimed pass over a file with front matter first: PyYAML's import and the loader built on first
    # use are paid once per process, not per file (on a small set they made decoding look slow)
    warm = next((p for p in paths if p.read_bytes().startswith(b"---")), paths[0] if paths else None)
    if warm is not None:
        document = decode(str(warm), warm.read_bytes())
        outline = build_outline(str(warm), "\n".join(document.lines[document.body_start - 1 :]), document.body_start,
                                schema.vocabulary)
        validate(str(warm), build_model(document, outline, schema.section_order), schema)
    schema.validator  # noqa: B018 (jsonschema imported and the schema compiled, for the first file it proves nothing)
    totals = dict.fromkeys(("read", "decode", "parse", "outline", "model", "validate"), 0.0)
    clock = time.perf_counter
    for path in paths:
        t0 = clock()
        data = path.read_bytes()
        t1 = clock()
        document = decode(str(path), data)
        t2 = clock()
        body = "\n".join(document.lines[document.body_start - 1 :])
        parse_markdown(body, document.body_start)
        t3 = clock()
        outline = build_outline(str(path), body, document.body_start, schema.vocabulary)  # parses again
        t4 = clock()
        model = build_model(document, outline, schema.section_order)
        t5 = clock()
        validate(str(path), model, schema)
        t6 = clock()
        for stage, seconds in zip(
            totals, (t1 - t0, t2 - t1, t3 - t2, (t4 - t3) - (t3 - t2), t5 - t4, t6 - t5), strict=False
        ):
            totals[stage] += seconds
    return {stage: round(seconds * 1000 / max(len(paths), 1), 3) for stage, seconds in totals.items()}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    from importlib.metadata import distribution, version

    direct_url = json.loads(distribution("postmortem-check").read_text("direct_url.json") or "{}")
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postmortem_check": version("postmortem-check"),
        "install": "editable" if direct_url.get("dir_info", {}).get("editable") else "regular",
        "mistune": version("mistune"),
        "jsonschema": version("jsonschema"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------------------------- targets


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    runs = {row["files"]: row for row in result["runs"]}
    python = result["python_pass_s"]
    rss = result["peak_rss_kib"]
    out: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float) -> None:
        out.append(
            {
                "target": name,
                "ratio": None if value is None else round(value, 3),
                "limit": limit,
                "met": None if value is None else value <= limit,
            }
        )

    def ratio(size: int, key: str) -> float | None:
        row = runs.get(size)
        return row["ours_s"] / row[key] if row and row.get(key) else None

    def warm(size: int, key: str) -> float | None:
        row = runs.get(size)
        return row["warm_s"] / row[key] if row and row.get(key) else None

    add("1 file cold: ours / markdownlint-cli2", ratio(1, "markdownlint_s"), 0.3)
    add("1 file cold: ours / python -c pass", runs[1]["ours_s"] / python if 1 in runs else None, 8)
    add("1 file warm: ours / python -c pass", runs[1]["warm_s"] / python if 1 in runs else None, 2.5)
    add("2,000 files cold: ours / markdownlint-cli2", ratio(2000, "markdownlint_s"), 0.25)
    row = runs.get(2000)
    add("2,000 files cold: CPU ours / parse floor", row["ours_cpu_s"] / row["floor_cpu_s"] if row else None, 2)
    add("2,000 files warm: ours / markdownlint-cli2", warm(2000, "markdownlint_s"), 0.03)
    add("--version / python -c pass", result["version_s"] / python, 2)
    both = 2000 in runs and 20000 in runs
    add(
        "20,000 files / 2,000 files (time)",
        runs[20000]["ours_s"] / runs[2000]["ours_s"] if both else None,
        11,
    )
    real = result.get("realrepos", {}).values()

    def worst(numerator: str, denominator: str) -> float | None:
        ratios = [r[numerator] / r[denominator] for r in real if r.get(numerator) and r.get(denominator)]
        return max(ratios) if ratios else None

    add("real repos, 1 file cold: ours / mdl (highest)", worst("one_cold_s", "one_mdl_s"), 0.3)
    add("real repos, 1 file cold: ours / pass (highest)", worst("one_cold_s", "pass_s"), 8)
    add("real repos, 1 file warm: ours / pass (highest)", worst("one_warm_s", "pass_s"), 2.5)
    big = str(max(runs)) if max(runs) > MEMORY_SMALL else None
    add(
        f"peak RSS: {big or '20000'} files / {MEMORY_SMALL} files",
        rss[big] / rss[str(MEMORY_SMALL)] if big and str(MEMORY_SMALL) in rss else None,
        2,
    )
    return out


# ------------------------------------------------------------------------------------------------ output


def table(result: dict[str, Any]) -> str:
    lines = []
    m = result["machine"]
    lines.append(f"machine: {m['cpu']}, {m['cpus']} CPUs, {m['memory']}, {m['os']}")
    lines.append(
        f"python {m['python']}, mistune {m['mistune']}, jsonschema {m['jsonschema']}, "
        f"markdownlint-cli2: {result['markdownlint_version'] or 'not installed (comparison skipped)'}"
    )
    if m.get("install") == "editable":
        lines.append("install: EDITABLE (pip install -e): its import hook runs in every Python start, python -c "
                     "pass included, so the ratios to python -c pass are too kind; measure from pip install .")
    else:
        lines.append("install: regular (pip install .)")
    lines.append(
        f"load average at start {m['load_average_at_start']}, at end {result['load_average_at_end']}; "
        f"free CPUs (speed-up of one CPU-bound loop per CPU) at start {result['parallel_capacity_at_start']}, "
        f"at end {result['parallel_capacity_at_end']}"
    )
    lines.append("")
    header = (
        f"{'files':>6} {'KiB':>8} {'ours s':>8} {'files/s':>9} {'floor s':>8} {'ours/floor':>10} "
        f"{'mdl s':>8} {'ours/mdl':>8} {'ours cpu s':>10} {'warm s':>8}"
    )
    lines += [header, "-" * len(header)]
    for row in result["runs"]:
        floor = row.get("floor_s")
        mdl = row.get("markdownlint_s")
        lines.append(
            f"{row['files']:>6} {row['kib']:>8.0f} {row['ours_s']:>8.3f} {row['ours_files_per_s']:>9.0f} "
            f"{floor:>8.3f} {row['ours_s'] / floor:>10.2f} "
            + (f"{mdl:>8.3f} {row['ours_s'] / mdl:>8.2f}" if mdl else f"{'-':>8} {'-':>8}")
            + f" {row['ours_cpu_s']:>10.3f} {row['warm_s']:>8.3f}"
        )
    sizes = {row["files"]: row for row in result["runs"]}
    if 2000 in sizes and 20000 in sizes:  # the floor's ratio says how much the machine's load changed between them
        small, big = sizes[2000], sizes[20000]
        lines.append(f"20,000 / 2,000 files: ours {big['ours_s'] / small['ours_s']:.2f} by time, "
                     f"{big['ours_cpu_s'] / small['ours_cpu_s']:.2f} by CPU; the floor "
                     f"{big['floor_s'] / small['floor_s']:.2f} by time")
    lines.append("")
    lines.append(f"bare python -c pass: {result['python_pass_s'] * 1000:.1f} ms; "
                 f"postmortem-check --version: {result['version_s'] * 1000:.1f} ms")
    one = next((row for row in result["runs"] if row["files"] == 1 and row.get("entries_s")), None)
    if one:
        lines.append(f"one file, warm: replayed {one['warm_s'] * 1000:.1f} ms; from its cache entry, no replay "
                     f"record {one['entries_s'] * 1000:.1f} ms ({one['entries_s'] / result['python_pass_s']:.2f} x "
                     "python -c pass)")
        lines.append(f"one file, a machine's first run (no compiled patterns kept either): {one['first_s'] * 1000:.1f} "
                     f"ms ({one['first_s'] / result['python_pass_s']:.2f} x python -c pass)")
    lines += real_repository_table(result.get("realrepos", {}))
    for size, kib in result["peak_rss_kib"].items():
        lines.append(f"peak RSS of lint at {size} files: {kib / 1024:.1f} MiB")
    imports = result["imports"]
    lines.append(
        f"lint-path import time: {imports['lint_path_us'] / 1000:.1f} ms; heaviest: "
        + ", ".join(f"{name} {us / 1000:.1f} ms" for name, us in imports["heaviest_us"].items())
    )
    loaded = imports["modules"]
    lines.append(
        "modules imported by lint: " + ", ".join(f"{n} {'yes' if v else 'no'}" for n, v in loaded.items())
    )
    lines.append(
        "stages, ms per file (in process): "
        + ", ".join(f"{stage} {ms:.3f}" for stage, ms in result["stages_ms_per_file"].items())
    )
    lines.append("")
    lines.append(f"{'target':<44} {'ratio':>7} {'limit':>6}  result")
    for target in result["targets"]:
        value = "-" if target["ratio"] is None else f"{target['ratio']:.3f}"
        verdict = "not measured" if target["met"] is None else ("met" if target["met"] else "NOT MET")
        lines.append(f"{target['target']:<44} {value:>7} {target['limit']:>6}  {verdict}")
    return "\n".join(lines)


def real_repository_table(realrepos: dict[str, dict[str, Any]]) -> list[str]:
    """The real repositories' lines: the folder, then its median postmortem, each cold and warm and against
    markdownlint-cli2 (its ratios shown as - when it is not installed), and against python -c pass."""
    if not realrepos:
        return []

    def ratio(real: dict[str, Any], numerator: str, denominator: str) -> str:
        value = real.get(denominator)
        return f"{real[numerator] / value:.2f}" if value else "-"

    lines = ["", "real repositories (folder, then its median postmortem; s, and ratios to markdownlint-cli2 "
             "(mdl) and python -c pass):"]
    header = (f"{'repository':<44} {'files':>5} {'cold':>6} {'warm':>6} {'mdl':>6} {'c/mdl':>6} {'w/mdl':>6}"
              f" | {'KiB':>4} {'cold':>6} {'warm':>6} {'mdl':>6} {'c/mdl':>6} {'c/pass':>6} {'w/pass':>6}")
    lines += [header, "-" * len(header)]
    for name, real in realrepos.items():
        mdl = f"{real['mdl_s']:>6.3f}" if real.get("mdl_s") else f"{'-':>6}"
        one_mdl = f"{real['one_mdl_s']:>6.3f}" if real.get("one_mdl_s") else f"{'-':>6}"
        lines.append(
            f"{name:<44} {real['files']:>5} {real['cold_s']:>6.3f} {real['warm_s']:>6.3f} {mdl} "
            f"{ratio(real, 'cold_s', 'mdl_s'):>6} {ratio(real, 'warm_s', 'mdl_s'):>6} | "
            f"{real['one_kib']:>4.0f} {real['one_cold_s']:>6.3f} {real['one_warm_s']:>6.3f} {one_mdl} "
            f"{ratio(real, 'one_cold_s', 'one_mdl_s'):>6} {ratio(real, 'one_cold_s', 'pass_s'):>6} "
            f"{ratio(real, 'one_warm_s', 'pass_s'):>6}"
        )
    return lines


# -------------------------------------------------------------------------------------------------- main


REALREPOS = Path(__file__).resolve().parent.parent.parent / "shared" / "realrepos"


def real_repositories() -> list[tuple[str, Path]]:
    """The real repositories' postmortem folders beside the checkout (../shared/realrepos), when present."""
    if not REALREPOS.is_dir():
        return []
    return [(p.name, p) for p in sorted(REALREPOS.iterdir()) if p.is_dir() and "__" in p.name]


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are whole numbers of at least 1, separated by commas")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark postmortem-check lint (see the module docstring)."
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="numbers of files to lint, comma-separated (default: 1,100,2000,20000)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument(
        "--markdownlint", metavar="PATH", help="markdownlint-cli2 executable (default: on PATH)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs per size, median reported (default: 10 for one file, 5 up to 100, 3 up to 2,000, then 1)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="generate the files here (default: a temporary directory)"
    )
    args = parser.parse_args(argv)
    # the bytecode a regular install compiles (an editable checkout run with PYTHONDONTWRITEBYTECODE=1
    # would otherwise compile our modules again in every measured process)
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "postmortem_check"), quiet=1)

    markdownlint = find_markdownlint(args.markdownlint)
    mdl_version = None
    if markdownlint:
        help_text = subprocess.run([markdownlint, "--help"], capture_output=True, text=True).stdout
        mdl_version = help_text.splitlines()[0].strip() if help_text else "unknown version"
    sizes: list[int] = args.sizes
    memory_sizes = sorted({MEMORY_SMALL, sizes[-1]}) if sizes[-1] > MEMORY_SMALL else [sizes[-1]]
    result: dict[str, Any] = {"machine": machine(), "markdownlint_version": mdl_version, "runs": []}

    with tempfile.TemporaryDirectory(prefix="pm-bench-", dir=args.workdir) as temp:
        root = Path(temp)
        os.environ["XDG_CACHE_HOME"] = str(root / "home")  # the runs' key and compiled patterns, not the user's
        count = max(sizes + memory_sizes)
        print(f"generating {count} postmortems in {root} ...", file=sys.stderr)
        files = generate(root / "all", count)
        config = json.dumps(markdownlint_config(), indent=2)
        sets: dict[int, Path] = {}
        for size in sorted(set(sizes + memory_sizes)):
            directory = root / f"set-{size}"
            directory.mkdir()
            for path in files[:size]:
                os.link(path, directory / path.name)
            (directory / ".markdownlint-cli2.jsonc").write_text(config, encoding="utf-8")
            sets[size] = directory
        settle(root)
        if hasattr(os, "sync"):
            os.sync()  # the generated files written out now, not while the first runs are measured

        lint = lint_command()
        (root / "floor.py").write_text(FLOOR_SCRIPT, encoding="utf-8")
        if 1 not in sizes:  # else measured in turn with the one-file runs
            result["python_pass_s"] = timed([sys.executable, "-c", "pass"], 10)["seconds"]
            result["version_s"] = timed([*lint, "--version"], 10, ok=(0,))["seconds"]
        cache = root / ".postmortem-check-cache"  # the runs start in root, so the cache is kept here

        def clear_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        result["parallel_capacity_at_start"] = parallel_capacity()
        result["peak_rss_kib"] = {}
        for size in sizes:
            repeat = args.repeat or (10 if size == 1 else 5 if size <= 100 else 3 if size <= 2000 else 1)
            row, times = measure_size(size, sets, files, lint, root, markdownlint, clear_cache, repeat)
            ours = times["ours"]
            if size in memory_sizes:
                result["peak_rss_kib"][str(size)] = ours["peak_rss_kib"]
            if size == 1:
                result["python_pass_s"], result["version_s"] = times["pass"]["seconds"], times["version"]["seconds"]
            result["runs"].append(row)
        for size in memory_sizes:
            if str(size) not in result["peak_rss_kib"]:
                clear_cache()
                result["peak_rss_kib"][str(size)] = run_child([*lint, "lint", str(sets[size])], root)[1]
        result["realrepos"] = {}
        for name, folder in real_repositories():
            copy = root / "real" / name  # markdownlint-cli2's config is written beside the files, never in ../shared
            shutil.copytree(folder, copy)
            (copy / ".markdownlint-cli2.jsonc").write_text(config, encoding="utf-8")
            settle(copy)
            result["realrepos"][name] = measure_real(name, copy, lint, root, markdownlint, clear_cache,
                                                     args.repeat or 5)
        print("import profile and stage timings ...", file=sys.stderr)
        result["imports"] = import_profile(sets[1] / files[0].name if 1 in sets else files[0])
        result["stages_ms_per_file"] = stage_timings(root / "all", min(count, 2000))
    result["parallel_capacity_at_end"] = parallel_capacity()
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = targets(result)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    leaked = [name for name in ("github", "requests") if result["imports"]["modules"].get(name)]
    if leaked:
        print(f"error: lint imported {', '.join(leaked)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
