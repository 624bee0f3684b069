"""The report as a Word document (.docx) following GB/T 9704 conventions (党政机关公文格式).

A4; title 小标宋 二号 centred; body 仿宋_GB2312 三号 with a two-character first-line
indent and fixed 28 pt lines; 一、 headings 黑体, （一） headings 楷体_GB2312; tables keep
the official merged layout; page numbers “— N —” at the foot; a closing block with
the agency's name and the date for signing and the seal. Fonts that may be missing
are given fallbacks in the font table (w:altName), which Word uses to substitute.
"""

from __future__ import annotations

import io

from .model import DRAFT, Heading, Paragraph, Report, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {
    TITLE_FONT: "宋体",
    BODY_FONT: "仿宋",
    SUBHEADING_FONT: "楷体",
    HEADING_FONT: "SimHei",
    TABLE_FONT: "SimSun",
}


def render_docx(report: Report) -> bytes:
    """The report as .docx bytes (python-docx, imported only here)."""
    return _WordReport(report).render()


class _WordReport:
    """One document: page set-up, the GB/T 9704 paragraphs, the official tables, the page-number footer."""

    def __init__(self, report: Report):
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Cm, Pt, RGBColor

        from . import docx_xml  # every access below python-docx's public API

        self.report = report
        self.cell_formats: dict[tuple, tuple] = {}  # (size, bold, align) -> the properties of a table cell's text
        self.paragraph_formats: dict[tuple, tuple] = {}  # paragraph() arguments -> its paragraph and run properties
        self.Cm, self.Pt, self.RGBColor, self.xml = Cm, Pt, RGBColor, docx_xml
        self.ALIGN, self.VALIGN, self.TABLE_ALIGN, self.SPACING = (
            WD_ALIGN_PARAGRAPH,
            WD_CELL_VERTICAL_ALIGNMENT,
            WD_TABLE_ALIGNMENT,
            WD_LINE_SPACING,
        )
        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        self.section = section
        props = self.doc.core_properties
        props.title, props.author = report.title, report.org
        props.comments = "由 xlrep 从填报表生成" + (f"（{DRAFT}）" if report.draft else "")
        self.table_style = self.doc.styles["Table Grid"]  # looked up by name once (a slow search)
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = Pt(16)
        docx_xml.style_east_asian_font(normal, BODY_FONT)

    def set_font(self, run, name: str, size: float, bold: bool = False, colour=None) -> None:
        run.font.name = LATIN_FONT
        run.font.size = self.Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
        self.xml.east_asian_font(run, name)

    def paragraph(
        self,
        text: str,
        font: str,
        size: float = 16,
        *,
        align=None,
        indent: bool = True,
        bold=False,
        space_before: float = 0,
        colour=None,
        exact: float | None = 28,
    ):
        p = self.doc.add_paragraph()
        key = (font, size, align, indent, bold, space_before, colour, exact)
        formats = self.paragraph_formats.get(key)
        if formats is not None:  # the properties of a paragraph written before: copied
            self.xml.add_formatted_run(p, text, formats)
            return p
        fmt = p.paragraph_format
        if exact:
            fmt.line_spacing_rule = self.SPACING.EXACTLY
            fmt.line_spacing = self.Pt(exact)
        fmt.space_before, fmt.space_after = self.Pt(space_before), self.Pt(0)
        if indent:
            fmt.first_line_indent = self.Pt(size * 2)
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        self.set_font(run, font, size, bold, colour)
        self.paragraph_formats[key] = self.xml.formats_of(p, run)
        return p

    def render(self) -> bytes:
        report, center, right = self.report, self.ALIGN.CENTER, self.ALIGN.RIGHT
        if report.draft:
            self.draft_marks()
        self.paragraph(report.title, TITLE_FONT, 22, align=center, indent=False, exact=36, space_before=12)
        self.paragraph("", BODY_FONT)
        for text in report.preamble:
            self.paragraph(text, BODY_FONT)
        for block in report.blocks:
            if isinstance(block, Heading):
                self.paragraph(block.text, HEADING_FONT if block.level == 1 else SUBHEADING_FONT)
            elif isinstance(block, Paragraph):
                self.paragraph(block.text, BODY_FONT)
            else:
                self.table(block)
                self.paragraph("", BODY_FONT, exact=12)
        self.paragraph(report.org, BODY_FONT, align=right, indent=False, space_before=48)
        self.paragraph(report.closing_date, BODY_FONT, align=right, indent=False)
        self.page_numbers()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _font_fallbacks(buffer.getvalue())

    def draft_marks(self) -> None:
        red = self.RGBColor(0xC0, 0x00, 0x00)
        header = self.section.header.paragraphs[0]
        header.alignment = self.ALIGN.CENTER
        self.set_font(header.add_run(f"{DRAFT}——仅供核对，不得发布"), HEADING_FONT, 12, True, red)
        self.paragraph(
            f"{DRAFT}：报告中仍有错误，仅供核对，不得发布",
            HEADING_FONT,
            16,
            align=self.ALIGN.CENTER,
            indent=False,
            bold=True,
            colour=red,
        )

    def page_numbers(self) -> None:
        """“— N —” centred at the foot of every page."""
        footer = self.section.footer.paragraphs[0]
        footer.alignment = self.ALIGN.CENTER
        self.set_font(footer.add_run("— "), TABLE_FONT, 14)
        run = footer.add_run()
        self.set_font(run, TABLE_FONT, 14)
        self.xml.page_number_field(footer, run)
        self.set_font(footer.add_run(" —"), TABLE_FONT, 14)

    def table(self, table: Table) -> None:
        offset = 1 if table.caption else 0
        t = self.doc.add_table(rows=table.rows + offset, cols=table.cols)
        t.style = self.table_style
        t.alignment = self.TABLE_ALIGN.CENTER
        t.autofit = False
        size = 9 if table.cols > 5 else 10.5
        # Every cell of the plain grid, taken once: ``Table.cell()`` rebuilds the whole grid on each call (O(n²)).
        # A merge keeps the top-left cell and swallows only cells inside its own span, so the others stay valid.
        grid = [row.cells for row in t.rows]
        placed = _Placed()
        if table.caption:
            cell = self.xml.merge(grid, 0, 0, 1, table.cols)
            self.write(placed.add(cell, 0, 0, 1, table.cols), table.caption, size, True, self.ALIGN.CENTER)
        for c in table.cells:
            cell = self.xml.merge(grid, c.row + offset, c.col, c.rowspan, c.colspan)
            placed.add(cell, c.row + offset, c.col, c.rowspan, c.colspan)
            label = not c.header and c.key is None and not c.group
            self.write(cell, c.text, size, c.header, self.ALIGN.LEFT if label else self.ALIGN.CENTER)
            if c.vertical:
                self.xml.vertical_text(cell)
        widths = [self.Cm(w) for w in _column_widths(table)]
        for width, column in zip(widths, t.columns, strict=True):
            column.width = width  # the grid, which LibreOffice and WPS follow
        for cell, last in placed.cells(grid):
            cell.width = widths[last]  # each cell, which Word follows: a merged cell has its last column's width
        for r, row in enumerate(t.rows):  # no row breaks across pages; the header rows repeat on every page
            self.xml.keep_row(row, header=r < offset + table.header_rows)
        if table.note:
            p = self.doc.add_paragraph()
            p.alignment = self.ALIGN.LEFT
            self.set_font(p.add_run("注：" + table.note.strip("（）")), TABLE_FONT, 9)

    def write(self, cell, text: str, size: float, bold: bool, align) -> None:
        cell.vertical_alignment = self.VALIGN.CENTER
        p = cell.paragraphs[0]
        formats = self.cell_formats.get((size, bold, align))
        if formats is not None:  # the same paragraph and run properties as a cell written before: copied
            self.xml.add_formatted_run(p, text, formats)
            return
        p.alignment = align
        p.paragraph_format.space_before = self.Pt(0)
        p.paragraph_format.space_after = self.Pt(0)
        p.paragraph_format.first_line_indent = self.Pt(0)
        p.paragraph_format.line_spacing = 1.0
        run = p.add_run(text)
        self.set_font(run, TABLE_FONT, size, bold)
        self.cell_formats[(size, bold, align)] = self.xml.formats_of(p, run)


