"""The final report, composed from a read workbook: one model, rendered as text, Markdown, HTML and JSON.

Every number comes from the workbook (totals recomputed); nothing is retyped.
Tables keep the official layout: they are built from the same layout the
template was written from, merged cells and all. Word output is in ``report_docx``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date

from .engine import all_values, as_number, format_number
from .ingest import Audit
from .layout import GridRegion, display_width

DRAFT = "草稿"


@dataclass(frozen=True)
class TableCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    vertical: bool = False  # a group label written top to bottom
    key: str | None = None  # form key of a value cell
    group: bool = False  # a group label (（三）不予公开 …), centred; row labels are left-aligned


@dataclass
class Table:
    table: str  # t2 / t3 / t4
    caption: str | None
    rows: int
    cols: int
    header_rows: int
    label_cols: int
    cells: list[TableCell]
    note: str | None = None

    def values(self) -> dict[str, str]:
        return {c.key: c.text for c in self.cells if c.key}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: 一、…  2: （一）…


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Heading | Paragraph | Table


@dataclass
class Report:
    title: str
    org: str
    year: int
    edition: str
    draft: bool
    preamble: list[str]
    blocks: list[Block]
    closing_date: str
    values: dict[str, object] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    source: str = ""

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


# -- composing --------------------------------------------------------------------


def build_report(audit: Audit, *, draft: bool = False) -> Report:
    result = audit.result
    layout = result.layout
    form = layout.form
    full = all_values(form, result.values)
    text = lambda key: clean_text(result.values.get(key))  # noqa: E731
    org = text("info.org_name") or "（机关名称）"
    year = result.year or 0
    blocks: list[Block] = []
    narrative: dict[str, str] = {}
    for sheet in form.sheets:
        if not sheet.section:
            continue
        blocks.append(Heading(sheet.title, 1))
        sl = layout.sheet(sheet.name)
        if sheet.section == "一":
            drafted = _drafted(form, result)
            for cell in _texts(form, sheet.name):
                body = text(cell.key) or drafted.get(cell.key, "")
                blocks.append(Heading(cell.label, 2))
                blocks.extend(_paragraphs(body) or [Paragraph("无。")])
                narrative[cell.key] = body
        elif sheet.section in ("二", "三", "四"):
            for region in sl.grids:
                blocks.append(_table(region, sl, full, result.values, form))
        elif sheet.section == "五":
            parts = [c for c in _texts(form, sheet.name) if text(c.key)]
            numbered = len(parts) > 1
            for i, cell in enumerate(parts):
                if numbered:
                    blocks.append(Heading(f"（{'一二三四五六'[i]}）{cell.label}", 2))
                blocks.extend(_paragraphs(text(cell.key)))
                narrative[cell.key] = text(cell.key)
            if not parts:
                blocks.append(Paragraph("无。"))
        elif sheet.section == "六":
            body: list[Paragraph] = []
            fees = _fee_sentence(form, result.values, full)
            if fees:
                body.append(Paragraph(fees))
            for cell in _texts(form, sheet.name):
                if text(cell.key):
                    body.extend(_paragraphs(text(cell.key)))
                    narrative[cell.key] = text(cell.key)
            blocks.extend(body or [Paragraph("无。")])
    published = result.values.get("info.publish_date")
    closing = _chinese_date(published) if published else "    年  月  日"
    return Report(
        title=f"{org}{year}年政府信息公开工作年度报告",
        org=org,
        year=year,
        edition=form.edition,
        draft=draft,
        preamble=_preamble(org, year, text),
        blocks=blocks,
        closing_date=closing,
        values={k: _json_value(full.get(k)) for k in form.cells if form.cells[k].is_numeric},
        narrative=narrative,
        findings=[f.as_dict() for f in audit.findings],
        source=str(audit.file),
    )


def _drafted(form, result) -> dict[str, str]:
    """The drafted paragraph of each part that an empty part is published as (（二）依申请公开)."""
    from .drafting import FILLS_EMPTY, draft_texts

    texts = draft_texts(form, result.values)
    return {key: texts["draft." + key] for key in FILLS_EMPTY if key in form.cells}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Typed text as it can be published: control characters (invalid in Word and XML) removed, CRLF as LF."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


def _texts(form, sheet_name):
    return [c for c in form.cells.values() if c.sheet == sheet_name and c.kind == "longtext"]


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(p.strip()) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _preamble(org: str, year: int, text) -> list[str]:
    first = (
        f"本报告由{org}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定编制。"
        f"报告所列统计期限自{year}年1月1日至{year}年12月31日。"
    )
    if text("info.download_url"):
        first += f"本报告电子版可在{text('info.download_url')}下载。"
    contact = [
        f"{label}：{text(key)}"
        for key, label in (
            ("info.address", "地址"),
            ("info.postcode", "邮编"),
            ("info.phone", "电话"),
            ("info.email", "电子邮箱"),
        )
        if text(key)
    ]
    first += f"如对本报告有疑问，请与{org}联系" + (f"（{'，'.join(contact)}）" if contact else "") + "。"
    return [first]


def _fee_sentence(form, values, full) -> str:
    """六's 信息处理费 sentence, from the figures that were filled in (a blank figure is not stated)."""
    keys = ("s6.fee_notices", "s6.fee_notice_amount", "s6.fee_collected")
    if not all(k in form.cells for k in keys):
        return ""
    filled = {k: as_number(values.get(k)) for k in keys if as_number(values.get(k)) is not None}
    if not filled:
        return ""
    parts = []
    notices = filled.get("s6.fee_notices")
    if notices == 0:
        parts.append("未发出收费通知")
    elif notices is not None:
        amount = filled.get("s6.fee_notice_amount")
        parts.append(
            f"共发出收费通知{format_number(notices)}件"
            + (f"，金额合计{format_number(amount)}元" if amount is not None else "")
        )
    collected = filled.get("s6.fee_collected")
    if collected == 0:
        parts.append("未收取信息处理费")
    elif collected is not None:
        parts.append(f"实际收取信息处理费{format_number(collected)}元")
    return "本年度" + "，".join(parts) + "。" if parts else ""


