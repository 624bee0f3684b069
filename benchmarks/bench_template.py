"""Benchmark: how long `xlrep template` takes, cold, beside the alternative.

A clerk's alternative to `xlrep template` is to open a blank form in a spreadsheet
program and save it. We time, side by side in one run:

1. `xlrep template YEAR` as a fresh process (cold: Python start-up, imports, writing);
2. `build_template()` inside a warm process (the library call alone);
3. LibreOffice headless opening the same workbook and saving it as .xlsx, as a
   fresh process each time (what it costs just to load and save the form).

Run:  python benchmarks/bench_template.py [--runs 10]
Prints a Markdown table (median and best of the runs, seconds).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import markdown_row, time_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for year in ("2020", "2021"):
            times = time_command(
                [sys.executable, "-m", "xlrep", "template", year, "-o", str(tmp / f"t{year}.xlsx"), "--force"],
                args.runs,
                tmp,
            )
            rows.append(markdown_row(f"`xlrep template {year}` (new process, cold)", times))

        from xlrep.writer.template import build_template

        build_template(2021)
        lib = []
        for _ in range(args.runs):
            start = time.perf_counter()
            build_template(2021)
            lib.append(time.perf_counter() - start)
        rows.append(markdown_row("`build_template(2021)` (library call, warm process)", lib))

        soffice = shutil.which("soffice")
        if soffice:
            profile = tmp / "lo-profile"
            lo_cmd = [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp / "lo"),
                str(tmp / "t2021.xlsx"),
            ]
            subprocess.run(lo_cmd, check=True, capture_output=True)  # first start creates the profile
            times = time_command(lo_cmd, max(3, args.runs // 2), tmp)
            rows.append(markdown_row("LibreOffice headless: open the same workbook and save it (new process)", times))
        else:
            rows.append("| LibreOffice headless | not installed | | |")

    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| what | median (s) | best (s) | runs |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
