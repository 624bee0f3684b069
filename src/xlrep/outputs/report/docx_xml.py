"""Every access of the Word report below python-docx's public API: the WordprocessingML elements it has no property
for, each with why. Nothing else in ``report`` touches the XML (oxml) or a proxy's private element.

python-docx keeps each proxy's XML element in ``_element`` (public as ``.element`` only on a run and a style):
``_xml`` is the one place that reads it. Imported only when a .docx is written (python-docx is imported with it).
"""

from __future__ import annotations

from copy import deepcopy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_Merge
from docx.shared import Length


def _xml(proxy):
    """The XML element of a paragraph, run, table cell or row (python-docx's ``_p``, ``_r``, ``_tc``, ``_tr``)."""
    return proxy._element


def east_asian_font(run, name: str) -> None:
    """``w:rFonts w:eastAsia`` (and ``w:hint``): ``run.font.name`` sets only the Latin fonts, and Chinese text in a
    run is set in the East Asian one (仿宋_GB2312, 黑体 …)."""
    rpr = run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def style_east_asian_font(style, name: str) -> None:
    """``w:rFonts w:eastAsia`` of a style (the Normal style's Chinese font), for the same reason."""
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def formats_of(paragraph, run) -> tuple:
    """Copies of ``w:pPr`` and ``w:rPr``, the paragraph's and the run's properties: the next paragraph formatted
    alike takes copies of them (setting each property through the API again is most of the time of a report)."""
    return deepcopy(_xml(paragraph).pPr), deepcopy(_xml(run).rPr)


def add_formatted_run(paragraph, text: str, formats: tuple) -> None:
    """``text`` as a run of ``paragraph``, with the properties ``formats_of`` copied from one formatted before."""
    p_pr, r_pr = formats
    _xml(paragraph).insert(0, deepcopy(p_pr))
    _xml(paragraph.add_run(text)).insert(0, deepcopy(r_pr))


def page_number_field(paragraph, run) -> None:
    """``w:fldSimple w:instr="PAGE"`` around ``run``: python-docx has no fields, and the footer's “— N —” needs the
    page number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    field.append(run.element)
    _xml(paragraph).append(field)


def vertical_text(cell) -> None:
    """``w:textDirection w:val="tbRlV"``: a cell's text top to bottom (the official tables' narrow label cells);
    python-docx has no property for it."""
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "tbRlV")
    _xml(cell).get_or_add_tcPr().append(direction)


def keep_row(row, header: bool) -> None:
    """``w:cantSplit`` (a row never breaks across pages) and, for a header row, ``w:tblHeader`` (repeated on every
    page): python-docx has neither."""
    tr_pr = _xml(row).get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def merge(grid: list, row: int, col: int, rowspan: int, colspan: int):
    """The cell spanning ``rowspan`` × ``colspan`` grid cells from (row, col), merged as python-docx's ``merge`` does.

    ``_Cell.merge`` first searches the XML for the span's rows and columns (its cost grows with the table);
    here they are the table's plain grid, taken once before any merge (``grid``: each row's ``row.cells``).
    Spans never overlap, so every cell of this one is still as ``add_table`` made it: an empty ``w:tc``.
    Each row of the span keeps its first ``w:tc``, which takes in the others' widths and grid columns
    (``w:gridSpan``); the first row's is the merged cell (``w:vMerge`` restart), the rows below continue it.
    """
    if rowspan == 1 and colspan == 1:
        return grid[row][col]
    for r in range(row, row + rowspan):
        tc = _xml(grid[r][col])
        for c in range(col + 1, col + colspan):
            swallowed = _xml(grid[r][c])
            if tc.width and swallowed.width:
                tc.width = Length(tc.width + swallowed.width)
            tc.grid_span = tc.grid_span + swallowed.grid_span
            swallowed.getparent().remove(swallowed)
        tc.vMerge = None if rowspan == 1 else ST_Merge.RESTART if r == row else ST_Merge.CONTINUE
    return grid[row][col]
