"""Benchmark: cold `xlrep ingest` and `xlrep template`, this tree against an earlier checkout.

What a clerk waits for is a fresh process: Python start-up, imports, the work. We time
each command as a new process, `--runs` times, and report wall time and CPU time (user +
system of the child). CPU time does not depend on what else the machine is doing, so it
is the figure to compare on a shared machine; wall time is what a person sees on an idle
one. With `--compare DIR` the same commands run against the source tree of another
checkout (e.g. a `git worktree` of an older commit) in the same run, beside this one.

Run:  python benchmarks/bench_startup.py [--runs 15] [--compare ../xlrep-before]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def run(cmd: list[str], source: Path, runs: int, cwd: Path) -> tuple[list[float], list[float]]:
    """(wall times, CPU times) of ``runs`` fresh processes of ``cmd`` with ``source/src`` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(source / "src"))
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed: {result.stderr.decode(errors='replace')}")
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", type=Path, help="the checkout of an earlier version to time beside this one")
    args = parser.parse_args()
    from filling import clean_values, fill_workbook

    trees = [("this tree", ROOT)] + ([(f"`{args.compare.name}`", args.compare.resolve())] if args.compare else [])
    for _, tree in trees:  # as pip installs it: compiled (a tree without .pyc, e.g. under PYTHONDONTWRITEBYTECODE,
        compileall.compile_dir(tree / "src", quiet=1)  # would pay for compiling every module on every run)
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        filled = fill_workbook(tmp / "filled.xlsx", "2021", 2021, clean_values("2021", 2021))
        commands = {
            "`xlrep ingest FILE`": [sys.executable, "-m", "xlrep", "ingest", str(filled), "-q"],
            "`xlrep template 2021`": [
                sys.executable,
                "-m",
                "xlrep",
                "template",
                "2021",
                "-o",
                str(tmp / "t.xlsx"),
                "--force",
            ],
        }
        for what, cmd in commands.items():
            for name, tree in trees:
                walls, cpus = run(cmd, tree, args.runs, tmp)
                rows.append(
                    f"| {what} | {name} | {statistics.median(cpus):.3f} | {min(cpus):.3f} | "
                    f"{statistics.median(walls):.3f} | {args.runs} |"
                )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| command (new process) | code | CPU median (s) | CPU best (s) | wall median (s) | runs |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
