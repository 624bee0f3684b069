"""Reading reports back as a reader sees them: HTML tables with spans expanded, Word tables, headings.

Shared by the report tests and the import tests: the HTML is parsed with the
standard library's ``html.parser``, a .docx with python-docx, whose
``table.cell(r, c)`` repeats a merged cell over its span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from xlrep.outputs.report import Table

ROOT = Path(__file__).resolve().parents[1]
HUAIAN_XLSX = ROOT / "samples" / "huaian-2024.xlsx"
TUOLI_XLSX = ROOT / "samples" / "tuoli-2021.xlsx"

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
SUBHEADINGS_ONE = [
    "（一）主动公开",
    "（二）依申请公开",
    "（三）政府信息管理",
    "（四）政府信息公开平台建设",
    "（五）监督保障",
]
BOX = tuple("┌│├└")


# -- reading tables back -------------------------------------------------------------


@dataclass(eq=False)  # identity: one object per cell of the source, however many positions it covers
class Src:
    text: str
    key: str | None = None
    classes: tuple[str, ...] = ()


class _HtmlTables(HTMLParser):
    """Every <table> of a page as rows of (Src, rowspan, colspan), plus its caption and data-table."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: dict | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"id": a.get("data-table"), "caption": None, "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = {
                "tag": tag,
                "rowspan": int(a.get("rowspan", 1)),
                "colspan": int(a.get("colspan", 1)),
                "key": a.get("data-key"),
                "classes": tuple((a.get("class") or "").split()),
                "text": [],
            }
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            c = self._cell
            self.tables[-1]["rows"][-1].append(
                (Src("".join(c["text"]), c["key"], c["classes"]), c["rowspan"], c["colspan"])
            )
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption)
            self._caption = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"].append(data)
        elif self._caption is not None:
            self._caption.append(data)


def html_tables(page: str) -> list[dict]:
    """Each table with ``grid``: rows × columns of ``Src``, spans expanded (a merged cell fills its rectangle)."""
    parser = _HtmlTables()
    parser.feed(page)
    parser.close()
    for t in parser.tables:
        grid: dict[tuple[int, int], Src] = {}
        for r, row in enumerate(t["rows"]):
            c = 0
            for src, rowspan, colspan in row:
                while (r, c) in grid:
                    c += 1
                for i in range(rowspan):
                    for j in range(colspan):
                        assert (r + i, c + j) not in grid, f"table {t['id']}: cells overlap at {(r + i, c + j)}"
                        grid[(r + i, c + j)] = src
                c += colspan
        rows = max(r for r, _ in grid) + 1
        cols = max(c for _, c in grid) + 1
        assert len(grid) == rows * cols, f"table {t['id']}: the rows do not fill a rectangle (ragged or holes)"
        t["grid"] = [[grid[(r, c)] for c in range(cols)] for r in range(rows)]
    return parser.tables


def docx_grid(table) -> list[list[Src]]:
    """A python-docx table as rows × columns of ``Src``: a merged cell is one object over its whole span."""
    by_tc: dict = {}  # keyed by the <w:tc> element itself: held here, lxml gives the same proxy for the same node
    out = []
    columns = len(table.columns)
    for row in table.rows:  # ``row.cells`` repeats a merged cell over its span, as ``table.cell(r, c)`` (O(n²)) does
        cells = row.cells
        assert len(cells) == columns, "a row of the Word table does not fill its grid"
        out.append([by_tc.setdefault(cell._tc, Src(cell.text)) for cell in cells])
    return out


def model_grid(table: Table) -> list[list[Src]]:
    grid: dict[tuple[int, int], Src] = {}
    for cell in table.cells:
        src = Src(cell.text, cell.key)
        for i in range(cell.rowspan):
            for j in range(cell.colspan):
                assert (cell.row + i, cell.col + j) not in grid
                grid[(cell.row + i, cell.col + j)] = src
    assert len(grid) == table.rows * table.cols, f"table {table.table} leaves holes"
    return [[grid[(r, c)] for c in range(table.cols)] for r in range(table.rows)]


def spans(grid: list[list[Src]]) -> dict[tuple[int, int], tuple[int, int]]:
    """(top, left) -> (rowspan, colspan) of every cell of a grid."""
    where: dict[int, list[tuple[int, int]]] = {}
    for r, row in enumerate(grid):
        for c, src in enumerate(row):
            where.setdefault(id(src), []).append((r, c))
    out = {}
    for cells in where.values():
        rows = {r for r, _ in cells}
        cols = {c for _, c in cells}
        assert len(cells) == len(rows) * len(cols), f"a merged cell that is not a rectangle: {cells}"
        out[(min(rows), min(cols))] = (len(rows), len(cols))
    return out


def reading_order(grid: list[list[Src]]) -> list[str]:
    """Cell texts row by row, as a web page copied into text reads: a merged cell once where it
    starts, an empty cell where a cell merged down from above covers the row (once per span)."""
    out = []
    for r, row in enumerate(grid):
        for c, src in enumerate(row):
            if c > 0 and row[c - 1] is src:
                continue  # covered from the left
            out.append("" if r > 0 and grid[r - 1][c] is src else src.text)
    return out


def number(text: str):
    assert re.fullmatch(r"-?\d+(\.\d+)?", text), f"not a plain number: {text!r}"
    return float(text) if "." in text else int(text)


def squash(text: str) -> str:
    return "".join(text.split())
