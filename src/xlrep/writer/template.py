"""Form + layout → the locked fill-in workbook (.xlsx), written with XlsxWriter.

Every computed cell's formula (``formulas``) is written together with its correct cached
result (``engine``, from the same description), so programs that do not recalculate on
load still show the truth.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, datetime

from .. import __version__
from ..checks.rules import filling_rules
from ..common.files import rewrite_zip_member
from ..common.findings import SEVERITY_NAMES
from ..edition.form import Cell, Form, form_for_year
from ..workbook.cellexpr import ALL_PASSED, PASS, cell_ref, quote_sheet
from ..workbook.engine import computed_values
from ..workbook.formulas import TEMPLATE_VERSION, formulas_by_key, template_identity
from ..workbook.layout import CHECKS_SHEET, INSTRUCTIONS_SHEET, META_SHEET, Layout, build_layout

# Colours: the legend on 填报说明 shows these same fills.
INPUT_FILL = "#FFF2CC"  # pale yellow: type here
TOTAL_FILL = "#E7E6E6"  # grey: calculated
HEADER_FILL = "#DDEBF7"
ERROR_FILL = "#FFC7CE"
ERROR_TEXT = "#9C0006"
PASS_FILL = "#C6EFCE"
PASS_TEXT = "#006100"
PREFILLED_FILL = "#E4DFEC"  # pale lavender: carried over from last year's workbook, check it

BODY_FONT = "宋体"  # SimSun; Excel substitutes another GB2312 font through the charset when missing
HEADING_FONT = "黑体"  # SimHei
GB2312_CHARSET = 134

MAX_NUMBER = 999_999_999


class _Formats:
    def __init__(self, wb):
        base = {"font_name": BODY_FONT, "font_size": 11, "font_charset": GB2312_CHARSET, "valign": "vcenter"}
        border = {"border": 1, "border_color": "#808080"}

        def fmt(**kw):
            return wb.add_format({**base, **kw})

        self.title = fmt(font_name=HEADING_FONT, font_size=16, bold=True, align="center")
        self.big_title = fmt(font_name=HEADING_FONT, font_size=18, bold=True, align="center")
        self.note = fmt(text_wrap=True, font_color="#595959", font_size=10, valign="top")
        self.heading = fmt(font_name=HEADING_FONT, bold=True, font_size=12)
        self.caption = fmt(bold=True, align="center", **border)
        self.header = fmt(bold=True, align="center", text_wrap=True, bg_color=HEADER_FILL, **border)
        self.corner = fmt(align="center", text_wrap=True, font_size=10, bg_color=HEADER_FILL, **border)
        self.row_label = fmt(text_wrap=True, **border)
        self.check_label = fmt(bold=True, text_wrap=True, bg_color=TOTAL_FILL, **border)
        self.group_label = fmt(text_wrap=True, align="center", **border)
        self.group_label_v = fmt(align="center", rotation=270, **border)
        self.field_label = fmt(bold=True, text_wrap=True, valign="top", **border)
        self.hint = fmt(text_wrap=True, font_color="#595959", font_size=10, valign="top")
        self.cell = fmt(text_wrap=True, **border)
        common_input = {"bg_color": INPUT_FILL, "locked": False, **border}
        self.input = {
            "count": fmt(num_format="0", align="center", **common_input),
            "signed": fmt(num_format="0", align="center", **common_input),
            "amount": fmt(num_format="General", align="center", **common_input),
            "text": fmt(text_wrap=True, **common_input),
            "choice": fmt(**common_input),
            "date": fmt(num_format="yyyy-mm-dd", align="left", **common_input),
        }
        self.text_input = fmt(text_wrap=True, valign="top", **common_input)
        self.locked_input = fmt(bold=True, bg_color=TOTAL_FILL, align="left", num_format="0", **border)
        self.total = fmt(bold=True, align="center", num_format="General", bg_color=TOTAL_FILL, **border)
        self.check = fmt(align="center", font_color=PASS_TEXT, **border)
        self.status = fmt(align="center", bold=True, font_size=14, font_color=PASS_TEXT, bg_color=PASS_FILL, **border)
        self.fail = wb.add_format({"bg_color": ERROR_FILL, "font_color": ERROR_TEXT})
        self.legend = {
            "input": fmt(bg_color=INPUT_FILL, **border),
            "total": fmt(bg_color=TOTAL_FILL, **border),
            "fail": fmt(bg_color=ERROR_FILL, font_color=ERROR_TEXT, **border),
            "pass": fmt(bg_color=PASS_FILL, font_color=PASS_TEXT, **border),
        }
        prefill = {"bg_color": PREFILLED_FILL, "locked": False, **border}
        self.prefilled = {
            "count": fmt(num_format="0", align="center", **prefill),
            "signed": fmt(num_format="0", align="center", **prefill),
            "amount": fmt(num_format="General", align="center", **prefill),
            "text": fmt(text_wrap=True, **prefill),
            "choice": fmt(**prefill),
            "date": fmt(num_format="yyyy-mm-dd", align="left", **prefill),
        }
        self.prefilled_text = fmt(text_wrap=True, valign="top", **prefill)
        self.reference = fmt(align="center", italic=True, font_color="#595959", bg_color="#F2F2F2", **border)
        self.reference_header = fmt(
            align="center", text_wrap=True, italic=True, font_color="#595959", bg_color="#F2F2F2", **border
        )
        self.legend["prefilled"] = fmt(bg_color=PREFILLED_FILL, **border)
        self.plain = fmt(text_wrap=True, valign="top")
        self.bold = fmt(bold=True, valign="top")
        self.draft_label = fmt(text_wrap=True, valign="top", font_color="#595959", **border)
        self.draft = fmt(text_wrap=True, valign="top", bg_color=TOTAL_FILL, **border)
        self.draft_hint = fmt(text_wrap=True, font_color="#595959", font_size=10, valign="top")


def _validation(cell: Cell) -> dict | None:
    title = cell.label if len(cell.label) <= 32 else cell.label[:31] + "…"
    if cell.kind == "count":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": MAX_NUMBER,
            "input_title": "填写件数（整数）",
            "input_message": _clip(f"{cell.label}\n填 0 或正整数，没有请填 0。"),
            "error_title": "只能填整数",
            "error_message": "这里只能填 0 或正整数（件数），不要带单位、文字或小数。没有请填 0。",
        }
    if cell.kind == "signed":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": -MAX_NUMBER,
            "maximum": MAX_NUMBER,
            "input_title": "填写增减数（整数）",
            "input_message": _clip(f"{cell.label}\n填整数，减少填负数（如 -2），没有变化填 0。"),
            "error_title": "只能填整数",
            "error_message": "这里只能填整数（减少填负数），不要带单位或文字。没有变化请填 0。",
        }
    if cell.kind == "amount":
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 1e12,
            "input_title": "填写金额",
            "input_message": _clip(f"{cell.label}\n填 0 或正数，可有小数，不要带单位。"),
            "error_title": "只能填数字",
            "error_message": "这里只能填 0 或正数（金额，可有小数），不要带单位或文字。没有请填 0。",
        }
    if cell.kind == "choice":
        return {
            "validate": "list",
            "source": list(cell.choices),
            "input_title": title,
            "input_message": _clip(cell.hint or "从下拉列表中选择。"),
            "error_title": "请从列表中选择",
            "error_message": "请从下拉列表中选择：" + "、".join(cell.choices),
        }
    if cell.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": datetime(2019, 1, 1),
            "maximum": datetime(2100, 12, 31),
            "input_title": title,
            "input_message": _clip(cell.hint),
            "error_title": "日期无效",
            "error_message": "请填写日期，如 2022-01-20。",
        }
    if cell.hint:
        return {"validate": "any", "input_title": title, "input_message": _clip(cell.hint)}
    return None


def _clip(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_value(ws, row: int, col: int, value: object, fmt) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(
            row, col, value if isinstance(value, datetime) else datetime(value.year, value.month, value.day), fmt
        )
    else:
        ws.write_string(row, col, str(value), fmt)


def build_template(
    year: int,
    form: Form | None = None,
    *,
    values: Mapping[str, object] | None = None,
    password: str | None = None,
    extra_sheets: list[tuple] | None = None,
    properties: Mapping[str, str] | None = None,
    prefilled: Mapping[str, str] | None = None,
    references: Mapping[str, object] | None = None,
    comments: Mapping[str, str] | None = None,
) -> bytes:
    """The fill-in workbook of ``form`` (default: the edition in force for ``year``) as .xlsx bytes.

    ``values`` pre-fills input cells by key (e.g. 机关名称). ``prefilled`` marks some of
    them as carried over (key → a note shown as the cell's comment), and
    ``references`` shows last year's figure beside an input (key → value).
    ``extra_sheets`` adds read-only sheets (name, header, rows[, hidden]) after 校验;
    ``properties`` adds identity (document properties and the hidden sheet: ``xlrep.round``/``xlrep.unit`` when the
    site issues the workbook to a unit of a round); ``comments`` adds a cell comment (key → text,
    author "xlrep") to any cell of the form without changing its colour.
    """
    import xlsxwriter

    form = form or form_for_year(year)
    layout = build_layout(form)
    values = _with_defaults(form, year, values)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "default_format_properties": {"font_name": BODY_FONT, "font_size": 11}}
    )
    # what identifies the workbook (the edition, and where the site issued it: its round and unit) is kept twice,
    # as document properties and on the very hidden sheet, so a program that drops one still leaves the other
    identity = {**template_identity(form, year), **{k: str(v) for k, v in (properties or {}).items()}}
    _set_properties(wb, form, year, identity)
    f = _Formats(wb)
    protect = {"password": password or "", "options": PROTECT_OPTIONS}

    instructions = wb.add_worksheet(INSTRUCTIONS_SHEET)
    _write_instructions(instructions, f, form, layout, year)
    instructions.protect(**protect)
    computed = _Computed(formulas_by_key(form), computed_values(form, values))
    for sl in layout.sheets:
        _write_sheet(wb.add_worksheet(sl.name), wb, f, layout, sl, values, computed)
        wb.get_worksheet_by_name(sl.name).protect(**protect)
    _freeze_headers(wb, layout)
    if prefilled:
        _mark_prefilled(wb, f, layout, values, prefilled)
    if references:
        _write_references(wb, f, layout, references)
    _write_comments(wb, layout, comments)
    for name, header, rows, *hidden in extra_sheets or []:  # (name, header, rows[, hidden])
        _write_extra_sheet(wb.add_worksheet(name), f, header, rows)
        wb.get_worksheet_by_name(name).protect(**protect)
        if hidden and hidden[0]:
            wb.get_worksheet_by_name(name).hide()
    for cell in form.cells.values():
        s, r, c = layout.addresses[cell.key]
        wb.define_name(cell.defined_name, f"={quote_sheet(s)}!{cell_ref(r, c, absolute=True)}")
    meta = wb.add_worksheet(META_SHEET)
    meta.write_row(0, 0, ["key", "value"])
    for i, (name, value) in enumerate(identity.items(), start=1):
        meta.write_string(i, 0, name)
        meta.write_string(i, 1, value)
    meta.protect(**protect)
    meta.very_hidden()
    wb.worksheets()[1].activate()
    wb.close()
    return _lock_structure(buffer.getvalue(), password)


#: Layout item kinds of computed cells: their format, and what they show when all is well (None: no colour).
_COMPUTED_KINDS = {
    "total": ("total", None),
    "draft": ("draft", None),  # the 参考表述 cell
    "check": ("check", PASS),
    "live": ("check", PASS),
    "status": ("status", ALL_PASSED),
}

PROTECT_OPTIONS = {
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def _with_defaults(form: Form, year: int, values: Mapping[str, object] | None) -> dict[str, object]:
    """The values to write: the report year, then each input's default where nothing was given."""
    out = dict(values or {})
    if form.role("report_year"):
        out[form.role("report_year")] = year
    for cell in form.inputs:
        if cell.default is not None and out.get(cell.key) is None:
            out[cell.key] = cell.default
    return out


def _set_properties(wb, form: Form, year: int, custom: Mapping[str, str]) -> None:
    wb.set_properties(
        {
            "title": f"{year}年政府信息公开工作年度报告填报表",
            "subject": f"政府信息公开工作年度报告（{form.name}，{form.issued_as}）",
            "author": "xlrep",
            "comments": f"由 xlrep {__version__} 生成；用 xlrep ingest 读取和校验。",
            "created": datetime(min(year, date.today().year), 1, 1),
        }
    )
    for name, value in custom.items():
        wb.set_custom_property(name, value)


class _Computed:
    """The computed cells to write: formula and cached result, by id."""

    def __init__(self, formulas: dict[str, str], shown: dict[str, object]) -> None:
        self.formulas, self.shown = formulas, shown


def _write_sheet(ws, wb, f: _Formats, layout: Layout, sl, values, computed: _Computed) -> None:
    """One sheet of the form: sizes, every item, the validations, and the print set-up."""
    form = layout.form
    for col, width in sl.widths.items():
        ws.set_column(col, col, width)
    for row, height in sl.heights.items():
        ws.set_row(row, height)
    for item in sl.items:
        _write_item(ws, wb, f, layout, item, values, computed)
    for cell in form.cells.values():
        dv = _validation(cell) if cell.sheet == sl.name and cell.is_input else None
        if dv:
            _, r, c = layout.addresses[cell.key]
            ws.data_validation(r, c, r, c, dv)
    ws.set_paper(9)  # A4
    ws.set_landscape() if sl.landscape else ws.set_portrait()
    # Tables print on one page, as in the official format; long narrative may run on.
    has_grid = any(item.kind == "input" and form.cells[item.key].table for item in sl.items)
    ws.fit_to_pages(1, 1 if has_grid or sl.name == CHECKS_SHEET else 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, sl.last_row, sl.last_col)
    if sl.repeat_rows:
        ws.repeat_rows(*sl.repeat_rows)


def _write_extra_sheet(ws, f: _Formats, header: list[str], rows: list[list[object]]) -> None:
    """A read-only table after 校验 (the 汇总明细 of a merge); text is always written as text."""
    ws.write_row(0, 0, header, f.header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            _write_value(ws, r, c, value, f.cell)
    for c, title in enumerate(header):
        widest = max([len(str(title))] + [len(str(row[c])) for row in rows if c < len(row)])
        ws.set_column(c, c, min(60, max(8, widest * 2 + 2)))
    ws.freeze_panes(1, 2)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 0)


def _write_item(ws, wb, f: _Formats, layout: Layout, item, values, computed: _Computed) -> None:
    kind = item.kind
    form = layout.form
    if kind in ("input", "text_input", "locked_input"):
        cell = form.cells[item.key]
        if kind == "text_input":
            fmt = f.text_input
        elif kind == "locked_input":
            fmt = f.locked_input
        else:
            fmt = f.input[cell.kind if cell.kind in f.input else "text"]
        _write_value(ws, item.row, item.col, values.get(item.key), fmt)
        return
    if kind in _COMPUTED_KINDS:  # a formula, with what Python computes from the same description as its value
        fmt, passed = _COMPUTED_KINDS[kind]
        if item.merged:
            ws.merge_range(item.row, item.col, item.last_row, item.last_col, "", getattr(f, fmt))
        formula, shown = computed.formulas[item.key], computed.shown[item.key]
        ws.write_formula(item.row, item.col, formula, getattr(f, fmt), shown)
        if passed:  # red unless it shows that all is well
            ws.conditional_format(
                item.row,
                item.col,
                item.last_row if item.last_row is not None else item.row,
                item.last_col if item.last_col is not None else item.col,
                {"type": "formula", "criteria": f'={cell_ref(item.row, item.col)}<>"{passed}"', "format": f.fail},
            )
        return
    fmt = getattr(f, kind)
    if item.merged:
        ws.merge_range(item.row, item.col, item.last_row, item.last_col, item.text or "", fmt)
    else:
        ws.write_string(item.row, item.col, item.text or "", fmt) if item.text else ws.write_blank(
            item.row, item.col, None, fmt
        )


def _mark_prefilled(wb, f: _Formats, layout: Layout, values, prefilled: Mapping[str, str]) -> None:
    """Carried-over inputs: tinted blue and commented, still open for the clerk to correct."""
    form = layout.form
    for key, note in prefilled.items():
        sheet, row, col = layout.addresses[key]
        ws = wb.get_worksheet_by_name(sheet)
        cell = form.cells[key]
        fmt = f.prefilled_text if cell.kind in ("longtext",) else f.prefilled.get(cell.kind, f.prefilled["text"])
        _write_value(ws, row, col, values.get(key), fmt)
        ws.write_comment(row, col, note, {"author": "xlrep", "x_scale": 2, "y_scale": 1.2})


def _write_comments(wb, layout: Layout, comments: Mapping[str, str] | None) -> None:
    """A comment on a cell of the form (key → text), its fill unchanged (used by ``xlrep import`` for its doubts)."""
    for key, note in (comments or {}).items():
        sheet, row, col = layout.addresses[key]
        wb.get_worksheet_by_name(sheet).write_comment(row, col, note, {"author": "xlrep", "x_scale": 2, "y_scale": 1.6})


def _write_references(wb, f: _Formats, layout: Layout, references: Mapping[str, object]) -> None:
    """Last year's figures in a column right of their table, for reference only (locked, not read back)."""
    form = layout.form
    for sl in layout.sheets:
        ws = None
        for region in sl.grids:
            keys = [
                k
                for k in references
                if k in form.cells
                and form.cells[k].table == region.grid.table
                and region.first_row <= layout.addresses[k][1] <= region.last_row
                and layout.addresses[k][0] == sl.name
            ]
            columns: list[str] = []
            for key in keys:
                column = key.rsplit(".", 1)[-1]
                if column not in columns:
                    columns.append(column)
            for i, column in enumerate(columns):
                ws = ws or wb.get_worksheet_by_name(sl.name)
                col = region.last_col + 1 + i
                ws.print_area(0, 0, sl.last_row, max(sl.last_col, col))
                label = next(c.label for c in region.grid.columns if c.key == column)
                header_row = region.first_row + region.header_rows - 1
                ws.write_string(header_row, col, f"上年{label}（参考）", f.reference_header)
                ws.set_column(col, col, 16)
                for key in keys:
                    if key.rsplit(".", 1)[-1] == column:
                        _write_value(ws, layout.addresses[key][1], col, references[key], f.reference)


def _freeze_headers(wb, layout: Layout) -> None:
    """Keep the header and row labels of the wide tables in view while scrolling."""
    for sl in layout.sheets:
        if sl.repeat_rows and sl.name != CHECKS_SHEET:
            ws = wb.get_worksheet_by_name(sl.name)
            first_value_col = min((i.col for i in sl.items if i.kind in ("input", "total")), default=0)
            ws.freeze_panes(sl.repeat_rows[1] + 1, first_value_col)


def _write_instructions(ws, f: _Formats, form: Form, layout: Layout, year: int) -> None:
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 84)
    ws.merge_range(0, 0, 0, 2, f"{year}年政府信息公开工作年度报告 填报表", f.big_title)
    ws.set_row(0, 36)
    info = [
        ("格式版本", f"{form.name}（{form.issued_as}）"),
        ("报告年度", f"{year}年（统计期限：{year}年1月1日至{year}年12月31日）"),
        ("模板版本", f"{TEMPLATE_VERSION}（xlrep {__version__} 生成，表样指纹 {form.fingerprint}）"),
    ]
    r = 2
    for label, text in info:
        ws.write_string(r, 1, label, f.bold)
        ws.write_string(r, 2, text, f.plain)
        r += 1
    r += 1
    ws.write_string(r, 1, "填报步骤", f.heading)
    r += 1
    steps = [
        "在“基本信息”页填写机关名称、机关类型和联系方式。",
        "逐页填写黄色单元格：一、五、六 写文字（每部分写成完整的段落），二、三、四 填数字。",
        "没有的数字填 0，不要留空；只填阿拉伯数字，不要写“件”“元”等单位，不要填“无”“-”“/”。",
        "灰色单元格是公式，会自动计算，不能修改；表头、标签和工作表名称也不要改动。",
        "填完后查看“校验”页：“总体状态”显示“全部通过”后再提交；“✘”所在行说明了错在哪里。",
        "用 Excel 或 WPS 直接保存（保持 .xlsx 格式，不要另存为 .xls 或 .et），交给 xlrep ingest 校验并生成报告。",
        "单元格中换行：Excel 按 Alt+Enter，WPS 按 Alt+Enter；文字较长时可拖动行高查看。",
    ]
    for i, step in enumerate(steps, start=1):
        ws.write_string(r, 1, f"第{i}步", f.bold)
        ws.write_string(r, 2, step, f.plain)
        ws.set_row(r, 20 if len(step) < 44 else 34)
        r += 1
    r += 1
    ws.write_string(r, 1, "颜色说明", f.heading)
    r += 1
    legend = [
        ("input", "", "黄色：需要填写的单元格"),
        ("total", "0", "灰色：自动计算的总计，不能修改"),
        ("prefilled", "", "浅紫色：由上年填报表预先填入（xlrep template --from），请核对，可以修改"),
        ("pass", PASS, "绿色 ✔：校验通过"),
        ("fail", "✘ 差3", "红色 ✘：校验未通过，后面是差额或出错的单元格个数"),
    ]
    for style, sample, text in legend:
        ws.write_string(r, 1, sample, f.legend[style]) if sample else ws.write_blank(r, 1, None, f.legend[style])
        ws.write_string(r, 2, text, f.plain)
        r += 1
    r += 1
    ws.write_string(r, 1, "填报规则", f.heading)
    r += 1
    for rule in filling_rules(form):
        ws.write_string(r, 1, f"{SEVERITY_NAMES[rule.severity]} {rule.id}", f.bold)
        ws.write_string(r, 2, rule.title, f.plain)
        ws.set_row(r, 20 if len(rule.title) < 44 else 34)
        r += 1
    r += 1
    ws.write_string(r, 1, "说明", f.heading)
    r += 1
    notes = [
        "“错误”须改正后才能生成报告；“提示”请核实，确认无误可以提交。",
        "工作表已保护（防止误改公式），无需密码即可填写黄色单元格。",
        "报告各部分标题：" + "；".join(form.section_headings.values()) + "。",
    ]
    for note in notes:
        ws.write_string(r, 2, note, f.plain)
        ws.set_row(r, 20 if len(note) < 44 else 34)
        r += 1
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, 2)


_BOOK_VIEWS = re.compile(rb"<bookViews>")


def _lock_structure(xlsx: bytes, password: str | None) -> bytes:
    """Add workbook-structure protection (no adding, deleting, renaming or unhiding sheets).

    XlsxWriter cannot write ``<workbookProtection>``; it belongs right before
    ``<bookViews>`` in ``xl/workbook.xml`` (ECMA-376 §18.2.29).
    """
    attrs = b'lockStructure="1"'
    if password:
        from openpyxl.utils.protection import hash_password  # the legacy (Excel 97) workbook password hash

        digest = hash_password(password)
        attrs = f'workbookPassword="{digest}" '.encode() + attrs

    def protect(workbook_xml: bytes) -> bytes:
        data, n = _BOOK_VIEWS.subn(b"<workbookProtection " + attrs + b"/><bookViews>", workbook_xml, count=1)
        if n != 1:
            raise RuntimeError("xl/workbook.xml has no <bookViews>")
        return data

    return rewrite_zip_member(xlsx, "xl/workbook.xml", protect)
