"""Benchmark: rendering the report of one filled workbook, in each format (the library call, warm).

The report model is built once from a random filled workbook of each edition (the kind the import
tests use: every cell of 表二、三、四 filled, all parts written); each format is then rendered
``--runs`` times. Wall time and CPU time (this process only: the machine may be shared) are given;
the Word report is the one that costs — python-docx builds every table cell by cell.

Run:  python benchmarks/bench_report.py [--runs 10]
Prints a Markdown table (median and best of the runs, seconds).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
FORMATS = (".docx", ".html", ".md", ".txt", ".json")


def _report(tmp: Path, edition: str, year: int):
    from import_pages import random_values, write_filled

    from xlrep.auditing.ingest import audit
    from xlrep.outputs.report import build_report

    values = random_values(edition, year, random.Random(2024))
    return build_report(audit(write_filled(tmp / f"{edition}.xlsx", edition, year, values)))


def _times(report, suffix: str, runs: int) -> tuple[list[float], list[float]]:
    from xlrep.outputs.report import render

    render(report, suffix)  # the first call imports python-docx: not part of a report's cost
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        render(report, suffix)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        for edition, year in (("2021", 2023), ("2019", 2020)):
            report = _report(Path(tmp_name), edition, year)
            for suffix in FORMATS:
                wall, cpu = _times(report, suffix, args.runs)
                rows.append(
                    f"| {edition} | {suffix} | {statistics.median(wall):.3f} | {min(wall):.3f} "
                    f"| {statistics.median(cpu):.3f} | {min(cpu):.3f} | {len(wall)} |"
                )
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| edition | format | wall, median (s) | wall, best (s) | CPU, median (s) | CPU, best (s) | runs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
