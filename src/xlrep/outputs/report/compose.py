"""Composing the report from an audited workbook: every number from the workbook, totals recomputed.

Tables keep the official layout: they are built from the same layout the template
was written from, merged cells and all. How each section reads is declared by the
edition file (``[report] sections``).
"""

from __future__ import annotations

import re
from datetime import date

from ...auditing.ingest import Audit
from ...common.safetext import one_line
from ...edition.cellvalue import MAX_TEXT
from ...workbook.cellexpr import as_number, format_number
from ...workbook.engine import all_values
from ...workbook.layout import GridRegion, build_layout
from .model import Block, Heading, Paragraph, Report, Table, TableCell, clean_text


def build_report(audit: Audit, *, draft: bool = False) -> Report:
    """The report of an audited workbook; ``draft`` marks it as one (it still has errors)."""
    result = audit.result
    form = result.form
    full = all_values(form, result.values)
    org = one_line(clean_text(result.text("org_name"))) or "（机关名称）"  # a title is one line
    year = result.year or 0
    composer = _Composer(result, full)
    blocks: list[Block] = []
    for sheet in form.sheets:
        if sheet.section:
            blocks.append(Heading(sheet.title, 1))
            blocks.extend(composer.section(sheet))
    published = result.values.get(form.role("publish_date")) if form.role("publish_date") else None
    return Report(
        title=f"{org}{year}年政府信息公开工作年度报告",
        org=org,
        year=year,
        edition=form.edition,
        draft=draft,
        preamble=_preamble(result, org, year),
        blocks=blocks,
        closing_date=_chinese_date(published) if published else "    年  月  日",
        values={k: _json_value(full.get(k)) for k in form.cells if form.cells[k].is_numeric},
        narrative=composer.narrative,
        findings=[f.as_dict() for f in audit.findings],
        source=str(audit.file),
    )