def _chinese_date(value) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    m = re.match(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", str(value))
    return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日" if m else str(value)


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
            if text == "采购总金额" and values.get("t2.procurement.amount_unit"):
                # the format names no unit: keep the official label and state the unit beside the table
                note = f"采购总金额单位：{values['t2.procurement.amount_unit']}。"
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


# -- text ------------------------------------------------------------------------

TEXT_WIDTH = 72  # display columns for wrapped paragraphs


def _pad(text: str, width: int, align: str = "left") -> str:
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


NO_LINE_START = set("，。、；：？！）」』”’》〉】．,.;:?!)%")
NO_LINE_END = set("（「『“‘《〈【(")


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,@:/_%+\-]*|.", re.S)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap by display width: numbers and Latin words stay whole, Chinese punctuation keeps off the wrong end of a line (禁则)."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if display_width(token) > width:  # a very long word (a URL): break it anywhere
            tokens.extend(token)
        else:
            tokens.append(token)
    lines, line = [], ""
    for token in tokens:
        if line and display_width(line + token) > width and token[0] not in NO_LINE_START:
            carry = ""
            while line and line[-1] in NO_LINE_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line)
            line = carry
        line += token
    if line or not lines:
        lines.append(line)
    return lines


def table_as_text(table: Table) -> str:
    """An aligned grid (display-width aware) for a terminal or a plain-text box.

    The label columns fold into one, indented by level, with group labels
    (（三）不予公开 …) on a line of their own; header spans are centred over
    their columns.
    """
    by_pos = {(c.row, c.col): c for c in table.cells}
    lc, nv = table.label_cols, table.cols - table.label_cols
    body: list[tuple[str, list[str] | None]] = []
    for r in range(table.header_rows, table.rows):
        own = ""
        for c in range(lc):
            cell = by_pos.get((r, c))
            if cell is None:
                continue
            if c + cell.colspan < lc:  # a group label: its own line
                body.append(("  " * c + cell.text, None))
            else:
                own = "  " * c + cell.text
        values = [by_pos[(r, lc + j)].text if (r, lc + j) in by_pos else "" for j in range(nv)]
        body.append((own, values))
    corner = by_pos.get((0, 0)).text if lc and (0, 0) in by_pos and table.header_rows == 1 else ""
    label_width = min(40, max([display_width(label) for label, _ in body] + [display_width(corner)])) if lc else 0

    widths = [4] * nv
    for _, values in body:
        for j, v in enumerate(values or []):
            widths[j] = max(widths[j], display_width(v))
    headers = [c for c in table.cells if c.row < table.header_rows and c.col >= lc]
    for cell in headers:
        if cell.colspan == 1:
            widths[cell.col - lc] = max(widths[cell.col - lc], display_width(cell.text))
    for cell in headers:
        j, span = cell.col - lc, cell.colspan
        room = sum(widths[j : j + span]) + 3 * (span - 1)
        if display_width(cell.text) > room:
            widths[j + span - 1] += display_width(cell.text) - room

    def line(label: str, cols: list[tuple[str, int, str]]) -> str:
        left = ("│ " + _pad(label, label_width) + " ") if lc else ""
        return left + "│ " + " │ ".join(_pad(t, w, a) for t, w, a in cols) + " │"

    def border(l: str, m: str, r: str) -> str:
        left = (l + "─" * (label_width + 2)) if lc else ""
        return left + (m if lc else l) + m.join("─" * (w + 2) for w in widths) + r

    out = [table.caption] if table.caption else []
    out.append(border("┌", "┬", "┐"))
    for r in range(table.header_rows):
        cols, j = [], 0
        while j < nv:
            cell = by_pos.get((r, lc + j))
            if cell is None:  # covered by a label merged down from above
                cols.append(("", widths[j], "center"))
                j += 1
                continue
            span = cell.colspan
            cols.append((cell.text, sum(widths[j : j + span]) + 3 * (span - 1), "center"))
            j += span
        out.append(line(corner if r == 0 else "", cols))
    out.append(border("├", "┼", "┤"))
    for label, values in body:
        indent = " " * (len(label) - len(label.lstrip(" ")))
        room = label_width - len(indent)  # a label that fits stays whole; a longer one wraps, continued 2 further in
        text = label.lstrip(" ")
        lines = ([text] if display_width(text) <= room else _wrap(text, room - 2)) if lc else [""]
        row_values = values if values is not None else [""] * nv
        out.append(line(indent + lines[0], [(v, w, "right") for v, w in zip(row_values, widths)]))
        for extra in lines[1:]:
            out.append(line(indent + "  " + extra, [("", w, "right") for w in widths]))
    out.append(border("└", "┴", "┘"))
    if table.note:
        out.append(f"注：{table.note.strip('（）')}")
    return "\n".join(out)


