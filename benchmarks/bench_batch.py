"""Benchmark: `xlrep check` and `xlrep merge` over many generated workbooks, beside a plain openpyxl loop.

The alternative a county office has is a script that opens each workbook with
openpyxl and reads the cells (no checks at all). We time, on the same folder:

1. `xlrep check DIR` (all cores, every rule, every workbook) as a fresh process;
2. `xlrep merge DIR -o 汇总.xlsx` as a fresh process;
3. a plain openpyxl loop (read-only, cached values) reading every input cell of every workbook.

With ``--compare DIR`` only `xlrep check` is timed, ``--runs`` times, alternating between this tree and the
source tree of another checkout (e.g. a `git worktree` of an older commit) on the same folder, each run with
the 1-minute load average when it started: the machine is shared, and under load the wall clock measures the
neighbours too, so the CPU seconds of the command (its workers included) are reported beside it.
``--folder DIR`` reuses a folder of workbooks instead of generating one.

Run:  python benchmarks/bench_batch.py [--units 1000] [--runs 3 --compare ../xlrep-before] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def generate(folder: Path, count: int) -> None:
    from filling import clean_values

    from xlrep.writer.template import build_template

    base = clean_values("2021", 2021, seed=0)
    for i in range(count):
        rng = random.Random(i)
        values = dict(base)
        for key in ("t2.licensing.decisions", "t2.penalty.decisions", "t4.review.upheld", "t4.suit_direct.other"):
            values[key] = rng.randint(0, 50)
        values["info.org_name"] = f"示例单位{i:04d}"
        (folder / f"unit{i:04d}.xlsx").write_bytes(build_template(2021, values=values))


def plain_openpyxl(folder: Path) -> int:
    import openpyxl

    from xlrep.edition.form import load_form
    from xlrep.workbook.layout import build_layout, cell_ref

    layout = build_layout(load_form("2021"))
    cells = [(layout.addresses[c.key][0], cell_ref(*layout.addresses[c.key][1:])) for c in layout.form.inputs]
    read = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = {}
        for name in {s for s, _ in cells}:
            ws = wb[name]
            sheets[name] = {c.coordinate: c.value for row in ws.iter_rows() for c in row if hasattr(c, "coordinate")}
        read += sum(1 for s, a1 in cells if sheets[s].get(a1) is not None)
        wb.close()
    return read


def load() -> float:
    """The 1-minute load average (what else the machine is doing)."""
    return os.getloadavg()[0]


def timed_check(source: Path, folder: Path, *options: str) -> tuple[float, float]:
    """(wall, CPU) seconds of `xlrep check` run from ``source``/src as a fresh process (its workers included)."""
    env = dict(os.environ, PYTHONPATH=str(source / "src"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xlrep", "check", *options, str(folder)], capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def compare(folder: Path, n: int, other: Path, runs: int) -> None:
    """`xlrep check` of this tree and of ``other``, alternating, ``runs`` times each: one row per run."""
    trees = (("before", other.resolve()), ("after", ROOT))
    rows = []
    cpus: dict[str, list[float]] = {name: [] for name, _ in trees}
    for run in range(1, runs + 1):
        for name, source in trees:
            started_at = load()
            wall, cpu = timed_check(source, folder)
            cpus[name].append(cpu)
            rows.append(
                f"| {name} | {run} | {started_at:.2f} | {wall:.2f} | {n / wall:.0f} | {cpu:.2f} | {cpu / n * 1000:.1f} |"
            )
    print(f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {n} workbooks")
    print(f"before: {other.resolve()}; after: {ROOT}\n")
    print("| tree | run | load average at start | wall (s) | workbooks per second | CPU (s) | CPU per workbook (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    cores = os.cpu_count() or 1
    for name, seconds in cpus.items():  # what the CPU seconds allow when the cores are not shared
        best, worst = min(seconds), max(seconds)
        print(
            f"\n{name}: {best / n * 1000:.2f}–{worst / n * 1000:.2f} ms CPU per workbook → with {cores} idle cores "
            f"at most {cores * n / worst:.0f}–{cores * n / best:.0f} workbooks per second"
        )


def usual(folder: Path, n: int, tmp: Path) -> None:
    """check (all cores, one process), merge and the openpyxl loop on ``folder``, this tree only."""
    rows = []
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    commands = (
        ("`xlrep check` (every rule, all cores)", ["check", str(folder)]),
        ("`xlrep check -j 1` (every rule, 1 process)", ["check", "-j", "1", str(folder)]),
        ("`xlrep merge` (read, check, add up, write)", ["merge", str(folder), "-o", str(tmp / "汇总.xlsx")]),
    )
    for name, command in commands:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "xlrep", *command], capture_output=True, env=env)
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        rows.append((name, elapsed))
    start = time.perf_counter()
    plain_openpyxl(folder)
    rows.append(("plain openpyxl loop: read every input cell, no checks (1 process)", time.perf_counter() - start))
    print(f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {n} workbooks")
    print(f"load average at the end: {load():.2f}\n")
    print("| what | seconds | workbooks per second |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {n / seconds:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", type=Path, metavar="DIR", help="a checkout to time `xlrep check` against")
    parser.add_argument("--folder", type=Path, metavar="DIR", help="workbooks already generated (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = args.folder
        if folder is None:
            folder = tmp / "units"
            folder.mkdir()
            start = time.perf_counter()
            generate(folder, args.units)
            print(f"generated {args.units} workbooks in {time.perf_counter() - start:.1f} s")
        n = len(list(folder.glob("*.xlsx")))
        if args.compare is not None:
            compare(folder, n, args.compare, args.runs)
        else:
            usual(folder, n, tmp)


if __name__ == "__main__":
    main()