class _Composer:
    """The blocks of each section, by the kind the edition file declares for it."""

    def __init__(self, result, full):
        from ...workbook.drafting import published_drafts

        self.result, self.form, self.full = result, result.form, full
        self.narrative: dict[str, str] = {}
        self.drafts = published_drafts(result)  # an empty （二）依申请公开: its paragraph drafted from the tables

    def text(self, key: str) -> str:
        """A part's text as published: cleaned, and never longer than a cell can hold (a draft of a bad file)."""
        text = clean_text(self.result.values.get(key)) or self.drafts.get(key, "")
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "……"

    def texts_of(self, sheet, filled_only: bool = False):
        parts = [c for c in self.form.narrative_parts if c.sheet == sheet.name]
        for cell in parts:
            if self.text(cell.key) or not filled_only:
                self.narrative[cell.key] = self.text(cell.key)
        return [c for c in parts if self.text(c.key)] if filled_only else parts

    def section(self, sheet) -> list[Block]:
        return getattr(self, sheet.report)(sheet)

    def parts(self, sheet) -> list[Block]:
        """Every part under its own heading; an empty part reads 无。"""
        blocks: list[Block] = []
        for cell in self.texts_of(sheet):
            blocks.append(Heading(cell.label, 2))
            blocks.extend(_paragraphs(self.text(cell.key)) or [Paragraph("无。")])
        return blocks

    def tables(self, sheet) -> list[Block]:
        sl = build_layout(self.form).sheet(sheet.name)
        return [_table(region, sl, self.full, self.result.values, self.form) for region in sl.grids]

    def numbered_parts(self, sheet) -> list[Block]:
        """The filled parts, numbered （一）（二）… when there is more than one; 无。 when none is."""
        parts = self.texts_of(sheet, filled_only=True)
        blocks: list[Block] = []
        for i, cell in enumerate(parts):
            if len(parts) > 1:
                blocks.append(Heading(f"（{'一二三四五六七八九'[i]}）{cell.label}", 2))
            blocks.extend(_paragraphs(self.text(cell.key)))
        return blocks or [Paragraph("无。")]

    def fees_and_parts(self, sheet) -> list[Block]:
        """The 信息处理费 sentence (when the edition has the figures), then the filled parts; 无。 when empty."""
        fees = _fee_sentence(self.form, self.result.values)
        blocks: list[Block] = [Paragraph(fees)] if fees else []
        for cell in self.texts_of(sheet, filled_only=True):
            blocks.extend(_paragraphs(self.text(cell.key)))
        return blocks or [Paragraph("无。")]


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(p.strip()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _preamble(result, org: str, year: int) -> list[str]:
    form = result.form
    first = (
        f"本报告由{org}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定编制。"
        f"报告所列统计期限自{year}年1月1日至{year}年12月31日。"
    )
    url = clean_text(result.text("download_url"))
    if url:
        first += f"本报告电子版可在{url}下载。"
    contact = [
        f"{form.cells[key].label}：{clean_text(result.values.get(key))}"
        for key in form.contact
        if clean_text(result.values.get(key))
    ]
    first += f"如对本报告有疑问，请与{org}联系" + (f"（{'，'.join(contact)}）" if contact else "") + "。"
    return [first]


def _fee_sentence(form, values) -> str:
    """六's 信息处理费 sentence, from the figures that were filled in (a blank figure is not stated)."""
    names = ("fee_notices", "fee_notice_amount", "fee_collected")
    if not all(name in form.figures for name in names):
        return ""
    filled = {}
    for name in names:
        numbers = [as_number(values.get(k)) for k in form.figure_keys(name)]
        if all(n is not None for n in numbers):
            filled[name] = sum(numbers)
    parts = []
    notices = filled.get("fee_notices")
    if notices == 0:
        parts.append("未发出收费通知")
    elif notices is not None:
        amount = filled.get("fee_notice_amount")
        parts.append(
            f"共发出收费通知{format_number(notices)}件"
            + (f"，金额合计{format_number(amount)}元" if amount is not None else "")
        )
    collected = filled.get("fee_collected")
    if collected == 0:
        parts.append("未收取信息处理费")
    elif collected is not None:
        parts.append(f"实际收取信息处理费{format_number(collected)}元")
    return "本年度" + "，".join(parts) + "。" if parts else ""


def _chinese_date(value) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    m = re.match(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", str(value))
    return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日" if m else one_line(clean_text(value))


def _json_value(v):
    n = as_number(v)
    return 0 if n is None else n


def _cell_text(cell, value) -> str:
    n = as_number(value)
    return format_number(0 if n is None else n)


def _table(region: GridRegion, sl, full, values, form) -> Table:
    cells: list[TableCell] = []
    top, left = region.first_row, region.first_col
    note = None
    units = {form.cells[u.cell].column_label: u for u in form.units}
    for item in sl.items:
        if not (region.first_row <= item.row <= region.last_row and left <= item.col <= region.last_col):
            continue
        r, c = item.row - top, item.col - left
        rowspan = (item.last_row if item.last_row is not None else item.row) - item.row + 1
        colspan = (item.last_col if item.last_col is not None else item.col) - item.col + 1
        if item.kind in ("input", "total"):
            cells.append(TableCell(r, c, _cell_text(form.cells[item.key], full.get(item.key)), key=item.key))
        elif item.kind in ("header", "corner", "row_label", "group_label", "group_label_v"):
            text = item.text or ""
            unit = units.get(item.text)
            if unit and values.get(unit.unit):
                # the format names no unit: keep the official label and state the unit beside the table
                note = f"{item.text}单位：{values[unit.unit]}。"
            cells.append(
                TableCell(
                    r,
                    c,
                    text,
                    rowspan,
                    colspan,
                    header=item.kind in ("header", "corner"),
                    vertical=item.kind == "group_label_v",
                    group=item.kind in ("group_label", "group_label_v"),
                )
            )
            if item.kind == "corner" and region.label_cols > 1:
                note = text
    return Table(
        table=region.grid.table,
        caption=region.grid.caption,
        rows=region.last_row - top + 1,
        cols=region.last_col - left + 1,
        header_rows=region.header_rows,
        label_cols=region.label_cols,
        cells=sorted(cells, key=lambda c: (c.row, c.col)),
        note=note,
    )
