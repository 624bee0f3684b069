"""Benchmark: cold `xlrep ingest` beside LibreOffice recalculating the same workbook.

The alternative a reviewer has for checking a workbook's formulas is to let a
spreadsheet program recalculate it. We time, side by side in one run, on the same
filled 2021 workbook (filled, then saved by LibreOffice so it looks like a clerk's):

1. `xlrep ingest FILE` as a fresh process (cold: start-up, imports, reading, all rules);
2. `audit(FILE)` inside a warm process (the library call alone);
3. LibreOffice headless opening FILE with "recalculate on load: always" and saving it
   (`soffice --convert-to xlsx`), a fresh process each time.

Run:  python benchmarks/bench_ingest.py [--runs 10]
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

from timing import markdown_row, time_command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# LibreOffice's setting "Recalculation on file load" for Excel 2007+ files: 0 = always.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    if not soffice:
        raise SystemExit("LibreOffice (soffice) is needed for the side-by-side run: bash scripts/test.sh installs it.")
    from filling import clean_values, fill_workbook

    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        profile = tmp / "lo-profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
        lo = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "xlsx"]
        raw = fill_workbook(tmp / "raw.xlsx", "2021", 2021, clean_values("2021", 2021))
        subprocess.run(lo + ["--outdir", str(tmp / "filled"), str(raw)], check=True, capture_output=True)
        filled = tmp / "filled" / "raw.xlsx"

        cold = time_command([sys.executable, "-m", "xlrep", "ingest", str(filled)], args.runs, tmp)
        rows.append(markdown_row("`xlrep ingest` (new process, cold: read, every rule, the report text)", cold))
        from xlrep.auditing.ingest import audit

        audit(filled)
        warm = []
        for _ in range(args.runs):
            start = time.perf_counter()
            audit(filled)
            warm.append(time.perf_counter() - start)
        rows.append(markdown_row("`audit()` (library call, warm process)", warm))
        lo_times = time_command(lo + ["--outdir", str(tmp / "lo"), str(filled)], max(3, args.runs // 2), tmp)
        rows.append(markdown_row("LibreOffice headless: open, recalculate all, save (new process)", lo_times))
        ratio = statistics.median(lo_times) / statistics.median(cold)

    print(f"Machine: {platform.machine()}, Python {platform.python_version()}\n")
    print("| what | median (s) | best (s) | runs |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))
    print(f"\nLibreOffice takes {ratio:.1f}× as long as a cold `xlrep ingest` (which also runs every rule).")


if __name__ == "__main__":
    main()