def render_text(report: Report) -> str:
    out = []
    if report.draft:
        out.append(_pad(f"【{DRAFT}：报告中仍有错误，仅供核对，不得发布】", TEXT_WIDTH, "center").rstrip())
        out.append("")
    out.append(_pad(report.title, TEXT_WIDTH, "center").rstrip())
    out.append("")
    for p in report.preamble:
        out.extend(_indent_wrap(p))
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append("")
            out.append(block.text if block.level == 1 else "  " + block.text)
        elif isinstance(block, Paragraph):
            out.extend(_indent_wrap(block.text))
        else:
            out.append("")
            out.append(table_as_text(block))
    out.append("")
    out.append(_pad(report.org, TEXT_WIDTH, "right"))
    out.append(_pad(report.closing_date, TEXT_WIDTH, "right"))
    return "\n".join(out) + "\n"


def _indent_wrap(text: str) -> list[str]:
    return _wrap("　　" + text, TEXT_WIDTH)


# -- HTML and Markdown --------------------------------------------------------------

CSS = """
body{font-family:"FangSong","仿宋","仿宋_GB2312","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.75;
max-width:46em;margin:2em auto;padding:0 1em;color:#000}
h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","宋体","Noto Serif CJK SC",serif;font-size:22pt;
text-align:center;font-weight:normal;margin:1em 0}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;margin:.8em 0 .2em;text-indent:2em}
h3{font-family:"KaiTi","楷体","楷体_GB2312","STKaiti",serif;font-size:16pt;font-weight:normal;margin:.4em 0 .1em;text-indent:2em}
p{text-indent:2em;margin:.2em 0}
table{border-collapse:collapse;margin:.6em auto;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;font-size:10.5pt;line-height:1.4}
td,th{border:1px solid #000;padding:2px 6px;text-align:center;vertical-align:middle}
th{font-weight:normal}
td.num{text-align:center}
td.label{text-align:left}
.vertical{writing-mode:vertical-rl;letter-spacing:.2em}
caption{font-weight:bold;padding:.2em}
.closing{text-align:right;margin-top:2em}
.closing p{text-indent:0}
.draft{color:#c00;border:2px solid #c00;text-align:center;font-weight:bold;padding:.3em;text-indent:0}
.note{font-size:10.5pt;text-indent:0;text-align:center}
"""


