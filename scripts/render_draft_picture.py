"""Render docs/images/template-draft.png: sheet 一、总体情况 of the 淮安 sample with its 参考表述 cells.

The workbook is written by ``build_template`` from samples/huaian-2024.toml, LibreOffice prints it to
PDF (``soffice --headless --convert-to pdf``) and ``pdftoppm`` renders the top of that sheet's page.
Run:  python scripts/render_draft_picture.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "images" / "template-draft.png"
SHEET_PAGE = 3  # 填报说明, 基本信息, then 一、总体情况


def main() -> None:
    from xlrep.edition.form import load_form
    from xlrep.writer.template import build_template

    sample = tomllib.loads((ROOT / "samples" / "huaian-2024.toml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        book = tmp / "sample.xlsx"
        book.write_bytes(build_template(sample["year"], load_form(sample["edition"]), values=sample["values"]))
        profile = f"-env:UserInstallation=file://{tmp / 'profile'}"
        subprocess.run(
            ["soffice", profile, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp), str(book)],
            check=True,
            capture_output=True,
        )
        page = ["-f", str(SHEET_PAGE), "-l", str(SHEET_PAGE)]
        crop = ["-r", "150", "-x", "60", "-y", "90", "-W", "1150", "-H", "690"]
        subprocess.run(
            ["pdftoppm", *page, *crop, "-png", "-singlefile", str(tmp / "sample.pdf"), str(tmp / "page")], check=True
        )
        TARGET.write_bytes((tmp / "page.png").read_bytes())
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
