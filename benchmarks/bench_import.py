"""Benchmark: `xlrep import` — published reports per second, for each format.

The aims: at most 0.3 s per web page, Word document or text dump, at most 2 s per
10-page PDF. We time, for each format, on the same kinds of report the tests use:

1. `import_report()` inside a warm process (reading, label matching, splitting, narrative);
2. `import_report()` + `to_workbook()` (the whole import but writing the file);
3. `xlrep import FILE` as a fresh process (cold: Python start-up, imports, the workbook written).

The reports: our own report of a random filled workbook as .docx, .html and .txt; a Word-style
"save as web page" export (GBK, a kilobyte of style per cell, numbers split over <span>s); a
crawler's text dump with the table cells fused (the corpus's, if ``XLREP_CORPUS`` is there, else
one made like them); the 淮安 2024 PDF (6 pages, ruled tables, from ``../shared/samples``) if it is
there; and a 10-page PDF without table rules (LibreOffice's print of our web page), if
LibreOffice is installed.

Run:  python benchmarks/bench_import.py [--runs 10]
Prints a Markdown table (median and best of the runs, seconds; reports per second from the median).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import time_command

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
CORPUS = Path(os.environ.get("XLREP_CORPUS", ROOT.parent / "shared" / "corpus"))


def _reports(tmp: Path) -> list[tuple[str, Path]]:
    from import_pages import crawler_text, random_values, reports, word_html, write_filled

    rng = random.Random(2024)
    values = random_values("2021", 2023, rng)
    workbook = write_filled(tmp / "filled.xlsx", "2021", 2023, values)
    ours = reports(workbook, (".docx", ".html", ".txt"))
    out = []
    for suffix, label in (
        (".docx", "our Word report (.docx)"),
        (".html", "our web page (.html)"),
        (".txt", "our text report (.txt)"),
    ):
        path = tmp / f"ours{suffix}"
        path.write_bytes(ours[suffix])
        out.append((label, path))
    page = word_html("2021", 2023, values, rng)
    (tmp / "word.htm").write_bytes(page.encode("gb18030"))
    out.append((f'Word "save as web page" (.htm, GBK, {len(page) // 1024} KB)', tmp / "word.htm"))
    dump = CORPUS / "005.txt"
    if dump.exists():
        out.append(("crawler's text dump, cells fused (corpus 005.txt)", dump))
    else:
        (tmp / "dump.txt").write_text(crawler_text(page, rng), encoding="utf-8")
        out.append(("crawler's text dump, cells fused (made like the corpus)", tmp / "dump.txt"))
    huaian = CORPUS.parent / "samples" / "huaian-2024.pdf"
    if huaian.exists():
        out.append(("淮安 2024 PDF (6 pages, ruled tables)", huaian))
    soffice = shutil.which("soffice")
    if soffice:
        profile = tmp / "lo-profile"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        cmd += ["--convert-to", "pdf:writer_web_pdf_Export", "--outdir", str(tmp / "pdf"), str(tmp / "ours.html")]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        pdf = tmp / "pdf" / "ours.pdf"
        out.append((f"LibreOffice's PDF of our web page ({_pages(pdf)} pages, no table rules)", pdf))
    return out


def _pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def _warm(path: Path, runs: int, write: bool) -> list[float]:
    from xlrep.importing import import_report, to_workbook

    import_report(path)  # the first call imports python-docx / pdfplumber: not part of a report's cost
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        imported = import_report(path)
        if write:
            to_workbook(imported)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for label, path in _reports(tmp):
            read = _warm(path, args.runs, write=False)
            whole = _warm(path, args.runs, write=True)
            cold = time_command(
                [sys.executable, "-m", "xlrep", "import", str(path), "-o", str(tmp / "out.xlsx"), "--force"],
                max(3, args.runs // 2),
                tmp,
            )
            rows.append(
                f"| {label} | {statistics.median(read):.3f} | {statistics.median(whole):.3f} | "
                f"{1 / statistics.median(whole):.1f} | {statistics.median(cold):.3f} | {min(cold):.3f} |"
            )
    print(f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print(
        "| report | import_report, warm (s) | + to_workbook, warm (s) | reports per second (warm) "
        "| `xlrep import`, cold, median (s) | cold, best (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