def table_as_html(table: Table) -> str:
    rows: list[list[str]] = [[] for _ in range(table.rows)]
    for cell in table.cells:
        attrs = ""
        if cell.rowspan > 1:
            attrs += f' rowspan="{cell.rowspan}"'
        if cell.colspan > 1:
            attrs += f' colspan="{cell.colspan}"'
        tag = "th" if cell.header else "td"
        classes = []
        if cell.key:
            classes.append("num")
            attrs += f' data-key="{cell.key}"'
        elif cell.group:
            classes.append("group")
        elif not cell.header:
            classes.append("label")
        if cell.vertical:
            classes.append("vertical")
        if classes:
            attrs += f' class="{" ".join(classes)}"'
        rows[cell.row].append(f"<{tag}{attrs}>{html.escape(cell.text)}</{tag}>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table data-table="{table.table}">{caption}\n{body}\n</table>'


def _html_body(report: Report) -> str:
    out = []
    if report.draft:
        out.append(f'<p class="draft">{DRAFT}：报告中仍有错误，仅供核对，不得发布</p>')
    out.append(f"<h1>{html.escape(report.title)}</h1>")
    out.extend(f"<p>{html.escape(p)}</p>" for p in report.preamble)
    for block in report.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            out.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{html.escape(block.text)}</p>")
        else:
            out.append(table_as_html(block))
    out.append(f'<div class="closing"><p>{html.escape(report.org)}</p><p>{html.escape(report.closing_date)}</p></div>')
    return "\n".join(out)


def render_html(report: Report) -> str:
    title = (f"【{DRAFT}】" if report.draft else "") + report.title
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{_html_body(report)}\n</body>\n</html>\n"
    )


def render_markdown(report: Report) -> str:
    out = []
    if report.draft:
        out.append(f"> **{DRAFT}**：报告中仍有错误，仅供核对，不得发布。\n")
    out.append(f"# {report.title}\n")
    out.extend(f"{p}\n" for p in report.preamble)
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append(("## " if block.level == 1 else "### ") + block.text + "\n")
        elif isinstance(block, Paragraph):
            out.append(block.text + "\n")
        else:
            out.append(table_as_html(block) + "\n")
    out.append(f'<p align="right">{html.escape(report.org)}<br>{html.escape(report.closing_date)}</p>\n')
    return "\n".join(out)


def render_json(report: Report) -> str:
    data = {
        "title": report.title,
        "draft": report.draft,
        "org": report.org,
        "year": report.year,
        "edition": report.edition,
        "source": report.source,
        "preamble": report.preamble,
        "values": report.values,
        "narrative": report.narrative,
        "sections": [
            {"heading": b.text, "level": b.level}
            if isinstance(b, Heading)
            else {"paragraph": b.text}
            if isinstance(b, Paragraph)
            else {"table": b.table, "caption": b.caption, "cells": b.values()}
            for b in report.blocks
        ],
        "closing": {"org": report.org, "date": report.closing_date},
        "findings": report.findings,
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def render(report: Report, suffix: str) -> bytes:
    suffix = suffix.lower()
    if suffix == ".docx":
        from .report_docx import render_docx

        return render_docx(report)
    renderers = {
        ".txt": render_text,
        ".md": render_markdown,
        ".html": render_html,
        ".htm": render_html,
        ".json": render_json,
    }
    return renderers[suffix](report).encode("utf-8")


FORMATS = (".txt", ".md", ".html", ".htm", ".docx", ".json")
