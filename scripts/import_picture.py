"""Make docs/images/import-workbook.png: a workbook imported from a crawler's text dump, its doubts as comments.

The report is generated (random figures, tests/import_pages.py), then dumped the way a crawler stores
a page — table cells fused — with one published total made wrong and one header misspelt. It is
imported, written as a workbook, and printed by LibreOffice with its comments shown (for the picture
only: the comments of a real import are hidden until the cell is pointed at).

Run:  python scripts/import_picture.py     (needs soffice and pdftoppm)
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "images" / "import-workbook.png"


def _dump() -> str:
    from import_pages import crawler_text, random_values, word_html

    from xlrep.edition.form import load_form
    from xlrep.workbook.engine import all_values

    rng = random.Random(20)
    values = random_values("2021", 2023, rng)
    values["info.org_name"] = "某某县教育局"
    values["t3.granted.natural_person"], values["t3.granted.commercial"] = 1, 11  # 1|11 or 11|1: a doubt
    values["t3.partly_granted.natural_person"], values["t3.partly_granted.commercial"] = 11, 1
    full = all_values(load_form("2021"), values)
    printed = {"t3.result_total.total": full["t3.result_total.total"] - 6}  # a printed total that is wrong
    page = word_html("2021", 2023, values, rng, printed=printed).replace("现行有效件数", "先行有效件数")
    text = crawler_text(page, rng, space=1.0)
    for label in (
        "（一）予以公开",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ):  # fused, as crawlers do
        text = re.sub(re.escape(label) + r"([\d ]+)", lambda m: m.group(0).replace(" ", ""), text, count=1)
    return text


def _show_comments(xlsx: Path) -> None:
    """Comments drawn on the sheet (VML ``visibility:visible``), so that a printout shows them."""
    data = {}
    with zipfile.ZipFile(xlsx) as z:
        for info in z.infolist():
            data[info.filename] = z.read(info)
    for name, body in data.items():
        if name.endswith(".vml"):
            text = body.decode("utf-8").replace("visibility:hidden", "visibility:visible")
            data[name] = re.sub(r"(<x:ClientData ObjectType=\"Note\">)", r"\1<x:Visible/>", text).encode("utf-8")
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data.items():
            z.writestr(name, body)


def main() -> None:
    from xlrep.importing import import_report, to_workbook

    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise SystemExit("soffice and pdftoppm are needed")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "report.txt").write_text(_dump(), encoding="utf-8")
        imported = import_report(tmp / "report.txt")
        for finding in imported.findings:
            print(finding.rule, finding.message)
        shown = {}  # for the picture, one comment per doubt (the workbook itself comments every cell in doubt)
        for key, note in imported.comments.items():
            if key.startswith(("t3.granted.", "t3.result_total.")) and note not in shown.values():
                shown[key] = note
        imported.comments = shown
        workbook = tmp / "imported.xlsx"
        workbook.write_bytes(to_workbook(imported))
        _show_comments(workbook)
        profile = tmp / "profile"
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        subprocess.run(cmd + ["--convert-to", "pdf", "--outdir", str(tmp), str(workbook)], check=True, timeout=300)
        page = _page_of(tmp / "imported.pdf", "本年新收政府信息公开申请数量")
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "110",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(tmp / "imported.pdf"),
                str(tmp / "page"),
            ],
            check=True,
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp / "page.png", OUT)
    print(f"wrote {OUT}")


def _page_of(pdf: Path, text: str) -> int:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            if text in (page.extract_text() or "").replace(" ", ""):
                return number
    return 1


if __name__ == "__main__":
    main()
