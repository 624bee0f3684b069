"""Hostile published reports (issue 22), built on the fly for ``bad_inputs`` rows and the bounded-work tests.

Each builder writes one file into a folder and returns its path. They are the attacks of the issue, made small
enough to build in a fraction of a second: merged cells that expand to gigabytes, tables nested 80 deep, prose
after a table's last label, near-miss labels by the ten thousand, PDF content streams that inflate to a
gigabyte, a section longer than a cell holds.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

TITLE = "某某县人民政府2021年政府信息公开工作年度报告"
PAGE_HEAD = f"<html><head><meta charset=utf-8><title>{TITLE}</title></head><body><p>{TITLE}</p>"


def html_spans(folder: Path, cells: int = 1000) -> Path:
    """``<td rowspan=200 colspan=200>`` repeated: 34 KB that expand to 40 million positions."""
    path = folder / "合并单元格.html"
    body = "<table><tr>" + "<td rowspan=200 colspan=200>1</td>" * cells + "</tr></table>"
    path.write_text(PAGE_HEAD + body + "</body></html>", encoding="utf-8")
    return path


def _word(rows: int, cols: int, paragraphs: list[str] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    for text in paragraphs or []:
        document.add_paragraph(text)
    if rows and cols:
        table = document.add_table(rows=rows, cols=cols)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "1"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_body(data: bytes, edit) -> bytes:
    """The package with word/document.xml replaced by ``edit(xml)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            raw = source.read(info.filename)
            if info.filename == "word/document.xml":
                raw = edit(raw.decode("utf-8")).encode("utf-8")
            target.writestr(info, raw)
    return out.getvalue()


def word_spans(folder: Path) -> Path:
    """Every cell of a 40 × 100 table spans 64 grid columns (256,000 positions)."""
    path = folder / "合并单元格.docx"
    path.write_bytes(_with_body(_word(40, 100), lambda x: x.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="64"/>')))
    return path


def word_grid_before(folder: Path) -> Path:
    """A row that skips 300 million grid columns before its first cell (w:gridBefore)."""
    path = folder / "跳过列.docx"
    row = '<w:tr><w:trPr><w:gridBefore w:val="300000000"/></w:trPr>'
    path.write_bytes(_with_body(_word(3, 3), lambda x: x.replace("<w:tr>", row, 1)))
    return path
