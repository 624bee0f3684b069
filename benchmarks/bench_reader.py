"""Benchmark: xlrep's own .xlsx reader (``xlsx.Workbook``) beside openpyxl read-only, on the same cells.

xlrep parses the parts of a workbook itself instead of using openpyxl. This is worth
keeping only while it is clearly faster, so we time, in one run, reading every cell
the form needs (inputs, totals, checks: formula and cached value) from the same
filled 2021 workbooks:

1. ``xlsx.Workbook(path, sheets=…)`` — the parts the form needs, streamed, with budgets;
2. ``openpyxl.load_workbook(path, read_only=True, data_only=False)`` and iterating
   the rows of the same sheets (random access in read-only mode re-parses a sheet).

Each is timed warm (in this process, after one untimed run) and cold (a fresh Python
process: imports plus one read), with the cold run's peak memory (ru_maxrss). Warm, xlrep's reader
forgets the package parts it keeps between workbooks (a batch parses each distinct one once), so every
read parses every part it needs. Times are
CPU seconds (user + system), not wall clock: the benchmark machine is shared, and under
load the wall clock measures the neighbours.
Workbooks: a clean fill written by openpyxl; the same saved by LibreOffice (what a
clerk's program writes; skipped without soffice); and a fill whose every narrative cell
holds 32,767 characters, the most an Excel cell can hold (the reader's budgets).

Run:  python benchmarks/bench_reader.py [--runs 20]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CELLS_SCRIPT = """
from xlrep.edition.form import load_form
from xlrep.workbook.layout import build_layout, cell_ref
layout = build_layout(load_form("2021"))
CELLS = sorted({(s, cell_ref(r, c)) for s, r, c in layout.addresses.values()})
SHEETS = sorted({s for s, _ in CELLS})
"""

XLREP_READ = """
def read(path):
    from xlrep import xlsx
    from xlrep.workbook.xlsx import Workbook
    getattr(xlsx, "_memo", {}).clear()  # parse every part, as for a workbook not seen before in this process
    try:
        book = Workbook(path, sheets=SHEETS)
    except TypeError:  # the reader before budgets took no sheet list
        book = Workbook(path)
    return [(book.value(s, a1), book.cached_value(s, a1)) for s, a1 in CELLS]
"""

OPENPYXL_READ = """
def read(path):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    found = {}
    for name in SHEETS:
        for row in wb[name].iter_rows():
            for c in row:
                if hasattr(c, "coordinate"):
                    found[(name, c.coordinate)] = c.value
    wb.close()
    return [found.get(cell) for cell in CELLS]
"""


def warm(reader: str, path: Path, runs: int) -> list[float]:
    """CPU seconds of ``runs`` reads in this process, after one untimed read."""
    scope: dict = {}
    exec(CELLS_SCRIPT + reader, scope)
    scope["read"](path)
    out = []
    for _ in range(runs):
        start = time.process_time()
        scope["read"](path)
        out.append(time.process_time() - start)
    return out


def cold(reader: str, path: Path, runs: int) -> tuple[list[float], int]:
    """CPU seconds of fresh processes (start-up, imports, one read) and the largest peak RSS (MB) among them."""
    code = CELLS_SCRIPT + reader + f"\nread({str(path)!r})\n"
    code += "import resource\nu = resource.getrusage(resource.RUSAGE_SELF)\n"
    code += "print(u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
    times, peak = [], 0
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        cpu, rss = result.stdout.split()[-2:]
        times.append(float(cpu))
        peak = max(peak, int(rss) // 1024)
    return times, peak


def workbooks(tmp: Path) -> list[tuple[str, Path]]:
    from filling import clean_values, fill_workbook

    from xlrep.edition.form import load_form

    out = []
    filled = fill_workbook(tmp / "filled.xlsx", "2021", 2021, clean_values("2021", 2021))
    out.append(("clean fill (openpyxl)", filled))
    soffice = shutil.which("soffice")
    if soffice:
        profile = tmp / "lo-profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
            + ["--convert-to", "xlsx", "--outdir", str(tmp / "lo"), str(filled)],
            check=True,
            capture_output=True,
        )
        out.append(("clean fill saved by LibreOffice", tmp / "lo" / "filled.xlsx"))
    values = clean_values("2021", 2021)
    for cell in load_form("2021").inputs:
        if cell.kind == "longtext":
            values[cell.key] = ("公开工作" * 8192)[:32766] + "。"
    out.append(("every narrative cell 32,767 characters", fill_workbook(tmp / "long.xlsx", "2021", 2021, values)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        for title, path in workbooks(Path(tmp_name)):
            size = path.stat().st_size // 1024
            results = {}
            for name, reader in (("xlrep xlsx.Workbook", XLREP_READ), ("openpyxl read-only", OPENPYXL_READ)):
                try:
                    w = warm(reader, path, args.runs)
                except Exception as exc:  # noqa: BLE001 - a reader that refuses the file is a result too
                    rows.append(f"| {title} ({size} KB) | {name} | refused: {str(exc)[:60]} | | |")
                    break
                c, peak = cold(reader, path, max(3, args.runs // 4))
                results[name] = (statistics.median(w), statistics.median(c))
                rows.append(
                    f"| {title} ({size} KB) | {name} | {statistics.median(w) * 1000:.1f} | "
                    f"{statistics.median(c) * 1000:.0f} | {peak} |"
                )
            if len(results) < 2:
                continue
            ours, theirs = results["xlrep xlsx.Workbook"], results["openpyxl read-only"]
            ratios = f"**{theirs[0] / ours[0]:.1f}×** | **{theirs[1] / ours[1]:.1f}×**"
            rows.append(f"| {title} | **openpyxl ÷ xlrep** | {ratios} | |")
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {args.runs} warm runs\n")
    print("| workbook | reader | warm CPU median (ms) | cold CPU median (ms) | cold peak RSS (MB) |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
