"""Benchmark: `xlrep check` and `xlrep merge` over many generated workbooks, beside a plain openpyxl loop.

The alternative a county office has is a script that opens each workbook with
openpyxl and reads the cells (no checks at all). We time, on the same folder:

1. `xlrep check DIR` (all cores, every rule, every workbook) as a fresh process;
2. `xlrep merge DIR -o 汇总.xlsx` as a fresh process;
3. a plain openpyxl loop (read-only, cached values) reading every input cell of every workbook.

Run:  python benchmarks/bench_batch.py [--units 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def generate(folder: Path, count: int) -> None:
    from filling import clean_values

    from xlrep.template import build_template

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

    from xlrep.form import load_form
    from xlrep.layout import build_layout, cell_ref

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    n = args.units
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name) / "units"
        folder.mkdir()
        start = time.perf_counter()
        generate(folder, n)
        print(f"generated {n} workbooks in {time.perf_counter() - start:.1f} s")

        rows = []
        start = time.perf_counter()
        check = subprocess.run([sys.executable, "-m", "xlrep", "check", str(folder)], capture_output=True)
        elapsed = time.perf_counter() - start
        assert check.returncode == 0, check.stderr.decode()[-2000:]
        rows.append(("`xlrep check` (every rule, all cores)", elapsed))

        start = time.perf_counter()
        single = subprocess.run([sys.executable, "-m", "xlrep", "check", "-j", "1", str(folder)], capture_output=True)
        elapsed = time.perf_counter() - start
        assert single.returncode == 0, single.stderr.decode()[-2000:]
        rows.append(("`xlrep check -j 1` (every rule, 1 process)", elapsed))

        out = Path(tmp_name) / "汇总.xlsx"
        start = time.perf_counter()
        merge = subprocess.run(
            [sys.executable, "-m", "xlrep", "merge", str(folder), "-o", str(out)], capture_output=True
        )
        elapsed = time.perf_counter() - start
        assert merge.returncode == 0, merge.stderr.decode()[-2000:]
        rows.append(("`xlrep merge` (read, check, add up, write)", elapsed))

        start = time.perf_counter()
        plain_openpyxl(folder)
        rows.append(("plain openpyxl loop: read every input cell, no checks (1 process)", time.perf_counter() - start))

    print(
        f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; {n} workbooks\n"
    )
    print("| what | seconds | workbooks per second |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {n / seconds:.0f} |")


if __name__ == "__main__":
    main()