class _Placed:
    """The cells written into a table's grid, each with the last grid column it covers."""

    def __init__(self) -> None:
        self.placed: list[tuple[object, int]] = []
        self.covered: set[tuple[int, int]] = set()

    def add(self, cell, row: int, col: int, rowspan: int, colspan: int):
        self.placed.append((cell, col + colspan - 1))
        self.covered.update((row + i, col + j) for i in range(rowspan) for j in range(colspan))
        return cell

    def cells(self, grid: list) -> list[tuple[object, int]]:
        """The placed cells, then every cell of the grid that none of them covers."""
        rest = [(cell, c) for r, row in enumerate(grid) for c, cell in enumerate(row) if (r, c) not in self.covered]
        return self.placed + rest


TEXT_WIDTH_CM = 15.6  # A4 less GB/T 9704 margins


def _column_widths(table: Table) -> list[float]:
    labels = {0: [], 1: [4.2], 2: [2.4, 3.6], 3: [0.9, 2.0, 4.9]}[table.label_cols]
    if table.label_cols == 1 and table.cols - 1 <= 1:
        labels = [5.6]
    rest = TEXT_WIDTH_CM - sum(labels)
    n = table.cols - table.label_cols
    return labels + [rest / n] * n if n else labels


def _font_fallbacks(data: bytes) -> bytes:
    """Add ``<w:font w:name=…><w:altName w:val=…/>`` entries so Word substitutes sensibly."""
    from ...common.files import rewrite_zip_member

    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="auto"/></w:font>'
        for name, alt in FALLBACKS.items()
    ).encode("utf-8")
    return rewrite_zip_member(
        data, "word/fontTable.xml", lambda xml: xml.replace(b"</w:fonts>", entries + b"</w:fonts>")
    )
